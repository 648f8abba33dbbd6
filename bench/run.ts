/**
 * `npm run bench` (`-- --quick` for the short developer run): the service against its raw limits,
 * measured in one run on this machine. See docs/performance.md.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config/config';
import { personalIdentityNumberFor } from '../src/domain/identity/personal-identity-number.arbitrary';
import { startService } from '../src/main';
import { aClinicId } from '../test/builders/identity';
import { apiOf, connectClients } from '../test/support/grpc-client';
import { serviceEnv, uniqueName } from '../test/support/test-env';
import { signTestToken, testAuthEnv } from '../test/support/tokens';
import { measureAt, openRawStorage, startGrpcFloor } from './baselines';
import { closedLoop, fixedRate, newHistogram, type LoadResult } from './load';

const quick = process.argv.includes('--quick');
const DURATION_MS = quick ? 4000 : 15000;
const WARMUP_MS = quick ? 1000 : 3000;
const CONCURRENCIES = quick ? [1, 8, 32] : [1, 8, 32, 128];
const LAG_DURATION_MS = quick ? 6000 : 20000;
/** How long the relay may take to drain the closed-loop backlog, and to deliver the lag run's events. */
const DRAIN_MS = quick ? 20_000 : 60_000;
const LAG_WAIT_MS = quick ? 15_000 : 30_000;
/** Bounds the whole run: a hung server must not hang the bench. */
const RUN_TIMEOUT_MS = quick ? 170_000 : 900_000;

const TARGETS = {
  service_vs_raw: { min: 0.5 },
  check_vs_raw: { min: 0.5 },
  entitlements_p99_ms: { max: 20 },
  event_lag_p99_ms: { max: 50 },
  expiry_vs_raw: { min: 0.5 },
  peak_rss_mb: { max: 200 },
} as const;

type Figures = Record<
  | 'raw_ops_per_s'
  | 'service_ops_per_s'
  | 'service_vs_raw'
  | 'grpc_floor_ops_per_s'
  | 'check_ops_per_s'
  | 'check_vs_raw'
  | 'entitlements_p99_ms'
  | 'event_lag_p50_ms'
  | 'event_lag_p99_ms'
  | 'expiry_burst_s'
  | 'expiry_vs_raw'
  | 'peak_rss_mb',
  number | null
>;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** The stack scripts are ES modules; a real dynamic import loads them. */
const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

async function servers(): Promise<{ mongoUri: string; kafkaBrokers: string }> {
  if (process.env.MONGODB_URI && process.env.KAFKA_BROKERS) {
    return { mongoUri: process.env.MONGODB_URI, kafkaBrokers: process.env.KAFKA_BROKERS };
  }
  const stack = (await nativeImport(pathToFileURL(path.join(__dirname, '..', 'scripts', 'stack', 'index.mjs')).href)) as {
    up(opts: { log?: (m: string) => void }): Promise<{ mongoUri: string; kafkaBrokers: string; started: string[] }>;
  };
  const up = await stack.up({ log: (m) => log(`stack: ${m}`) });
  if (up.started.length > 0) log(`started ${up.started.join(', ')} (left running; \`npm run stack -- down\` stops them)`);
  return up;
}

/** Unique, valid personal identity numbers: a birth date per 999 serials, from 1940 on. */
function residentNumber(i: number): string {
  const day = new Date(Date.UTC(1940, 0, 1) + Math.floor(i / 999) * 86_400_000);
  return personalIdentityNumberFor(day.toISOString().slice(0, 10), (i % 999) + 1);
}

/** Samples this process's resident set every 100 ms (service, clients and bench share it). */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  timer.unref();
  return { peakMb: () => Math.round((Math.max(peak, process.memoryUsage().rss) / 1024 / 1024) * 10) / 10, stop: () => clearInterval(timer) };
}

/** The bench's own consumer of the access topic: when each request id's event arrived. */
async function startLagConsumer(brokers: string, topic: string): Promise<{ seen: Map<string, number>; stop(): Promise<void> }> {
  const kafka = new Kafka({ clientId: 'bench-consumer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true }).catch(() => false);
  await admin.disconnect();
  const seen = new Map<string, number>();
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('bench-group'), sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const at = Date.now();
      try {
        const value = JSON.parse(message.value?.toString() ?? 'null') as { requestId?: string } | null;
        if (value?.requestId && !seen.has(value.requestId)) seen.set(value.requestId, at);
      } catch {
        // not an access event
      }
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

const best = (results: LoadResult[]) => results.reduce((a, b) => (b.opsPerS > a.opsPerS ? b : a));
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100);

async function main(): Promise<void> {
  const rss = rssSampler();
  const startedAt = new Date();
  const { mongoUri, kafkaBrokers } = await servers();
  process.env.TEST_MONGODB_URI = mongoUri;
  process.env.TEST_KAFKA_BROKERS = kafkaBrokers;
  const env = serviceEnv({ ...(await testAuthEnv()), MONGODB_DATABASE: uniqueName('bench').replace(/-/g, '_'), LOG_LEVEL: 'info' });
  delete env.RELAY_POLL_INTERVAL_MS; // the service's own default, not the tests' faster poll
  delete env.HEALTH_CHECK_INTERVAL_MS;

  const lag = await startLagConsumer(kafkaBrokers, env.KAFKA_ACCESS_TOPIC!);
  // Logs are formatted as in production but not written: the table owns stdout.
  const service = await startService(loadConfig(env), { logDestination: { write: () => undefined } });
  const clients = connectClients(service.port);
  const mongo = await new MongoClient(mongoUri).connect();
  const serviceDb = mongo.db(env.MONGODB_DATABASE);
  const rawDatabase = `${env.MONGODB_DATABASE}_raw`;
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const clinicId = aClinicId();
    const admin = apiOf(clients, await signTestToken({ sub: 'bench-admin', clinics: [clinicId], roles: ['staff', 'admin'] }));
    await admin.putCaseType({ clinicId, caseType: { id: 'general', name: 'General question', restricted: false }, requestId: randomUUID(), etag: '' });
    const staffToken = await signTestToken({ sub: 'bench-staff', clinics: [clinicId], roles: ['staff'], expiresIn: '2h' });
    const staff = apiOf(clients, staffToken);
    const run = Date.now().toString(36);
    const approve = (i: number) => staff.approveResident({ clinicId, personalIdentityNumber: residentNumber(i), requestId: `${run}-${i}`, etag: '' });

    // 1. Raw storage limit: the driver alone, the same operations, the same concurrencies.
    const clinicDoc = await serviceDb.collection('clinics').findOne({ _id: clinicId } as never);
    if (!clinicDoc) throw new Error('the clinic document was not stored');
    const raw = await openRawStorage({ mongoUri, database: rawDatabase, clinic: clinicDoc });
    cleanups.push(() => raw.close());
    log(`raw storage: ${CONCURRENCIES.join(', ')} in flight, ${DURATION_MS / 1000} s each`);
    const rawResults = await measureAt((i) => raw.approval(i), CONCURRENCIES, DURATION_MS, WARMUP_MS);

    // 2. gRPC floor: an empty handler, same request size and authorization header.
    const floor = await startGrpcFloor({ requestBytes: 64, authorization: `Bearer ${staffToken}` });
    cleanups.push(() => floor.close());
    log('gRPC floor: 32 in flight');
    const floorResult = await closedLoop((i) => floor.call(i), { concurrency: 32, durationMs: DURATION_MS, warmupMs: WARMUP_MS });

    // 3. The service: ApproveResident of a new resident per call.
    log(`service ApproveResident: ${CONCURRENCIES.join(', ')} in flight`);
    const serviceResults = await measureAt(approve, CONCURRENCIES, DURATION_MS, WARMUP_MS);
    const bestService = best(serviceResults);
    const bestRaw = best(rawResults);

    // 4. Event lag: RPC answer to event consumed, at about half the best throughput, fixed rate.
    let lagP50: number | null = null;
    let lagP99: number | null = null;
    let lagNote = '';
    // Let the relay drain the closed-loop backlog first, or the lag measures that backlog.
    const relayFrom = { at: Date.now(), seen: lag.seen.size };
    const drained = await drainOutbox(serviceDb, DRAIN_MS);
    if (!drained) lagNote = `outbox (closed-loop backlog) not drained after ${DRAIN_MS / 1000} s; `;
    const lagRate = Math.max(1, Math.round(bestService.opsPerS / 2));
    log(`event lag: fixed rate ${lagRate}/s for ${LAG_DURATION_MS / 1000} s`);
    const answered = new Map<string, number>();
    const lagLoad = await fixedRate(approve, {
      rate: lagRate,
      durationMs: LAG_DURATION_MS,
      maxInFlight: 128,
      onDone: (i, at) => answered.set(`${run}-${i}`, at),
    });
    const complete = await until(() => [...answered.keys()].every((id) => lag.seen.has(id)), LAG_WAIT_MS);
    // An event not consumed by now counts with the time waited so far: the figures are then lower
    // bounds, never flattered by leaving the slowest events out.
    const lagHist = newHistogram();
    let missing = 0;
    const waitedUntil = Date.now();
    for (const [id, at] of answered) {
      const consumed = lag.seen.get(id);
      if (consumed === undefined) missing++;
      lagHist.recordValue(Math.max(1, ((consumed ?? waitedUntil) - at) * 1000));
    }
    const relayEventsPerS = Math.round(((lag.seen.size - relayFrom.seen) / ((Date.now() - relayFrom.at) / 1000)) * 10) / 10;
    if (lagHist.totalCount > 0) {
      lagP50 = lagHist.getValueAtPercentile(50) / 1000;
      lagP99 = lagHist.getValueAtPercentile(99) / 1000;
    }
    if (!complete) lagNote += `${missing} of ${answered.size} events not consumed within ${LAG_WAIT_MS / 1000} s: lag figures are lower bounds; `;

    const figures: Figures = {
      raw_ops_per_s: bestRaw.opsPerS,
      service_ops_per_s: bestService.opsPerS,
      service_vs_raw: ratio(bestService.opsPerS, bestRaw.opsPerS),
      grpc_floor_ops_per_s: floorResult.opsPerS,
      check_ops_per_s: null,
      check_vs_raw: null,
      entitlements_p99_ms: null,
      event_lag_p50_ms: lagP50,
      event_lag_p99_ms: lagP99,
      expiry_burst_s: null,
      expiry_vs_raw: null,
      peak_rss_mb: rss.peakMb(),
    };
    const cpus = os.cpus();
    const report = {
      ...figures,
      mode: quick ? 'quick' : 'full',
      started_at: startedAt.toISOString(),
      finished_at: new Date().toISOString(),
      machine: {
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        cpu_model: cpus[0]?.model ?? 'unknown',
        cpu_count: cpus.length,
        total_memory_mb: Math.round(os.totalmem() / 1024 / 1024),
        node: process.version,
      },
      servers: { mongodb: mongoUri.replace(/\/\/[^@]*@/, '//'), kafka: kafkaBrokers },
      peak_rss_note: 'whole bench process: service, gRPC clients, raw driver, Kafka consumer',
      service_best_concurrency: bestService.concurrency,
      raw_best_concurrency: bestRaw.concurrency,
      runs: { raw: rawResults, grpc_floor: floorResult, service_approve: serviceResults, event_lag_load: lagLoad },
      event_lag: { rate_per_s: lagRate, events: answered.size, missing, note: lagNote.trim() || null },
      /** Events the bench's consumer received per second while the relay drained the backlog and the lag run. */
      relay_events_per_s: relayEventsPerS,
      events_consumed_total: lag.seen.size,
      targets: TARGETS,
    };
    const dir = path.join(__dirname, 'results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(table(report, figures, rawResults, serviceResults, floorResult, lagLoad));
    if (report.event_lag.note) process.stdout.write(`event lag: ${report.event_lag.note}\n`);
    process.stdout.write(`relay delivered ${relayEventsPerS} events/s while draining (${lag.seen.size} events consumed in all)\n`);
    process.stdout.write('peak_rss_mb is the whole bench process (service, clients, raw driver, consumer)\n');
    log(`wrote ${path.relative(process.cwd(), path.join(dir, 'latest.json'))}`);
  } finally {
    rss.stop();
    clients.close();
    await service.stop().catch((e: unknown) => log(`service stop: ${String(e)}`));
    await lag.stop().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await serviceDb.dropDatabase().catch(() => undefined);
    await mongo.close();
  }
}

/** Waits until no access document has unpublished events (or the timeout). */
async function drainOutbox(db: ReturnType<MongoClient['db']>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await db.collection('access').countDocuments({ outboxPending: true });
    if (pending === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function fmt(n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined ? 'not measured yet' : n.toFixed(digits);
}

function table(
  report: { machine: { cpu_model: string; cpu_count: number; total_memory_mb: number; node: string; os: string }; mode: string },
  f: Figures,
  raw: LoadResult[],
  service: LoadResult[],
  floor: LoadResult,
  lagLoad: LoadResult,
): string {
  const lines: string[] = [];
  const m = report.machine;
  lines.push(`resident-access bench (${report.mode}) on ${m.cpu_count} × ${m.cpu_model}, ${m.total_memory_mb} MB, node ${m.node}, ${m.os}`);
  lines.push('');
  lines.push('run                          in flight    ops/s   p50 ms   p99 ms p99.9 ms  errors');
  const row = (name: string, r: LoadResult) =>
    lines.push(
      `${name.padEnd(28)} ${String(r.concurrency ?? `${r.targetRate}/s`).padStart(9)} ${r.opsPerS.toFixed(1).padStart(8)} ${r.p50Ms
        .toFixed(2)
        .padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)} ${r.p999Ms.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)}`,
    );
  for (const r of raw) row('raw storage (approval ops)', r);
  row('gRPC floor (empty handler)', floor);
  for (const r of service) row('service ApproveResident', r);
  row('service at fixed rate (lag)', lagLoad);
  lines.push('');
  lines.push('figure                       value              target      met');
  const target = (key: keyof Figures) => {
    const t = (TARGETS as Record<string, { min?: number; max?: number }>)[key];
    if (!t) return { text: '', met: '' };
    const v = f[key];
    const text = t.min !== undefined ? `>= ${t.min}` : `<= ${t.max}`;
    if (v === null) return { text, met: '-' };
    const ok = t.min !== undefined ? v >= t.min : v <= (t.max ?? Infinity);
    return { text, met: ok ? 'yes' : 'NO' };
  };
  for (const key of Object.keys(f) as (keyof Figures)[]) {
    const t = target(key);
    const digits = key.endsWith('_vs_raw') ? 2 : 1;
    lines.push(`${key.padEnd(28)} ${fmt(f[key], digits).padEnd(18)} ${t.text.padEnd(11)} ${t.met}`);
  }
  return `${lines.join('\n')}\n`;
}

const timeout = setTimeout(() => {
  log(`run exceeded ${RUN_TIMEOUT_MS / 1000} s; giving up`);
  process.exit(2);
}, RUN_TIMEOUT_MS);
timeout.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
