/**
 * Bulk removal: `residents` approved residents of one clinic, then RemoveApprovals(all_residents).
 * A phase of `npm run bench` (bench/run.ts: 100 000 residents, 10 000 in quick mode), and on its
 * own `npx tsx bench/bulk-removal.ts [count]` after `npm run generate` (default 100 000;
 * BENCH_MAX_MINUTES, default 40, bounds the wait for its events).
 *
 * The service runs in its own process and database (so the collection holds just these residents,
 * and the raw baseline reads the same number of documents). The residents are seeded directly in
 * the service's own format (bench/seed.ts): one resident approved and granted through the API, the
 * others clones of its access document as the relay leaves it (approved, no grant), each with its
 * resident view. The bench then calls RemoveApprovals with all_residents, follows GetBulkRemoval
 * until DONE (retrying RemoveApprovals with the job's request id, as a client would, when no event
 * came for 60 s: a run that failed resumes so), and counts the job's APPROVAL_REMOVED events
 * consumed from Kafka. `bulk_removal_per_s` = residents ÷ the time from the RemoveApprovals call
 * until the last of those events was consumed; when the wait ends first it is the rate so far
 * (and the note says so).
 *
 * The raw baseline: the MongoDB driver alone doing the least any design must do, on a copy of the
 * same documents, with no publishing (as for approvals and the expiry burst): one find of the
 * clinic's approved documents read by a cursor in batches of 500, then per document, 16 in flight,
 * one conditional `updateOne({_id, revision})` that clears the approval, moves the revision and
 * appends the event to the outbox: the compare-and-set the service makes per change, on every
 * server alike. One cursor rather than a new query per batch: on FerretDB a new query rescans the
 * documents already done. Bounded by `rawMaxMs`; its rate is what it did by then.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection, type Db, type Document } from 'mongodb';
import { BulkRemovalState } from '../src/gen/residentaccess/v1/resident_access_service';
import { apiOf, connectClients } from '../test/support/grpc-client';
import { signTestToken } from '../test/support/tokens';
import { cleanUpOnAbort, log, ratio, residentNumber, round1, sleep, until } from './common';
import { runAlone } from './run-alone';
import { deleteTopics, startEventConsumer } from './events';
import { accessLike, insertInBatches, RESIDENT_VIEWS, viewLike } from './seed';
import { benchServiceEnv, startServiceProcess, topicsOf } from './service-process';
import { RESTRICTED_CASE_TYPE } from './writes';

export const BULK_BLOCK = 4;
const BULK_CLINIC = 'SE2321000016-BULK';
const ACTOR = 'bench-bulk-staff';
const SEED_BATCH = 1000;
const RAW_BATCH = 500;
const RAW_CONCURRENCY = 16;
/** No new event for this long while the job is not DONE: retry RemoveApprovals with its request id. */
const RESUME_AFTER_MS = 60_000;
const REMOVED = 'ACCESS_CHANGE_CAUSE_APPROVAL_REMOVED';

export interface BulkRemovalResult {
  residents: number;
  seedS: number;
  /** Seconds from the RemoveApprovals call until its last event was consumed; the time waited when not complete. */
  removalS: number;
  complete: boolean;
  eventsConsumed: number;
  /** residents ÷ removalS when complete; events consumed ÷ the time waited otherwise. */
  removalsPerS: number;
  /** Seconds from the call until GetBulkRemoval said DONE (null: not within the wait). */
  jobDoneS: number | null;
  jobRemoved: number;
  jobUnchanged: number;
  resumes: number;
  rawS: number;
  rawDone: number;
  rawPerS: number;
  peakRssMb: number | null;
  note: string | null;
}

export async function measureBulkRemoval(opts: {
  mongoUri: string;
  kafkaBrokers: string;
  authEnv: Record<string, string>;
  residents: number;
  /** How long to wait for the job's events, counted from the RemoveApprovals call. */
  waitMs: number;
  /** Longest run of the raw baseline. */
  rawMaxMs: number;
}): Promise<BulkRemovalResult> {
  if (!Number.isInteger(opts.residents) || opts.residents < 2) throw new Error('bulk removal: at least 2 residents');
  const env = benchServiceEnv(opts.authEnv);
  const database = env.MONGODB_DATABASE!;
  const jobId = randomUUID();
  const removed = new Set<string>();
  let lastRemovedAt = 0;
  const consumer = await startEventConsumer(opts.kafkaBrokers, env.KAFKA_ACCESS_TOPIC!, (value, at) => {
    if (value.cause !== REMOVED || value.requestId !== jobId) return;
    const key = `${value.access?.clinicId}|${value.access?.personalIdentityNumber}`;
    if (!removed.has(key)) {
      removed.add(key);
      lastRemovedAt = at;
    }
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
    const staff = apiOf(clients, await signTestToken({ sub: ACTOR, clinics: [BULK_CLINIC], roles: ['staff', 'admin'], expiresIn: '24h' }));
    const seedStart = Date.now();
    const seeded = await seedApproved(db, rawDb, staff, opts.residents);
    const seedS = (Date.now() - seedStart) / 1000;
    log(`bulk removal: ${opts.residents} approved residents seeded in ${seedS.toFixed(1)} s`);
    // Let the template's own two events (approved, granted) go out first, so the relay starts idle.
    await until(() => consumer.count() >= 2, 10_000, 100);

    const t0 = Date.now();
    const deadline = t0 + opts.waitMs;
    const call = () => staff.removeApprovals({ clinicId: BULK_CLINIC, allResidents: true, requestId: jobId });
    let job = (await call()).bulkRemoval!;
    let jobDoneAt: number | null = job.state === BulkRemovalState.BULK_REMOVAL_STATE_DONE ? Date.now() : null;
    let resumes = 0;
    let progress = { at: Date.now(), events: 0 };
    let reported = Date.now();
    while (removed.size < opts.residents && Date.now() < deadline) {
      await sleep(1000);
      if (jobDoneAt === null) {
        job = (await staff.getBulkRemoval({ clinicId: BULK_CLINIC, id: jobId })).bulkRemoval!;
        if (job.state === BulkRemovalState.BULK_REMOVAL_STATE_DONE) jobDoneAt = Date.now();
      }
      if (removed.size !== progress.events) progress = { at: Date.now(), events: removed.size };
      if (jobDoneAt === null && Date.now() - progress.at > RESUME_AFTER_MS) {
        resumes++;
        log(`bulk removal: no event for ${RESUME_AFTER_MS / 1000} s, retrying RemoveApprovals with the job's request id (resume ${resumes})`);
        job = (await call()).bulkRemoval!;
        progress.at = Date.now();
      }
      if (Date.now() - reported >= 15_000) {
        reported = Date.now();
        log(`bulk removal: ${removed.size} of ${opts.residents} APPROVAL_REMOVED consumed after ${Math.round((Date.now() - t0) / 1000)} s (job: ${job.removedCount} removed)`);
      }
    }
    const complete = removed.size >= opts.residents;
    const end = complete ? lastRemovedAt : Date.now();
    const removalS = (end - t0) / 1000;
    peakRssMb = (await service.kill()).peakRssMb;

    log(`bulk removal: raw driver, ${opts.residents} approvals removed by updateOne({_id, revision}), ${RAW_CONCURRENCY} at a time, at most ${opts.rawMaxMs / 1000} s`);
    const raw = await rawBulkRemoval(rawDb.collection('access'), seeded.approvedAt, opts.rawMaxMs);
    const notes: string[] = [];
    if (!complete) {
      notes.push(
        `${opts.residents - removed.size} of ${opts.residents} APPROVAL_REMOVED events not consumed within ${Math.round(removalS)} s: ` +
          `bulk_removal_per_s is the rate so far (events consumed ÷ time waited), not the job's`,
      );
    }
    if (resumes > 0) notes.push(`RemoveApprovals retried ${resumes} times after ${RESUME_AFTER_MS / 1000} s without an event`);
    if (raw.done < opts.residents) notes.push(`the raw baseline removed ${raw.done} of ${opts.residents} within its bound of ${opts.rawMaxMs / 1000} s`);
    return {
      residents: opts.residents,
      seedS: round1(seedS),
      removalS: round1(removalS),
      complete,
      eventsConsumed: removed.size,
      removalsPerS: round1(removed.size / Math.max(0.001, removalS)),
      jobDoneS: jobDoneAt === null ? null : round1((jobDoneAt - t0) / 1000),
      jobRemoved: job.removedCount,
      jobUnchanged: job.unchangedCount,
      resumes,
      rawS: round1(raw.seconds),
      rawDone: raw.done,
      rawPerS: round1(raw.done / Math.max(0.001, raw.seconds)),
      peakRssMb,
      note: notes.join('; ') || null,
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

/**
 * The template resident approved and granted through the API (its view then holds a grant, so
 * bench/seed.ts checks the view's whole format), and `residents - 1` clones of its access document,
 * approved without a grant, each with its view; the raw database gets all `residents` (the template's
 * clone with its grant). Built and inserted a batch at a time: 100 000 documents at once would
 * weigh on the bench's own memory.
 */
async function seedApproved(db: Db, rawDb: Db, staff: ReturnType<typeof apiOf>, residents: number): Promise<{ approvedAt: Date }> {
  await staff.putCaseType({ clinicId: BULK_CLINIC, caseType: { ...RESTRICTED_CASE_TYPE }, requestId: randomUUID(), etag: '' });
  const templateResident = residentNumber(0, BULK_BLOCK);
  await staff.approveResident({ clinicId: BULK_CLINIC, personalIdentityNumber: templateResident, requestId: randomUUID(), etag: '' });
  await staff.grantCaseType({
    clinicId: BULK_CLINIC,
    personalIdentityNumber: templateResident,
    caseTypeId: RESTRICTED_CASE_TYPE.id,
    untilFurtherNotice: true,
    requestId: randomUUID(),
    etag: '',
  });
  const template = await db.collection('access').findOne({ _id: `${BULK_CLINIC}|${templateResident}` } as Document);
  if (!template) throw new Error('bulk removal: the template resident has no access document after its approval answered: update bench/bulk-removal.ts');
  const approvedAt = (template.approval as { at?: unknown } | null)?.at;
  if (!(approvedAt instanceof Date)) throw new Error('bulk removal: the approval has no time (approval.at): update bench/bulk-removal.ts');
  const templateView = await db.collection(RESIDENT_VIEWS).findOne({ _id: templateResident } as Document);
  if (!templateView) throw new Error(`bulk removal: no ${RESIDENT_VIEWS} document for the template resident after its grant answered: update bench/bulk-removal.ts`);
  for (let from = 0; from < residents; from += SEED_BATCH) {
    const clones = [];
    for (let i = from; i < Math.min(residents, from + SEED_BATCH); i++) {
      clones.push(i === 0 ? accessLike(template, BULK_CLINIC, templateResident) : accessLike(template, BULK_CLINIC, residentNumber(i, BULK_BLOCK), { grants: [] }));
    }
    const forService = clones.filter((c) => c.resident !== templateResident);
    await insertInBatches(db.collection('access'), forService);
    await insertInBatches(
      db.collection(RESIDENT_VIEWS),
      forService.map((c) => viewLike(templateView, template, String(c.resident), [c])),
    );
    await insertInBatches(rawDb.collection('access'), clones);
  }
  return { approvedAt };
}

/** The least a bulk removal must write, by the driver alone, until no approval is left or `maxMs` passed. */
async function rawBulkRemoval(access: Collection<Document>, approvedBefore: Date, maxMs: number): Promise<{ seconds: number; done: number }> {
  const started = Date.now();
  const requestId = randomUUID();
  let done = 0;
  const removeOne = async (doc: Document) => {
    const now = new Date();
    const before = { clinicId: doc.clinicId, resident: doc.resident, approval: doc.approval, grants: doc.grants, version: doc.version };
    const after = { ...before, approval: null, version: doc.version + 1 };
    const event = { eventId: randomUUID(), cause: 'APPROVAL_REMOVED', access: after, before, version: after.version, actor: ACTOR, requestId, occurredAt: now };
    const result = await access.updateOne({ _id: doc._id, revision: doc.revision }, {
      $set: { approval: null, version: after.version, revision: doc.revision + 1, outboxPending: true, updatedAt: now, endedAt: (doc.grants as unknown[]).length === 0 ? now : null },
      $push: { outbox: event },
      $min: { outboxSince: now },
    } as Document);
    if (result.matchedCount !== 1) throw new Error('raw bulk removal: document changed or missing at write');
    done++;
  };
  const cursor = access.find({ clinicId: BULK_CLINIC, 'approval.at': { $lte: approvedBefore } }, { projection: { outbox: 0, relayLease: 0, recentRequests: 0 }, batchSize: RAW_BATCH });
  try {
    for (;;) {
      if (Date.now() - started > maxMs) break;
      const batch: Document[] = [];
      while (batch.length < RAW_BATCH && (await cursor.hasNext())) batch.push((await cursor.next())!);
      if (batch.length === 0) break;
      await Promise.all(
        Array.from({ length: RAW_CONCURRENCY }, async () => {
          for (let doc = batch.shift(); doc !== undefined; doc = batch.shift()) {
            if (Date.now() - started > maxMs) return;
            await removeOne(doc);
          }
        }),
      );
    }
  } finally {
    await cursor.close();
  }
  return { seconds: (Date.now() - started) / 1000, done };
}

if (require.main === module)
  runAlone(
    'bench/bulk-removal.ts',
    (o) => measureBulkRemoval({ ...o, residents: o.count }),
    (r) => ({ bulk_removal_vs_raw: ratio(r.removalsPerS, r.rawPerS) }),
  );
