import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { apiOf, connectClients } from '../test/support/grpc-client';
import { signTestToken } from '../test/support/tokens';
import { addDaysTo, cleanUpOnAbort, log, ratio, residentNumber, round1, sleep, stockholmDateOf } from './common';
import { deleteTopics, startEventConsumer } from './events';
import { accessLike, insertInBatches, RESIDENT_VIEWS, viewLike } from './seed';
import { benchServiceEnv, startServiceProcess, topicsOf } from './service-process';
import { RESTRICTED_CASE_TYPE } from './writes';
import { runAlone } from './run-alone';

/**
 * Expiry burst: `grants` residents each hold a grant ending at the same Stockholm midnight. The
 * service runs in its own process and database (so the collection holds just these grants, and
 * the raw baseline scans the same number of documents) with a clock the bench moves: to three
 * seconds before that midnight, after which the expiry worker sleeps until midnight as in
 * production. Measured from that midnight: the time until every GRANT_EXPIRED event has been
 * consumed from Kafka by the bench (`expiry_burst_s`), and the time until no document has a due
 * grant any more (the worker's part alone).
 *
 * The raw baseline: the MongoDB driver alone doing the worker's per-grant writes on a copy of the
 * same documents (src/background/expiry-worker.ts with src/commands/access/expire-grants.ts): one due query per
 * batch of 500, then per resident, 16 at a time, a findOne by _id and one conditional
 * `updateOne({_id, revision})` that ends the grant and appends its event to the outbox: the
 * compare-and-set the service makes per change, on every server alike. It does not publish: the
 * service's relay writes again per event (the outbox cleared, an audit row), which the raw
 * baseline does not (as for approvals). Each seeded resident also has the view document the service keeps
 * (bench/seed.ts viewLike), so the service updates existing views as in production; the raw
 * baseline writes no view.
 *
 * With `starts`, the same for grants that start at that midnight (a first day, until further
 * notice) and their GRANT_STARTED events, the same scheduler's other transition; no raw baseline.
 * On its own: `npx tsx bench/expiry-burst.ts [count] [--starts]` after `npm run generate`.
 *
 * EXPIRY_POLL_INTERVAL_MS is 1 s here (production: 60 s): the worker computes its sleep from the
 * clock, so after the clock jumps it must wake once to see the new time. It then sleeps until the
 * midnight, as it would in production.
 */
export const EXPIRY_BLOCK = 2;
const EXPIRY_CLINIC = 'SE2321000016-EXPIRY';
const LEAD_MS = 3000;
const WORKER_BATCH = 500;
const WORKER_CONCURRENCY = 16;

export interface ExpiryBurstResult {
  grants: number;
  seedS: number;
  midnight: string;
  /** Seconds from the midnight until every transition's event (GRANT_EXPIRED, or GRANT_STARTED) was consumed; a lower bound when not complete. */
  burstS: number;
  complete: boolean;
  eventsConsumed: number;
  transitionsPerS: number;
  /** Seconds from the midnight until no document held a due grant (the worker's writes alone). */
  workerDoneS: number | null;
  rawS: number;
  rawDone: number;
  rawPerS: number;
  peakRssMb: number | null;
  note: string | null;
}

export async function measureExpiryBurst(opts: {
  mongoUri: string;
  authEnv: Record<string, string>;
  kafkaBrokers: string;
  grants: number;
  /** When to stop waiting for the events (epoch ms); at least 10 s after the midnight in any case. */
  waitUntil: number;
  /** Longest run of the raw baseline. */
  rawMaxMs: number;
  /** Grants that start at the midnight instead of ending (GRANT_STARTED; no raw baseline). */
  starts?: boolean;
}): Promise<ExpiryBurstResult> {
  const { cause, dueField, what } = opts.starts
    ? { cause: 'ACCESS_CHANGE_CAUSE_GRANT_STARTED', dueField: 'nextStartsAt', what: 'GRANT_STARTED' }
    : { cause: 'ACCESS_CHANGE_CAUSE_GRANT_EXPIRED', dueField: 'nextEndsAt', what: 'GRANT_EXPIRED' };
  const env = benchServiceEnv(opts.authEnv, { EXPIRY_POLL_INTERVAL_MS: '1000' });
  const database = env.MONGODB_DATABASE!;
  const transitioned = new Set<string>();
  /** The first event id per resident: a second, other id is a transition made twice (a redelivery keeps its id). */
  const firstEventOf = new Map<string, string | undefined>();
  let twice = 0;
  let lastEventAt = 0;
  const consumer = await startEventConsumer(opts.kafkaBrokers, env.KAFKA_ACCESS_TOPIC!, (value, at) => {
    if (value.cause !== cause) return;
    const key = `${value.access?.clinicId}|${value.access?.personalIdentityNumber}`;
    if (!transitioned.has(key)) {
      transitioned.add(key);
      firstEventOf.set(key, value.eventId);
      lastEventAt = at;
    } else if (firstEventOf.get(key) !== value.eventId) twice++;
  });
  const mongo = await new MongoClient(opts.mongoUri).connect();
  const db = mongo.db(database);
  const rawDb = mongo.db(`${database}_raw`);
  const dropAll = () => Promise.allSettled([db.dropDatabase(), rawDb.dropDatabase(), deleteTopics(opts.kafkaBrokers, topicsOf(env))]);
  const registered = cleanUpOnAbort(dropAll);
  const service = await startServiceProcess(env);
  let peakRssMb: number | null = null;
  const clients = connectClients(service.port);
  try {
    // The template: one grant made through the API, ending (or starting on the day) after tomorrow
    // (Stockholm): at least a day away, so real time never reaches it during the run.
    const seedStart = Date.now();
    const admin = apiOf(clients, await signTestToken({ sub: 'bench-admin', clinics: [EXPIRY_CLINIC], roles: ['staff', 'admin'], expiresIn: '2h' }));
    await admin.putCaseType({ clinicId: EXPIRY_CLINIC, caseType: { ...RESTRICTED_CASE_TYPE }, requestId: randomUUID(), etag: '' });
    const untilDate = addDaysTo(stockholmDateOf(new Date()), 1);
    const templateResident = residentNumber(0, EXPIRY_BLOCK);
    const span = opts.starts ? { untilFurtherNotice: true, firstDay: addDaysTo(untilDate, 1) } : { untilDate };
    await admin.grantCaseType({ clinicId: EXPIRY_CLINIC, personalIdentityNumber: templateResident, caseTypeId: RESTRICTED_CASE_TYPE.id, ...span, requestId: randomUUID(), etag: '' });
    const template = await db.collection('access').findOne({ _id: `${EXPIRY_CLINIC}|${templateResident}` } as Document);
    const midnight = template?.[dueField];
    if (!template || !(midnight instanceof Date)) throw new Error(`expiry: the template grant has no due instant (${dueField}): update bench/expiry-burst.ts`);
    // The resident views the service would hold for these residents (the template's it wrote itself).
    const templateView = await db.collection(RESIDENT_VIEWS).findOne({ _id: templateResident } as Document);
    if (!templateView) throw new Error(`expiry: no ${RESIDENT_VIEWS} document for the template resident after its grant answered: update bench/expiry-burst.ts`);
    const clones = Array.from({ length: opts.grants }, (_, i) => accessLike(template, EXPIRY_CLINIC, residentNumber(i, EXPIRY_BLOCK)));
    await insertInBatches(db.collection('access'), clones.slice(1));
    await insertInBatches(
      db.collection(RESIDENT_VIEWS),
      clones.slice(1).map((clone) => viewLike(templateView, template, String(clone.resident), [clone])),
    );
    await insertInBatches(rawDb.collection('access'), clones);
    const seedS = (Date.now() - seedStart) / 1000;
    log(`expiry burst: ${opts.grants} grants ending ${midnight.toISOString()} seeded in ${seedS.toFixed(1)} s; moving the clock`);
    // Let the template's own GRANT event go out first, so the relay starts the burst idle.
    await sleep(1000);

    const jumpedAt = Date.now();
    await service.setClock(new Date(midnight.getTime() - LEAD_MS));
    const t0 = jumpedAt + LEAD_MS;
    let workerDoneAt: number | null = null;
    const deadline = Math.max(t0 + 10_000, opts.waitUntil);
    let reported = Date.now();
    while (transitioned.size < opts.grants && Date.now() < deadline) {
      await sleep(500);
      if (Date.now() - reported >= 10_000) {
        reported = Date.now();
        log(`expiry burst: ${transitioned.size} of ${opts.grants} ${what} consumed after ${Math.round((Date.now() - t0) / 1000)} s`);
      }
      if (workerDoneAt === null && Date.now() > t0) {
        const left = await db.collection('access').countDocuments({ [dueField]: { $ne: null } });
        if (left === 0) workerDoneAt = Date.now();
      }
    }
    const complete = transitioned.size >= opts.grants;
    const end = complete ? lastEventAt : Date.now();
    // Sampled every 500 ms, so the last events can come first; events follow their writes, so the
    // writes were done by the last event at the latest.
    if (workerDoneAt === null && complete) workerDoneAt = end;
    const burstS = round1((end - t0) / 1000);
    peakRssMb = (await service.kill()).peakRssMb;

    if (!opts.starts) log(`expiry burst: raw driver, the worker's writes for ${opts.grants} grants, ${WORKER_CONCURRENCY} at a time`);
    const raw = opts.starts ? { seconds: 0, done: 0 } : await rawExpiry(rawDb.collection('access'), midnight, opts.rawMaxMs);
    const notes = [
      complete ? null : `${opts.grants - transitioned.size} of ${opts.grants} ${what} events not consumed within ${burstS} s: expiry_burst_s is a lower bound`,
      twice === 0 ? null : `${twice} residents got a second ${what} event with another event id`,
    ].filter((n) => n !== null);
    const note = notes.join('; ') || null;
    return {
      grants: opts.grants,
      seedS: round1(seedS),
      midnight: midnight.toISOString(),
      burstS,
      complete,
      eventsConsumed: transitioned.size,
      transitionsPerS: round1(transitioned.size / Math.max(0.001, (end - t0) / 1000)),
      workerDoneS: workerDoneAt === null ? null : round1((workerDoneAt - t0) / 1000),
      rawS: round1(raw.seconds),
      rawDone: raw.done,
      rawPerS: round1(raw.done / Math.max(0.001, raw.seconds)),
      peakRssMb,
      note,
    };
  } finally {
    clients.close();
    if (peakRssMb === null) await service.kill().catch(() => undefined);
    await consumer.stop().catch(() => undefined);
    await dropAll();
    registered();
    await mongo.close();
  }
}

/** The expiry worker's storage work, by the driver alone, until nothing is due or `maxMs` passed. */
async function rawExpiry(access: Collection<Document>, now: Date, maxMs: number): Promise<{ seconds: number; done: number }> {
  const started = Date.now();
  const requestId = `expiry:${now.toISOString()}`;
  let done = 0;
  const expireOne = async (id: unknown) => {
    const doc = await access.findOne({ _id: id } as Document, { projection: { outbox: 0, relayLease: 0 } });
    if (!doc) throw new Error('raw expiry: document missing');
    const before = { clinicId: doc.clinicId, resident: doc.resident, approval: doc.approval, grants: doc.grants, version: doc.version };
    const grants = (doc.grants as Array<{ endsAt: Date | null }>).filter((g) => !(g.endsAt && g.endsAt <= now));
    const after = { ...before, grants, version: doc.version + 1 };
    const event = { eventId: randomUUID(), cause: 'GRANT_EXPIRED', access: after, before, version: after.version, actor: 'system:expiry', requestId, occurredAt: now };
    const recentRequests = [...(doc.recentRequests as unknown[]), { requestId, fingerprint: 'ExpireGrants', changed: true, access: after }].slice(-20);
    // Read the document and write it once, conditionally on the revision read: the service's
    // compare-and-set (src/storage-mongo/conditional-writer.ts).
    const result = await access.updateOne(
      { _id: id, revision: doc.revision } as Document,
      {
        $set: {
          approval: doc.approval,
          grants,
          nextEndsAt: null,
          nextStartsAt: null,
          endingSoonPending: [],
          version: after.version,
          revision: doc.revision + 1,
          recentRequests,
          outboxPending: true,
          updatedAt: now,
          endedAt: doc.approval === null && grants.length === 0 ? now : null,
        },
        $push: { outbox: event },
        $min: { outboxSince: now },
      } as Document,
    );
    if (result.matchedCount !== 1) throw new Error('raw expiry: document changed or missing at write');
    done++;
  };
  for (;;) {
    if (Date.now() - started > maxMs) break;
    const due = await access
      .find({ nextEndsAt: { $lte: now } }, { projection: { clinicId: 1, resident: 1 } })
      .limit(WORKER_BATCH)
      .toArray();
    if (due.length === 0) break;
    const queue = due.map((d) => d._id);
    await Promise.all(
      Array.from({ length: WORKER_CONCURRENCY }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          if (Date.now() - started > maxMs) return;
          await expireOne(id);
        }
      }),
    );
    if (due.length < WORKER_BATCH) break;
  }
  return { seconds: (Date.now() - started) / 1000, done };
}

if (require.main === module) {
  runAlone(
    'bench/expiry-burst.ts',
    (o) => measureExpiryBurst({ ...o, grants: o.count, waitUntil: Date.now() + o.waitMs, starts: process.argv.includes('--starts') }),
    (r) => ({ expiry_vs_raw: r.rawDone === 0 ? null : ratio(r.transitionsPerS, r.rawPerS) }),
  );
}
