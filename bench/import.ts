/**
 * Import: `rows` residents of one clinic imported through ImportAccesses, as `resident-access
 * import` sends them (src/cli/commands/import.ts sendImport: batches of 500, one at a time, in file
 * order). A phase of `npm run bench` (bench/run.ts: 100 000 rows, 10 000 in quick mode), and on its
 * own `npx tsx bench/import.ts [count]` after `npm run generate` (default 100 000;
 * BENCH_MAX_MINUTES, default 40, bounds the wait for its events).
 *
 * The service runs in its own process and database (the clinic has no residents before). Every row
 * approves a new resident; every other row also grants the restricted case type (until further
 * notice, or a date). `import_per_s` = rows ÷ the time from the first batch sent until the last
 * batch answered: each answered row is stored with its IMPORTED event in the outbox, the view
 * written, as the raw baseline's rows are. The events' publication is measured beside it (the time
 * until the bench consumed the last IMPORTED event) and reported in the notes, not in the ratio.
 *
 * The raw baseline: the MongoDB driver alone doing the least any design must do per row, on a
 * database of its own, with no publishing (as for approvals): one `insertOne` of the resident's
 * access document with its event in the outbox, shaped like the service's (a document the import
 * stored, with its event), 16 at a time, bounded by `rawMaxMs`; its rate is what it did by then.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { sendImport } from '../src/cli/commands/import';
import type { ImportRow } from '../src/gen/residentaccess/v1/resident_access_service';
import { apiOf, connectClients } from '../test/support/grpc-client';
import { signTestToken } from '../test/support/tokens';
import { cleanUpOnAbort, log, ratio, residentNumber, round1, until } from './common';
import { runAlone } from './run-alone';
import { deleteTopics, startEventConsumer } from './events';
import { benchServiceEnv, startServiceProcess, topicsOf } from './service-process';
import { RESTRICTED_CASE_TYPE } from './writes';

export const IMPORT_BLOCK = 7;
const IMPORT_CLINIC = 'SE2321000016-IMPORT';
const ACTOR = 'bench-import-admin';
const RAW_CONCURRENCY = 16;
const IMPORTED = 'ACCESS_CHANGE_CAUSE_IMPORTED';

export interface ImportResult {
  rows: number;
  /** Seconds from the first batch sent until the last batch answered. */
  importS: number;
  importPerS: number;
  applied: number;
  failed: number;
  /** IMPORTED events the bench consumed, and the seconds from the first batch until the last of them. */
  eventsConsumed: number;
  eventsS: number;
  rawS: number;
  rawDone: number;
  rawPerS: number;
  peakRssMb: number | null;
  note: string | null;
}

/** Row i: approved; every other one also holds the restricted case type. */
function rowOf(i: number): ImportRow {
  const grants = i % 2 === 0 ? [] : [i % 4 === 1 ? { caseTypeId: RESTRICTED_CASE_TYPE.id, untilFurtherNotice: true } : { caseTypeId: RESTRICTED_CASE_TYPE.id, untilDate: '2099-12-31' }];
  return { line: i + 2, personalIdentityNumber: residentNumber(i, IMPORT_BLOCK), approved: true, grants };
}

export async function measureImport(opts: {
  mongoUri: string;
  kafkaBrokers: string;
  authEnv: Record<string, string>;
  rows: number;
  /** How long to wait for the import's events, counted from the first batch. */
  waitMs: number;
  /** Longest run of the raw baseline. */
  rawMaxMs: number;
}): Promise<ImportResult> {
  if (!Number.isInteger(opts.rows) || opts.rows < 2) throw new Error('import: at least 2 rows');
  const env = benchServiceEnv(opts.authEnv);
  const database = env.MONGODB_DATABASE!;
  const importId = randomUUID();
  const seen = new Set<string>();
  let lastEventAt = 0;
  const consumer = await startEventConsumer(opts.kafkaBrokers, env.KAFKA_ACCESS_TOPIC!, (value, at) => {
    if (value.cause !== IMPORTED || !value.requestId?.startsWith(`${importId}:`)) return;
    if (!seen.has(value.requestId)) {
      seen.add(value.requestId);
      lastEventAt = at;
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
    const admin = apiOf(clients, await signTestToken({ sub: ACTOR, clinics: [IMPORT_CLINIC], roles: ['staff', 'admin'], expiresIn: '24h' }));
    await admin.putCaseType({ clinicId: IMPORT_CLINIC, caseType: { ...RESTRICTED_CASE_TYPE }, requestId: randomUUID(), etag: '' });
    const rows = Array.from({ length: opts.rows }, (_, i) => rowOf(i));

    const t0 = Date.now();
    let reported = t0;
    const counts = await sendImport(admin, IMPORT_CLINIC, importId, rows, (done) => {
      if (Date.now() - reported < 15_000) return;
      reported = Date.now();
      log(`import: ${done} of ${opts.rows} rows answered after ${Math.round((Date.now() - t0) / 1000)} s (${seen.size} events consumed)`);
    });
    const importS = (Date.now() - t0) / 1000;
    log(`import: ${opts.rows} rows answered in ${importS.toFixed(1)} s (${counts.applied} applied, ${counts.failed} failed); waiting for the events`);
    const complete = await until(() => seen.size >= counts.applied, Math.max(0, t0 + opts.waitMs - Date.now()), 200);
    const eventsS = ((complete ? lastEventAt : Date.now()) - t0) / 1000;
    const template = await db.collection('access').findOne({ _id: `${IMPORT_CLINIC}|${rows[1]!.personalIdentityNumber}` } as Document);
    if (!template) throw new Error('import: no access document for an imported row: update bench/import.ts');
    peakRssMb = (await service.kill()).peakRssMb;

    log(`import: raw driver, ${opts.rows} access documents inserted with their events, ${RAW_CONCURRENCY} at a time, at most ${opts.rawMaxMs / 1000} s`);
    const raw = await rawImport(rawDb.collection('access'), template, opts.rows, opts.rawMaxMs);
    const notes: string[] = [];
    if (counts.failed > 0) notes.push(`${counts.failed} rows failed, first: line ${counts.failures[0]?.line} ${counts.failures[0]?.violations[0]?.reason ?? ''}`);
    if (!complete) notes.push(`${counts.applied - seen.size} of ${counts.applied} IMPORTED events not consumed within ${Math.round(eventsS)} s`);
    if (raw.done < opts.rows) notes.push(`the raw baseline inserted ${raw.done} of ${opts.rows} within its bound of ${opts.rawMaxMs / 1000} s`);
    return {
      rows: opts.rows,
      importS: round1(importS),
      importPerS: round1(opts.rows / Math.max(0.001, importS)),
      applied: counts.applied,
      failed: counts.failed,
      eventsConsumed: seen.size,
      eventsS: round1(eventsS),
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

/** The least an import must write, by the driver alone: per row one insert of the document with its event. */
async function rawImport(access: Collection<Document>, template: Document, rows: number, maxMs: number): Promise<{ seconds: number; done: number }> {
  const started = Date.now();
  let next = 0;
  let done = 0;
  const insertOne = async (i: number) => {
    const now = new Date();
    const resident = residentNumber(i, IMPORT_BLOCK);
    const requestId = `raw:${i}`;
    const state = { clinicId: IMPORT_CLINIC, resident, approval: { actor: ACTOR, at: now, requestId }, grants: template.grants as unknown[], version: 1 };
    const event = {
      eventId: randomUUID(),
      cause: 'IMPORTED',
      access: state,
      before: { ...state, approval: null, grants: [], version: 0 },
      version: 1,
      actor: ACTOR,
      requestId,
      occurredAt: now,
    };
    await access.insertOne({
      ...template,
      _id: `${IMPORT_CLINIC}|${resident}`,
      ...state,
      revision: 1,
      outbox: [event],
      outboxPending: true,
      outboxSince: now,
      recentRequests: [{ requestId, fingerprint: 'raw', changed: true, version: 1 }],
      relayLease: null,
      updatedAt: now,
    } as Document);
    done++;
  };
  await Promise.all(
    Array.from({ length: RAW_CONCURRENCY }, async () => {
      while (next < rows && Date.now() - started <= maxMs) await insertOne(next++);
    }),
  );
  return { seconds: (Date.now() - started) / 1000, done };
}

if (require.main === module)
  runAlone(
    'bench/import.ts',
    (o) => measureImport({ ...o, rows: o.count }),
    (r) => ({ import_vs_raw: ratio(r.importPerS, r.rawPerS) }),
  );
