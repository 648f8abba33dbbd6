/**
 * `npm run bench` (`-- --quick` for the short developer run): the service against its raw limits,
 * measured in one run on this machine; `-- --peer spicedb` also measures SpiceDB's reads beside the
 * service's (bench/peer-spicedb/compare.ts). See docs/performance.md. This file only orders the steps;
 * each step is its own file under bench/. The npm script runs `npm run generate` first: the
 * imports below reach src/gen (generated from proto/, not in git), so `tsx bench/run.ts` alone
 * fails on a fresh clone.
 */
import { MongoClient, type Db } from 'mongodb';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { apiOf, connectClients, type Clients } from '../test/support/grpc-client';
import { signTestToken, testAuthEnv } from '../test/support/tokens';
import { aClinicId } from '../test/builders/identity';
import { measureAt, openRawStorage, readServiceApproval, startGrpcFloor } from './baselines';
import { abortCleanUp, best, cleanUpOnAbort, databaseServer, describeServer, log, ratio, residentNumber, round1, servers } from './common';
import { ENTITLEMENTS_GROWTH_CONCURRENCY, measureEntitlementsGrowth, type EntitlementsGrowth } from './entitlements-growth';
import { measureEventLag, type EventLag } from './event-lag';
import { deleteTopics, startEventConsumer } from './events';
import { measureExpiryBurst } from './expiry-burst';
import { closedLoop, type LoadResult } from './load';
import { measureBulkRemoval } from './bulk-removal';
import { measureImport } from './import';
import { measurePeerSpicedb, preparePeerSpicedb, type PeerComparison } from './peer-spicedb/compare';
import { peerLines, peerReport, peerRuns } from './peer-spicedb/report';
import { relayBacklog, relayKeepingUp, watchRelay } from './relay-rate';
import { soak } from './soak';
import { readCost } from './read-cost';
import { measureReads } from './reads';
import { READS_TEMPLATE_CLINIC, seedReads } from './reads-seed';
import { machine, table, TARGETS, writeResults, type Figures } from './report';
import { benchServiceEnv, buildService, imageNodeOptions, startServiceProcess, topicsOf, type ServiceProcess } from './service-process';
import { measureViewStaleness, stalenessClinics, type ViewStaleness } from './view-staleness';
import { GENERAL_CASE_TYPE, RESTRICTED_CASE_TYPE, WRITES_TEMPLATE_BLOCK, writeOps } from './writes';

const quick = process.argv.includes('--quick');
/** `--soak MINUTES`: the soak (bench/soak.ts) instead of the measured steps. */
const soakMinutes = process.argv.includes('--soak') ? Number(process.argv[process.argv.indexOf('--soak') + 1]) : null;
/** `--read-cost`: the CPU each part of a read costs (bench/read-cost.ts) instead of the measured steps. */
const readCostOnly = process.argv.includes('--read-cost');
const DURATION_MS = quick ? 2500 : 15000;
const WARMUP_MS = quick ? 500 : 3000;
const CONCURRENCIES = quick ? [1, 8, 32] : [1, 8, 32, 128];
const LAG_DURATION_MS = quick ? 5000 : 20000;
/** `--peer spicedb`: the peer's reads beside the service's after the other steps; null without the option. */
const PEER = peerOption(process.argv);
/** What the peer step adds to the run's bound (SpiceDB is built, if need be, before the bound starts). */
const PEER_MS = quick ? 150_000 : 900_000;
/** How long the relay may take to drain what the reads' seeding left, and to deliver the lag run's events. */
const DRAIN_MS = quick ? 5_000 : 30_000;
const LAG_WAIT_MS = quick ? 10_000 : 30_000;
const READS = quick ? { residents: 1000, clinics: 20 } : { residents: 10_000, clinics: 200 };
const READS_CONCURRENCY = 32;
/** entitlements_p99_growth: ListEntitlements at 8 in flight over this many times the residents, against 1×. */
const GROWTH_FACTOR = 10;
/** The growth step (seeding 9× the residents, measuring, removing them) runs only with this much of the run's bound left. */
const GROWTH_MIN_LEFT_MS = quick ? 40_000 : 600_000;
/** View staleness: approve → first allowed check, sampled by a few workers, bounded in time. */
const STALENESS = { samples: quick ? 300 : 500, concurrency: 4, maxMs: quick ? 10_000 : 60_000, sampleMaxMs: 2_000 };
const EXPIRY_GRANTS = quick ? 200 : 10_000;
/** Approved residents of one clinic removed by one RemoveApprovals(all_residents). */
const BULK_RESIDENTS = quick ? 10_000 : 100_000;
/** How long the bulk removal waits for its events, counted from the RemoveApprovals call. */
const BULK_WAIT_MS = quick ? 60_000 : 2_400_000;
/** Rows of one clinic imported by ImportAccesses in batches (as `resident-access import` sends them). */
const IMPORT_ROWS = quick ? 5_000 : 100_000;
/** How long the import step waits for its events (reported beside its figure, not in it), counted from the first batch. */
const IMPORT_WAIT_MS = quick ? 20_000 : 1_800_000;
/** What the import step adds to the run's bound: its rows, their events, the raw baseline. */
const IMPORT_BOUND_MS = quick ? 50_000 : 2_400_000;
/** Bounds the whole run: a hung server must not hang the bench. Room for both waits above and below. */
const RUN_TIMEOUT_MS = (quick ? 265_000 : 7_200_000) + IMPORT_BOUND_MS + (PEER ? PEER_MS : 0);
/** How long the expiry burst waits for its events, counted from the start of its phase. */
const EXPIRY_WAIT_MS = quick ? 40_000 : 2_400_000;
/** Room left after the event lag's wait within the run's bound: stopping, dropping, the report. */
const LAG_RESERVE_MS = 8_000;

function peerOption(argv: string[]): 'spicedb' | null {
  const at = argv.indexOf('--peer');
  if (at < 0) return null;
  if (argv[at + 1] !== 'spicedb') {
    process.stderr.write(`--peer: unknown peer ${JSON.stringify(argv[at + 1] ?? '')} (known: spicedb)\n`);
    process.exit(2);
  }
  return 'spicedb';
}

/** Error messages go to stdout: never with a personal identity number in them. */
const redact = (message: string | null) => message?.replace(/\d{6}[-+]?\d{4}|\d{12}/g, '<number>') ?? null;

interface Phase {
  service: ServiceProcess;
  clients: Clients;
  db: Db;
  peakRssMb: number | null;
  /** Drops the phase's database (and its raw copy) and deletes its topics. */
  dropAll(): Promise<unknown>;
}

/** A service process of its own (own database and topics) for one phase of the run. */
async function startPhase(env: Record<string, string>, mongo: MongoClient, kafkaBrokers: string): Promise<Phase> {
  const db = mongo.db(env.MONGODB_DATABASE);
  const dropAll = () => Promise.allSettled([db.dropDatabase(), mongo.db(`${env.MONGODB_DATABASE}_raw`).dropDatabase(), deleteTopics(kafkaBrokers, topicsOf(env))]);
  const registered = cleanUpOnAbort(dropAll);
  const service = await startServiceProcess(env);
  return { service, clients: connectClients(service.port), db, peakRssMb: null, dropAll: () => dropAll().finally(registered) };
}

async function endPhase(phase: Phase): Promise<void> {
  phase.clients.close();
  if (phase.peakRssMb === null) phase.peakRssMb = (await phase.service.kill()).peakRssMb;
  await phase.dropAll();
}

async function main(): Promise<void> {
  const runStarted = Date.now();
  let benchPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => (benchPeak = Math.max(benchPeak, process.memoryUsage().rss)), 100);
  const startedAt = new Date();
  const { mongoUri, kafkaBrokers } = await servers();
  const authEnv = await testAuthEnv();
  const mongo = await new MongoClient(mongoUri).connect();
  const run = Date.now().toString(36);
  try {
    log(`database server: ${describeServer(await databaseServer(mongo))}`);
    // The service runs compiled, as in the image: built once, from what src/ holds now.
    log('building the service (npm run build)');
    log(`built dist/ in ${(await buildService()).toFixed(1)} s`);

    // ---- Phase 1: writes (own service process and database) ----------------------------------
    const writesEnv = benchServiceEnv(authEnv);
    // The bench's consumer of the phase's events: how fast the relay publishes (bench/relay-rate.ts).
    const relayWatch = await watchRelay(kafkaBrokers, writesEnv.KAFKA_ACCESS_TOPIC!);
    const writesPhase = await startPhase(writesEnv, mongo, kafkaBrokers);
    let writesResults;
    try {
      const clinicId = aClinicId();
      const admin = apiOf(writesPhase.clients, await signTestToken({ sub: 'bench-admin', clinics: [clinicId], roles: ['staff', 'admin'], expiresIn: '2h' }));
      for (const caseType of [GENERAL_CASE_TYPE, RESTRICTED_CASE_TYPE]) {
        await admin.putCaseType({ clinicId, caseType: { ...caseType }, requestId: randomUUID(), etag: '' });
      }
      const staffToken = await signTestToken({ sub: 'bench-staff', clinics: [clinicId], roles: ['staff'], expiresIn: '2h' });
      const writes = writeOps(apiOf(writesPhase.clients, staffToken), clinicId, run);

      // 1. gRPC floor: an empty handler, same request size and authorization header.
      const floor = await startGrpcFloor({ requestBytes: 64, authorization: `Bearer ${staffToken}` });
      log('gRPC floor: 32 in flight');
      const floorResult = await closedLoop((i) => floor.call(i), { concurrency: 32, durationMs: DURATION_MS, warmupMs: WARMUP_MS }).finally(() => floor.close());

      // 2. Raw storage limit (the driver alone, one approval's operations) and the service's writes
      // (ApproveResident, GrantCaseType, each of a new resident per call), interleaved per
      // concurrency: on this shared machine the load of others moves within seconds, so each
      // figure is measured right beside its baseline. The service's relay backlog (it publishes
      // slower than either RPC writes) competes with all three alike.
      const clinicDoc = await writesPhase.db.collection('clinics').findOne({ _id: clinicId } as never);
      if (!clinicDoc) throw new Error('the clinic document was not stored');
      // One approval through the API: the raw baseline checks that it stores documents like these.
      const template = { clinicId, resident: residentNumber(0, WRITES_TEMPLATE_BLOCK), caller: 'bench-staff', requestId: randomUUID() };
      await apiOf(writesPhase.clients, staffToken).approveResident({ clinicId, personalIdentityNumber: template.resident, requestId: template.requestId, etag: '' });
      const service = await readServiceApproval(writesPhase.db, template);
      const raw = await openRawStorage({ mongoUri, database: `${writesEnv.MONGODB_DATABASE}_raw`, clinic: clinicDoc, service });
      const rawResults: LoadResult[] = [];
      const approveResults: LoadResult[] = [];
      const grantResults: LoadResult[] = [];
      try {
        log(`raw storage, ApproveResident and GrantCaseType in turn: ${CONCURRENCIES.join(', ')} in flight, ${DURATION_MS / 1000} s each`);
        for (const concurrency of CONCURRENCIES) {
          rawResults.push(...(await measureAt((i) => raw.approval(i), [concurrency], DURATION_MS, WARMUP_MS)));
          approveResults.push(...(await measureAt(writes.approve, [concurrency], DURATION_MS, WARMUP_MS)));
          grantResults.push(...(await measureAt(writes.grant, [concurrency], DURATION_MS, WARMUP_MS)));
        }
      } finally {
        await raw.close();
      }
      const backlog = await relayBacklog(writesPhase.db, relayWatch);
      const keepingUp = await relayKeepingUp(relayWatch, best(approveResults));
      // Where the service's memory is when the write load ends (V8's spaces, anonymous and file-backed RSS).
      const memoryAtEnd = await writesPhase.service.memory();
      writesResults = { rawResults, floorResult, approveResults, grantResults, backlog, keepingUp, memoryAtEnd };
    } finally {
      await relayWatch.stop().catch(() => undefined);
      await endPhase(writesPhase);
    }
    const { rawResults, floorResult, approveResults, grantResults } = writesResults;
    const bestRaw = best(rawResults);
    const bestApprove = best(approveResults);
    const bestGrant = best(grantResults);

    // ---- Phase 2: expiry burst (own service process and database) ----------------------------
    // Before the reads: its wait is the one that must not be cut short by the run's time bound.
    log(`expiry burst: ${EXPIRY_GRANTS} grants (events awaited at most ${EXPIRY_WAIT_MS / 1000} s from now)`);
    const expiry = await measureExpiryBurst({
      mongoUri,
      kafkaBrokers,
      authEnv,
      grants: EXPIRY_GRANTS,
      waitUntil: Date.now() + EXPIRY_WAIT_MS,
      rawMaxMs: quick ? 12_000 : 300_000,
    });

    // ---- Phase 3: bulk removal (own service process and database) ----------------------------
    log(`bulk removal: ${BULK_RESIDENTS} approved residents (events awaited at most ${BULK_WAIT_MS / 1000} s from the call)`);
    const bulk = await measureBulkRemoval({
      mongoUri,
      kafkaBrokers,
      authEnv,
      residents: BULK_RESIDENTS,
      waitMs: BULK_WAIT_MS,
      rawMaxMs: quick ? 12_000 : 300_000,
    });

    // ---- Phase 3b: import (own service process and database) ---------------------------------
    log(`import: ${IMPORT_ROWS} rows through ImportAccesses (events awaited at most ${IMPORT_WAIT_MS / 1000} s from the first batch)`);
    const imported = await measureImport({
      mongoUri,
      kafkaBrokers,
      authEnv,
      rows: IMPORT_ROWS,
      waitMs: IMPORT_WAIT_MS,
      rawMaxMs: quick ? 12_000 : 300_000,
    });

    // ---- Phase 4: reads, then event lag (own service process and database) --------------------
    const readsEnv = benchServiceEnv(authEnv);
    const seen = new Map<string, number>();
    const lagConsumer = await startEventConsumer(kafkaBrokers, readsEnv.KAFKA_ACCESS_TOPIC!, (value, at) => {
      if (value.requestId && !seen.has(value.requestId)) seen.set(value.requestId, at);
    });
    const readsPhase = await startPhase(readsEnv, mongo, kafkaBrokers);
    let readsResults;
    try {
      // 4. Reads for the resident e-service.
      const admin = apiOf(readsPhase.clients, await signTestToken({ sub: 'bench-admin', clinics: [READS_TEMPLATE_CLINIC], roles: ['staff', 'admin'], expiresIn: '2h' }));
      const eservice = apiOf(readsPhase.clients, await signTestToken({ sub: 'bench-eservice', scope: 'resident-access:entitlements', expiresIn: '2h' }));
      log(`reads: seeding ${READS.residents} residents over ${READS.clinics} clinics`);
      const seeded = await seedReads({ db: readsPhase.db, admin, eservice, ...READS });
      log(
        `reads: ${seeded.accessDocuments} access and ${seeded.viewDocuments} view documents seeded in ${seeded.seedS.toFixed(1)} s ` +
          `(cloned clinics served ${seeded.settingsServedS.toFixed(1)} s after the settings marker moved)`,
      );
      const reads = await measureReads({
        mongoUri,
        database: readsEnv.MONGODB_DATABASE!,
        eservice,
        ...READS,
        concurrency: READS_CONCURRENCY,
        durationMs: DURATION_MS,
        warmupMs: WARMUP_MS,
      });

      // ListEntitlements at 10× the residents (at 8 in flight, against the 1× run just made).
      const leftMs = () => runStarted + RUN_TIMEOUT_MS - Date.now();
      let growth: EntitlementsGrowth | null = null;
      if (leftMs() < GROWTH_MIN_LEFT_MS) {
        log('reads: growth step skipped, the run is near its time bound');
      } else {
        growth = await measureEntitlementsGrowth({
          db: readsPhase.db,
          eservice,
          templates: seeded.templates,
          ...READS,
          factor: GROWTH_FACTOR,
          durationMs: DURATION_MS,
          warmupMs: WARMUP_MS,
        });
      }

      // View staleness: approve → first CheckEntitlement (no consistency token) that sees it.
      const stalenessMaxMs = Math.min(STALENESS.maxMs, leftMs() - LAG_RESERVE_MS - LAG_DURATION_MS - DRAIN_MS - 3000);
      let staleness: ViewStaleness | null = null;
      if (stalenessMaxMs < 2000) {
        log('view staleness: skipped, the run is near its time bound');
      } else {
        const clinicIds = stalenessClinics(READS.clinics);
        log(`view staleness: up to ${STALENESS.samples} approvals at ${clinicIds.length} seeded clinics, ${STALENESS.concurrency} at a time, at most ${Math.round(stalenessMaxMs / 1000)} s`);
        const staff = apiOf(readsPhase.clients, await signTestToken({ sub: 'bench-staleness', clinics: clinicIds, roles: ['staff'], expiresIn: '2h' }));
        staleness = await measureViewStaleness({ staff, eservice, clinicIds, ...STALENESS, maxMs: stalenessMaxMs });
      }

      // 5. Event lag: approvals at one of the reads' clinics (so among the seeded documents), at a
      // fixed rate of about half the best approve throughput; RPC answer to event consumed.
      const lagRate = Math.max(1, Math.round(bestApprove.opsPerS / 2));
      const lagWaitMs = Math.min(LAG_WAIT_MS, runStarted + RUN_TIMEOUT_MS - LAG_RESERVE_MS - LAG_DURATION_MS - DRAIN_MS - Date.now());
      let lag: EventLag | null = null;
      if (lagWaitMs < 3000) {
        // On a machine this loaded the reads took the time: no lag at all rather than no report.
        log('event lag: skipped, the run is near its time bound');
      } else {
        log(`event lag: fixed rate ${lagRate}/s for ${LAG_DURATION_MS / 1000} s`);
        const lagWrites = writeOps(admin, READS_TEMPLATE_CLINIC, `${run}-lag`);
        lag = await measureEventLag({
          db: readsPhase.db,
          seen,
          consumed: () => lagConsumer.count(),
          op: lagWrites.approve,
          requestIdOf: lagWrites.requestIdOf,
          rate: lagRate,
          durationMs: LAG_DURATION_MS,
          drainMs: DRAIN_MS,
          // Within the run's time bound: the lag figures are then lower bounds, and say so.
          waitMs: lagWaitMs,
        });
      }
      const memory = await readsPhase.service.memory();
      readsResults = { seeded, reads, growth, staleness, lag, rssAtEndMb: memory.rssMb };
    } finally {
      await lagConsumer.stop().catch(() => undefined);
      await endPhase(readsPhase);
    }
    const { seeded, reads, growth, staleness, lag } = readsResults;

    // ---- Phase 5 (--peer spicedb): SpiceDB's reads beside the service's (own processes and data) --
    let peer: PeerComparison | null = null;
    let peerError: string | null = null;
    if (PEER) {
      // A failed peer must not cost the run's own figures: noted, not thrown.
      peer = await measurePeerSpicedb({ mongoUri, kafkaBrokers, authEnv, ...READS, durationMs: DURATION_MS, warmupMs: WARMUP_MS }).catch((error: unknown) => {
        peerError = redact(error instanceof Error ? error.message : String(error));
        log(`peer: failed: ${peerError}`);
        return null;
      });
    }

    clearInterval(sampler);
    const servicePeaks = { writes: writesPhase.peakRssMb, expiry: expiry.peakRssMb, bulk_removal: bulk.peakRssMb, import: imported.peakRssMb, reads: readsPhase.peakRssMb };
    const peaks = Object.values(servicePeaks).filter((p): p is number => p !== null);
    const figures: Figures = {
      raw_ops_per_s: bestRaw.opsPerS,
      service_ops_per_s: bestApprove.opsPerS,
      service_vs_raw: ratio(bestApprove.opsPerS, bestRaw.opsPerS),
      grant_ops_per_s: bestGrant.opsPerS,
      grant_vs_raw: ratio(bestGrant.opsPerS, bestRaw.opsPerS),
      grpc_floor_ops_per_s: floorResult.opsPerS,
      relay_vs_write: writesResults.keepingUp.ratio,
      relay_backlog_docs: writesResults.backlog.docs,
      check_ops_per_s: reads.check.opsPerS,
      check_vs_raw: ratio(reads.check.opsPerS, reads.rawCheck.opsPerS),
      check_p99_ms: reads.check.p99Ms,
      entitlements_ops_per_s: reads.entitlements.opsPerS,
      entitlements_vs_raw: ratio(reads.entitlements.opsPerS, reads.rawEntitlements.opsPerS),
      entitlements_p99_ms: reads.entitlements.p99Ms,
      entitlements_p99_ms_at_8: reads.entitlementsAt8.p99Ms,
      entitlements_p99_ms_at_8_10x: growth?.entitlements.p99Ms ?? null,
      entitlements_p99_growth: growth ? ratio(growth.entitlements.p99Ms, reads.entitlementsAt8.p99Ms) : null,
      raw_view_p99_ms_at_8: reads.rawAt8.p99Ms,
      access_log_entries_per_s: reads.accessLog.entriesPerS,
      raw_view_p99_growth: growth ? ratio(growth.raw.p99Ms, reads.rawAt8.p99Ms) : null,
      view_staleness_p99_ms: staleness?.p99Ms ?? null,
      event_lag_p50_ms: lag?.p50Ms ?? null,
      event_lag_p99_ms: lag?.p99Ms ?? null,
      expiry_burst_s: expiry.burstS,
      expiry_vs_raw: ratio(expiry.transitionsPerS, expiry.rawPerS),
      bulk_removal_per_s: bulk.removalsPerS,
      bulk_removal_vs_raw: ratio(bulk.removalsPerS, bulk.rawPerS),
      import_per_s: imported.importPerS,
      import_vs_raw: ratio(imported.importPerS, imported.rawPerS),
      peak_rss_mb: peaks.length > 0 ? Math.max(...peaks) : null,
      bench_process_peak_rss_mb: round1(benchPeak / 1024 / 1024),
    };
    const runs: Array<{ name: string; result: LoadResult }> = [
      ...rawResults.map((result) => ({ name: 'raw storage (approval ops)', result })),
      { name: 'gRPC floor (empty handler)', result: floorResult },
      ...approveResults.map((result) => ({ name: 'service ApproveResident', result })),
      ...grantResults.map((result) => ({ name: 'service GrantCaseType', result })),
      { name: 'raw view findOne (check)', result: reads.rawCheck },
      { name: 'service CheckEntitlement', result: reads.check },
      { name: 'raw view findOne (entitlements)', result: reads.rawEntitlements },
      { name: 'service ListEntitlements', result: reads.entitlements },
      { name: 'raw view findOne', result: reads.rawAt8 },
      { name: 'service ListEntitlements', result: reads.entitlementsAt8 },
      ...(growth
        ? [
            { name: `raw view findOne ${GROWTH_FACTOR}x`, result: growth.raw },
            { name: `service ListEntitlements ${GROWTH_FACTOR}x`, result: growth.entitlements },
          ]
        : []),
      ...(staleness ? [{ name: 'view staleness (approve->check)', result: staleness.load }] : []),
      ...(lag ? [{ name: 'service at fixed rate (lag)', result: lag.load }] : []),
      ...(peer ? peerRuns(peer) : []),
    ];
    // Which server every figure was measured on (FerretDB's version and backend, or MongoDB's
    // version); read now, since FerretDB names its backend only once it has opened a database.
    const database = await databaseServer(mongo);
    const notes: string[] = [];
    notes.push(
      `servers: ${describeServer(database)} (buildInfo version ${database.version ?? '-'}); the service on node ${writesPhase.service.node} ` +
        `with NODE_OPTIONS="${imageNodeOptions()}"; every raw write that changes a document is a conditional updateOne({_id, revision}), as the service's`,
    );
    if (quick) {
      notes.push(
        `QUICK MODE: reads over ${READS.residents} residents at ${READS.clinics} clinics (full: 10000 over 200); expiry burst of ${EXPIRY_GRANTS} grants (full: 10000); ` +
          `bulk removal of ${BULK_RESIDENTS} approvals (full: 100000); import of ${IMPORT_ROWS} rows (full: 100000)`,
      );
    }
    const { backlog, keepingUp } = writesResults;
    notes.push(
      `relay: at ApproveResident ${keepingUp.concurrency} in flight, ${keepingUp.published} events published (Kafka timestamp) in the window ` +
        `where ${keepingUp.accepted} approvals were accepted: ${keepingUp.publishedPerS} vs ${keepingUp.acceptedPerS} /s`,
      `writes: ${backlog.docs ?? '-'} of ${backlog.accessDocuments} access documents still had unpublished events when the write steps ended ` +
        `(the relay's backlog: no event on the topic by then); ${backlog.flaggedPending} were still flagged outboxPending (published or not)`,
      `reads: ${seeded.accessDocuments} access and ${seeded.viewDocuments} view documents seeded in ${seeded.seedS.toFixed(1)} s ` +
        `(cloned clinics served ${seeded.settingsServedS.toFixed(1)} s after the settings marker moved); ${READS_CONCURRENCY} in flight, ` +
        `ListEntitlements also at ${ENTITLEMENTS_GROWTH_CONCURRENCY}; raw: one view findOne by _id for either read`,
      `access log: every service read above stored its entry before it answered (group-committed): ${reads.accessLog.entries} entries for ` +
        `${reads.accessLog.calls} measured calls and their warm-ups, ${reads.accessLog.entriesPerS}/s over ${reads.accessLog.seconds.toFixed(1)} s`,
    );
    if (growth) {
      notes.push(
        `entitlements growth: ListEntitlements at ${ENTITLEMENTS_GROWTH_CONCURRENCY} in flight, p99 ${reads.entitlementsAt8.p99Ms} ms over ${READS.residents} residents, ` +
          `${growth.entitlements.p99Ms} ms over ${growth.residents} (${growth.accessDocuments} access and ${growth.viewDocuments} view documents more, ` +
          `seeded in ${growth.seedS} s, removed again in ${growth.removeS} s)`,
      );
      if (growth.note) notes.push(`entitlements growth: ${growth.note}`);
    } else {
      notes.push('entitlements growth: NOT MEASURED, skipped because the run neared its time bound (a heavily loaded machine)');
    }
    if (staleness) {
      notes.push(
        `view staleness: ${staleness.samples} approvals, p50 ${staleness.p50Ms} ms, p99 ${staleness.p99Ms} ms from the approve's answer to the first allowed check ` +
          `(no consistency token); ${staleness.seenAtFirstCheck} seen at the first check, ${staleness.checks} checks in all`,
      );
      if (staleness.note) notes.push(`view staleness: ${staleness.note}`);
    } else {
      notes.push('view staleness: NOT MEASURED, skipped because the run neared its time bound (a heavily loaded machine)');
    }
    if (!lag) notes.push('event lag: NOT MEASURED, skipped because the run neared its time bound (a heavily loaded machine)');
    if (lag?.note) notes.push(`event lag: ${lag.note}`);
    if (lag) notes.push(`event lag: ${lag.events} approvals at ${lag.rate}/s; the relay delivered ${lag.relayEventsPerS} events/s meanwhile`);
    notes.push(
      `expiry burst: ${expiry.eventsConsumed} of ${expiry.grants} GRANT_EXPIRED consumed ${expiry.burstS} s after midnight ` +
        `(${expiry.transitionsPerS}/s); the worker's writes were done after ${expiry.workerDoneS ?? '-'} s; ` +
        `raw driver ${expiry.rawPerS}/s (${expiry.rawDone} in ${expiry.rawS} s)`,
    );
    if (expiry.note) notes.push(`expiry burst: ${expiry.note}`);
    if (backlog.note) notes.push(`writes: ${backlog.note}`);
    notes.push(
      `bulk removal: ${bulk.eventsConsumed} of ${bulk.residents} APPROVAL_REMOVED consumed ${bulk.removalS} s after RemoveApprovals ` +
        `(${bulk.removalsPerS}/s); the job was DONE after ${bulk.jobDoneS ?? '-'} s (${bulk.jobRemoved} removed, ${bulk.jobUnchanged} unchanged); ` +
        `raw driver ${bulk.rawPerS}/s (${bulk.rawDone} in ${bulk.rawS} s, updateOne({_id, revision}))`,
    );
    if (bulk.note) notes.push(`bulk removal: ${bulk.note}`);
    notes.push(
      `import: ${imported.rows} rows (${imported.applied} applied, ${imported.failed} failed) answered ${imported.importS} s after the first batch ` +
        `(${imported.importPerS}/s, batches of 500 one at a time); ${imported.eventsConsumed} IMPORTED events consumed ${imported.eventsS} s after it; ` +
        `raw driver ${imported.rawPerS}/s (${imported.rawDone} in ${imported.rawS} s, insertOne of the document with its event, 16 at a time)`,
    );
    if (imported.note) notes.push(`import: ${imported.note}`);
    notes.push(
      `peak_rss_mb: the compiled service process alone (node dist/), the largest of its five runs (writes ${servicePeaks.writes ?? '-'} MB, ` +
        `expiry ${servicePeaks.expiry ?? '-'} MB, bulk removal ${servicePeaks.bulk_removal ?? '-'} MB, import ${servicePeaks.import ?? '-'} MB, reads and lag ${servicePeaks.reads ?? '-'} MB); ` +
        `bench_process_peak_rss_mb: the bench's own process`,
    );
    if (peer) notes.push(...peerLines(peer));
    if (PEER && !peer) notes.push(`peer: NOT MEASURED, the step failed: ${peerError ?? '-'}`);
    for (const { name, result } of runs) {
      if (result.errors > 0) notes.push(`${name} (${result.concurrency ?? `${result.targetRate}/s`}): ${result.errors} errors, first: ${redact(result.firstError)}`);
    }

    const report = {
      ...figures,
      mode: quick ? 'quick' : 'full',
      started_at: startedAt.toISOString(),
      finished_at: new Date().toISOString(),
      duration_s: round1((Date.now() - runStarted) / 1000),
      machine: machine(),
      service_node: writesPhase.service.node,
      database_server: {
        product: database.product,
        build_info_version: database.version,
        ferretdb_version: database.ferretdbVersion,
        ferretdb_backend: database.ferretdbBackend,
      },
      servers: { mongodb: mongoUri.replace(/\/\/[^@]*@/, '//'), kafka: kafkaBrokers },
      service_best_concurrency: bestApprove.concurrency,
      grant_best_concurrency: bestGrant.concurrency,
      raw_best_concurrency: bestRaw.concurrency,
      runs: {
        raw: rawResults,
        grpc_floor: floorResult,
        service_approve: approveResults,
        service_grant: grantResults,
        raw_check: reads.rawCheck,
        service_check: reads.check,
        raw_entitlements: reads.rawEntitlements,
        service_entitlements: reads.entitlements,
        service_entitlements_at_8: reads.entitlementsAt8,
        service_entitlements_at_8_10x: growth?.entitlements ?? null,
        raw_view_at_8: reads.rawAt8,
        raw_view_at_8_10x: growth?.raw ?? null,
        view_staleness: staleness?.load ?? null,
        event_lag_load: lag?.load ?? null,
      },
      relay: { keeping_up: keepingUp, backlog },
      reads: {
        residents: READS.residents,
        clinics: READS.clinics,
        access_documents: seeded.accessDocuments,
        view_documents: seeded.viewDocuments,
        seed_s: seeded.seedS,
        settings_served_s: seeded.settingsServedS,
        concurrency: READS_CONCURRENCY,
        growth_concurrency: ENTITLEMENTS_GROWTH_CONCURRENCY,
      },
      entitlements_growth: growth
        ? {
            factor: GROWTH_FACTOR,
            residents: growth.residents,
            extra_access_documents: growth.accessDocuments,
            extra_view_documents: growth.viewDocuments,
            seed_s: growth.seedS,
            remove_s: growth.removeS,
            note: growth.note,
          }
        : null,
      view_staleness: staleness
        ? { samples: staleness.samples, checks: staleness.checks, seen_at_first_check: staleness.seenAtFirstCheck, not_seen: staleness.notSeen, note: staleness.note }
        : null,
      event_lag: lag ? { rate_per_s: lag.rate, events: lag.events, missing: lag.missing, relay_events_per_s: lag.relayEventsPerS, note: lag.note } : null,
      expiry_burst: { ...expiry, peakRssMb: undefined },
      bulk_removal: { ...bulk, peakRssMb: undefined },
      import: { ...imported, peakRssMb: undefined },
      service_memory: { ...servicePeaks, writes_at_end: writesResults.memoryAtEnd, reads_rss_at_end_mb: readsResults.rssAtEndMb },
      targets: TARGETS,
      peer: peer ? peerReport(peer) : PEER ? { name: PEER, error: peerError } : null,
      notes,
    };
    const file = writeResults(report);
    const m = report.machine;
    process.stdout.write(
      table({
        title:
          `resident-access bench (${report.mode}) on ${m.cpu_count} × ${m.cpu_model}, ${m.total_memory_mb} MB, ${m.os}; ` +
          `service on node ${report.service_node} (bench ${m.node}), ${describeServer(database)}`,
        runs,
        figures,
        notes,
      }),
    );
    log(`wrote ${path.relative(process.cwd(), file)} after ${report.duration_s} s`);
  } finally {
    clearInterval(sampler);
    await mongo.close();
  }
}

/**
 * The run's bound starts once the peer's programs are there: building SpiceDB the first time is not
 * measured. The soak's bound is its minutes, plus room for seeding, its capacity step and the report.
 */
async function boundedMain(): Promise<void> {
  if (PEER && soakMinutes === null && !readCostOnly) await preparePeerSpicedb();
  const runTimeoutMs = soakMinutes === null ? RUN_TIMEOUT_MS : soakMinutes * 60_000 + 900_000;
  const timeout = setTimeout(() => {
    log(`run exceeded ${runTimeoutMs / 1000} s; giving up (dropping this run's databases and topics first)`);
    void abortCleanUp(4000).finally(() => process.exit(2));
  }, runTimeoutMs);
  timeout.unref();
  // Stopped by hand: drop what the time bound would drop (once; a second signal ends it at once).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: dropping this run's databases and topics, then exiting`);
      void abortCleanUp(4000).finally(() => process.exit(130));
    });
  }
  await (soakMinutes !== null ? soak(soakMinutes) : readCostOnly ? readCost() : main());
}

boundedMain().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${redact(error instanceof Error ? (error.stack ?? error.message) : String(error))}`);
    process.exit(1);
  },
);
