/**
 * Bulk removal at scale: `npx tsx bench/bulk-removal.ts [count]` (default 100000).
 *
 * Starts the real service in this process (its own database and topic, JWT auth as in the
 * component tests), seeds `count` approved residents of one clinic directly in the database (the
 * documents ApproveResident writes, as they are once the relay has published their event: empty
 * outbox, so seeding publishes nothing), then calls RemoveApprovals with all_residents and follows
 * GetBulkRemoval until DONE. A child process counts the APPROVAL_REMOVED events that reach Kafka,
 * so the service's own memory is measured alone.
 *
 * Prints the seed time, the job time, removals per second, the peak RSS of this (the service's)
 * process, sampled every 200 ms, and the events counted in Kafka.
 *
 * Servers: MONGODB_URI and KAFKA_BROKERS, by default the local stack (`npm run stack -- up`).
 * BENCH_MAX_MINUTES (default 30) bounds the job; past it the figures so far are printed, the
 * database and topic are removed after this process has exited, and the exit code is 2.
 */
import { fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { fingerprint } from '../src/commands/shared/fingerprint';
import { loadConfig } from '../src/config/config';
import { approve } from '../src/domain/access/approve';
import { emptyAccess } from '../src/domain/access/resident-access';
import { personalIdentityNumberFor } from '../src/domain/identity/personal-identity-number.arbitrary';
import { BulkRemovalState } from '../src/gen/residentaccess/v1/resident_access_service';
import { startService } from '../src/main';
import { accessDocumentId, stateFields, type AccessDocument } from '../src/storage-mongo/access-document';
import { ACCESS_COLLECTION, REQUEST_IDS_COLLECTION } from '../src/storage-mongo/indexes';
import type { RequestIdDocument } from '../src/storage-mongo/mongo-request-registry';
import { apiOf, connectClients } from '../test/support/grpc-client';
import { serviceEnv, uniqueName } from '../test/support/test-env';
import { signTestToken, testAuthEnv } from '../test/support/tokens';

const SEED_BATCH = 1000;
const ACTOR = 'bench-staff';

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `count` distinct valid numbers: serials 1..999 on consecutive birth dates from 1950-01-01. */
function residents(count: number): string[] {
  const numbers: string[] = [];
  for (let day = 0; numbers.length < count; day++) {
    const birthDate = new Date(Date.UTC(1950, 0, 1 + day)).toISOString().slice(0, 10);
    for (let serial = 1; serial <= 999 && numbers.length < count; serial++) numbers.push(personalIdentityNumberFor(birthDate, serial));
  }
  return numbers;
}

/** The access document and request reservation that approving `resident` leaves, once its event is published. */
function approvedDocuments(clinicId: string, resident: string, at: Date): { access: AccessDocument; request: RequestIdDocument } {
  const requestId = randomUUID();
  const decision = approve(emptyAccess(clinicId, resident), { actor: ACTOR, at, requestId }, randomUUID());
  const print = fingerprint('ApproveResident', { clinicId, resident, actor: ACTOR });
  return {
    access: {
      _id: accessDocumentId(clinicId, resident),
      clinicId,
      resident,
      ...stateFields(decision.access),
      revision: 1,
      outbox: [],
      outboxPending: false,
      recentRequests: [{ requestId, fingerprint: print, changed: true, access: decision.access }],
      relayLease: null,
      updatedAt: at,
    },
    request: { _id: requestId, fingerprint: print, at },
  };
}

// ---- child process: counts the job's events on the topic ----------------------------------------

async function countEvents(brokers: string, topic: string, jobId: string): Promise<void> {
  let stop: () => void = () => process.exit(0);
  process.on('disconnect', () => stop());
  const kafka = new Kafka({ clientId: 'bench-counter', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  // The service creates its topic on its first publish; wait for it rather than create it here.
  const admin = kafka.admin();
  await admin.connect();
  while (!(await admin.listTopics()).includes(topic)) await sleep(500);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueName('bench-counter') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let events = 0;
  const distinct = new Set<string>();
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const value = JSON.parse(message.value?.toString() ?? 'null') as { cause?: string; requestId?: string; access?: { personalIdentityNumber?: string } };
        if (value?.requestId !== jobId || value.cause !== 'ACCESS_CHANGE_CAUSE_APPROVAL_REMOVED') continue;
        events++;
        distinct.add(value.access?.personalIdentityNumber ?? '');
      }
    },
  });
  const report = setInterval(() => process.send?.({ events, distinct: distinct.size }), 500);
  stop = () => {
    clearInterval(report);
    void consumer.disconnect().finally(() => process.exit(0));
  };
}

/** Drops the database and deletes the topic, after the process that used them has exited. */
async function cleanUp(uri: string, database: string, brokers: string, topics: string[]): Promise<void> {
  await sleep(3000);
  const mongo = await new MongoClient(uri).connect();
  await mongo.db(database).dropDatabase();
  await mongo.close();
  const admin = new Kafka({ clientId: 'bench-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  for (const topic of topics) await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}

// ---- the benchmark ------------------------------------------------------------------------------

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 100_000);
  if (!Number.isInteger(count) || count < 1) throw new Error('usage: npx tsx bench/bulk-removal.ts [count]');
  const maxJobMs = Number(process.env.BENCH_MAX_MINUTES ?? 30) * 60_000;
  process.env.TEST_MONGODB_URI = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017';
  process.env.TEST_KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const env = serviceEnv({
    ...(await testAuthEnv()),
    MONGODB_DATABASE: uniqueName('bench').replace(/-/g, '_'),
    KAFKA_ACCESS_TOPIC: uniqueName('bench-access-changed'),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // The service's defaults, not the tests' faster ones.
    RELAY_POLL_INTERVAL_MS: '2000',
    HEALTH_CHECK_INTERVAL_MS: '2000',
  });
  const topics = [env.KAFKA_ACCESS_TOPIC!, env.KAFKA_SETTINGS_TOPIC, env.REGISTER_TOPIC].filter((t): t is string => Boolean(t));
  const cleanUpLater = () =>
    spawn(process.execPath, [...process.execArgv, __filename, '--clean-up', env.MONGODB_URI!, env.MONGODB_DATABASE!, env.KAFKA_BROKERS!, ...topics], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  console.log(`bulk removal of ${count} approvals; MongoDB ${env.MONGODB_URI} database ${env.MONGODB_DATABASE}, Kafka ${env.KAFKA_BROKERS} topic ${env.KAFKA_ACCESS_TOPIC}`);

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const service = await startService(loadConfig(env), { logDestination: pino.destination(2) });
  const clients = connectClients(service.port);
  const clinicId = 'SE2321000016-BNCH';
  const staff = apiOf(clients, await signTestToken({ sub: ACTOR, clinics: [clinicId], roles: ['staff', 'admin'], expiresIn: '24h' }));
  await staff.putCaseType({ clinicId, caseType: { id: 'general', name: 'General question', restricted: false }, requestId: randomUUID(), etag: '' });
  const rssAtStart = process.memoryUsage().rss;

  // Seed.
  const mongo = await new MongoClient(env.MONGODB_URI!).connect();
  const db = mongo.db(env.MONGODB_DATABASE);
  const seedStart = Date.now();
  const numbers = residents(count);
  const approvedAt = new Date(Date.now() - 60_000);
  for (let i = 0; i < numbers.length; i += SEED_BATCH) {
    const docs = numbers.slice(i, i + SEED_BATCH).map((n) => approvedDocuments(clinicId, n, approvedAt));
    await db.collection<AccessDocument>(ACCESS_COLLECTION).insertMany(docs.map((d) => d.access), { ordered: false });
    await db.collection<RequestIdDocument>(REQUEST_IDS_COLLECTION).insertMany(docs.map((d) => d.request), { ordered: false });
  }
  const seedMs = Date.now() - seedStart;
  console.log(`seeded ${count} approved residents in ${seconds(seedMs)} (${Math.round(count / (seedMs / 1000))}/s)`);

  // Count the job's events in a child process.
  const jobId = randomUUID();
  const counted = { events: 0, distinct: 0 };
  const counter = fork(__filename, ['--count-events', env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!, jobId], { stdio: 'inherit' });
  counter.on('message', (m) => Object.assign(counted, m));

  // Run the job.
  const peakBeforeJob = peakRss;
  const jobStart = Date.now();
  const first = (await staff.removeApprovals({ clinicId, allResidents: true, requestId: jobId })).bulkRemoval!;
  console.log(`RemoveApprovals answered after ${seconds(Date.now() - jobStart)}: ${BulkRemovalState[first.state]}, ${first.removedCount} removed`);
  let job = first;
  let lastReport = Date.now();
  // A job whose run failed (a storage error) stays RUNNING until RemoveApprovals is retried with
  // its request id, which resumes it: do as a client would when the events stop coming.
  let resumes = 0;
  let lastProgress = { at: Date.now(), events: 0 };
  while (job.state !== BulkRemovalState.BULK_REMOVAL_STATE_DONE) {
    if (Date.now() - jobStart > maxJobMs) break;
    await sleep(1000);
    job = (await staff.getBulkRemoval({ clinicId, id: jobId })).bulkRemoval!;
    if (counted.events !== lastProgress.events) lastProgress = { at: Date.now(), events: counted.events };
    if (job.state !== BulkRemovalState.BULK_REMOVAL_STATE_DONE && Date.now() - lastProgress.at > 60_000) {
      resumes++;
      console.log(`  no new event for 60 s: retrying RemoveApprovals with the job's request id (resume ${resumes})`);
      job = (await staff.removeApprovals({ clinicId, allResidents: true, requestId: jobId })).bulkRemoval!;
      lastProgress.at = Date.now();
    }
    if (Date.now() - lastReport >= 15_000) {
      lastReport = Date.now();
      const elapsed = (Date.now() - jobStart) / 1000;
      console.log(
        `  ${elapsed.toFixed(0)} s: job ${job.removedCount} removed (saved every 500), ${counted.events} events in Kafka` +
          ` (${(counted.events / elapsed).toFixed(1)}/s), rss ${mb(process.memoryUsage().rss)}, peak ${mb(peakRss)}`,
      );
    }
  }
  const jobMs = Date.now() - jobStart;
  const done = job.state === BulkRemovalState.BULK_REMOVAL_STATE_DONE;

  // Events: until every removal has reached Kafka, or a while after the job.
  const eventsDeadline = Date.now() + (done ? 10 * 60_000 : 0);
  while (counted.events < count && Date.now() < eventsDeadline) await sleep(500);
  const eventsMs = Date.now() - jobStart;
  await sleep(600);
  clearInterval(sampler);

  const removed = done ? job.removedCount : counted.distinct;
  console.log('');
  console.log(`residents:            ${count}`);
  console.log(`seed time:            ${seconds(seedMs)}`);
  console.log(`job time:             ${seconds(jobMs)}${done ? '' : ` (NOT DONE: stopped after BENCH_MAX_MINUTES; ${job.removedCount} removed by its last saved progress)`}`);
  console.log(`removals per second:  ${(removed / (jobMs / 1000)).toFixed(1)}${done ? '' : ' (from the events counted so far)'}`);
  console.log(`job state:            ${BulkRemovalState[job.state]}, removed ${job.removedCount}, unchanged ${job.unchangedCount}; resumed ${resumes} times`);
  console.log(`peak RSS (service):   ${mb(peakRss)} (at start ${mb(rssAtStart)}, before the job ${mb(peakBeforeJob)})`);
  console.log(`events in Kafka:      ${counted.events} APPROVAL_REMOVED of this job, ${counted.distinct} distinct residents, ${seconds(eventsMs)} after the job started`);

  counter.disconnect();
  if (!done) {
    // The job still runs: leave, and let a detached process remove the data once we are gone.
    cleanUpLater();
    process.exit(2);
  }
  const stillApproved = await db.collection<AccessDocument>(ACCESS_COLLECTION).countDocuments({ clinicId, approval: { $ne: null } });
  console.log(`still approved:       ${stillApproved}`);
  clients.close();
  await service.stop();
  await mongo.close();
  if (process.env.BENCH_KEEP !== '1') cleanUpLater();
  const ok = stillApproved === 0 && job.removedCount === count && counted.distinct === count;
  process.exit(ok ? 0 : 1);
}

const [mode, ...rest] = process.argv.slice(2);
const run =
  mode === '--count-events'
    ? countEvents(rest[0]!, rest[1]!, rest[2]!)
    : mode === '--clean-up'
      ? cleanUp(rest[0]!, rest[1]!, rest[2]!, rest.slice(3)).then(() => process.exit(0))
      : main();
run.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
