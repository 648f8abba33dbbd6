/**
 * `npm run bench -- --read-cost`: what each part of an e-service read costs the service's CPU, in
 * microseconds per call. The service (compiled, in its own process, as in the bench) is profiled
 * by V8 (100 µs sampling) only while CheckEntitlement, then ListEntitlements, run at 8 in flight
 * over the reads step's residents; each sample goes to the part of the service whose code is
 * innermost on its stack (a socket write under the database driver counts as the driver's). V8
 * samples on a timer, so on a loaded machine a sample may fall while the process waits for a core:
 * the shares hold, the absolute microseconds are an upper bound. See docs/performance.md ("What a
 * read costs").
 */
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { apiOf, connectClients } from '../test/support/grpc-client';
import { signTestToken, testAuthEnv } from '../test/support/tokens';
import { databaseServer, describeServer, log, round1, servers } from './common';
import { closedLoop } from './load';
import { listEntitlementsOf, picker } from './reads-ops';
import { READS_TEMPLATE_CLINIC, seedReads } from './reads-seed';
import { writeResults } from './report';
import { benchServiceEnv, buildService, startServiceProcess } from './service-process';

const READS = { residents: 1000, clinics: 20 };
const STEP = { concurrency: 8, durationMs: 10_000 };

/** The parts, tried in order on each frame's script: the first match names the frame's part. */
const PARTS: Array<[string, RegExp]> = [
  [
    'access log (entry, pseudonym, group commit)',
    /dist\/(application\/record-reads|storage-mongo\/mongo-access-log|shared\/group-commit|config\/pseudonym-key-ring|publishing-kafka\/resident-pseudonym)/,
  ],
  ['authentication (JWT)', /dist\/auth\/|node_modules\/jose\//],
  ['rate limit', /dist\/(transport-grpc\/rate-limits|transport-grpc\/middleware\/rate-limit|shared\/(shared-)?token-buckets|shared\/gcra)/],
  ['tracing', /node_modules\/@opentelemetry\//],
  ['logging', /node_modules\/(pino|@pinojs|pino-std-serializers|sonic-boom|thread-stream)\/|dist\/observability\/(logger|personal-data-scrub)/],
  ['metrics', /node_modules\/prom-client\/|dist\/observability\/|dist\/transport-grpc\/middleware\/rpc-metrics/],
  ['entitlement rules, views, settings', /dist\/(domain|queries|views|application)\//],
  ['database driver', /node_modules\/(mongodb|bson|@mongodb-js)\/|dist\/storage-mongo\//],
  ['gRPC, protobuf, middleware', /node_modules\/(@grpc|@bufbuild|protobufjs|@protobufjs)\/|dist\/(gen|transport-grpc|shared)\//],
];
const GC = 'garbage collector';
const UNATTRIBUTED = 'Node and V8, no part of ours on the stack';

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
  hitCount?: number;
  children?: number[];
}

/** Samples per part: each node's own samples go to the innermost frame of a part on its stack. */
function samplesPerPart(profile: { nodes: ProfileNode[] }): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map<number, string | null>();
  const part = (id: number): string | null => {
    if (partOf.has(id)) return partOf.get(id)!;
    const node = byId.get(id)!;
    const own = PARTS.find(([, pattern]) => pattern.test(node.callFrame.url))?.[0] ?? null;
    const up = parent.get(id);
    const found = own ?? (up === undefined ? null : part(up));
    partOf.set(id, found);
    return found;
  };
  const totals = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || node.callFrame.functionName === '(idle)') continue;
    const name = node.callFrame.functionName === '(garbage collector)' ? GC : (part(node.id) ?? UNATTRIBUTED);
    totals.set(name, (totals.get(name) ?? 0) + hits);
  }
  return totals;
}

async function profiledStep(name: string, op: (i: number) => Promise<unknown>, service: Awaited<ReturnType<typeof startServiceProcess>>, dir: string) {
  await closedLoop(op, { ...STEP, durationMs: 2000 }); // warm-up: compiled code, caches, connections
  await service.profileStart();
  const load = await closedLoop(op, STEP);
  const file = await service.profileStop(path.join(dir, `read-cost-${name}.cpuprofile`));
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };
  const sampleUs = (profile.endTime - profile.startTime) / profile.samples.length;
  const perCall = (samples: number) => round1((samples * sampleUs) / Math.max(1, load.ops));
  const parts = [...samplesPerPart(profile)].sort((a, b) => b[1] - a[1]).map(([part, samples]) => ({ part, us_per_call: perCall(samples) }));
  const cpuUsPerCall = round1(parts.reduce((a, p) => a + p.us_per_call, 0));
  log(`read cost: ${name}: ${load.opsPerS} calls/s at ${STEP.concurrency} in flight, ${cpuUsPerCall} µs of the service's CPU per call`);
  return { rpc: name, calls: load.ops, calls_per_s: load.opsPerS, p99_ms: load.p99Ms, errors: load.errors, cpu_us_per_call: cpuUsPerCall, parts };
}

export async function readCost(): Promise<void> {
  const { mongoUri } = await servers();
  const mongo = await new MongoClient(mongoUri).connect();
  const env = benchServiceEnv(await testAuthEnv());
  const db = mongo.db(env.MONGODB_DATABASE);
  try {
    log(`database server: ${describeServer(await databaseServer(mongo))}`);
    log(`built dist/ in ${(await buildService()).toFixed(1)} s`);
    const service = await startServiceProcess(env);
    const clients = connectClients(service.port);
    try {
      const admin = apiOf(clients, await signTestToken({ sub: 'bench-admin', clinics: [READS_TEMPLATE_CLINIC], roles: ['staff', 'admin'], expiresIn: '1h' }));
      const eservice = apiOf(clients, await signTestToken({ sub: 'bench-eservice', scope: 'resident-access:entitlements', expiresIn: '1h' }));
      await seedReads({ db, admin, eservice, ...READS });
      const pick = picker(READS.residents, READS.clinics);
      const dir = path.join(__dirname, 'results', 'profiles');
      fs.mkdirSync(dir, { recursive: true });
      const check = (i: number) => eservice.checkEntitlement({ personalIdentityNumber: pick(i).resident, clinicId: pick(i).clinicId, caseTypeId: pick(i).caseTypeId, consistencyToken: '' });
      const steps = [
        await profiledStep('CheckEntitlement', check, service, dir),
        await profiledStep('ListEntitlements', listEntitlementsOf(eservice, READS.residents, READS.clinics), service, dir),
      ];
      const file = writeResults({ service_node: service.node, residents: READS.residents, clinics: READS.clinics, concurrency: STEP.concurrency, steps }, 'read-cost.json');
      const rows = PARTS.map(([part]) => part).concat(GC, UNATTRIBUTED);
      const cell = (step: (typeof steps)[number], part: string) => {
        const us = step.parts.find((p) => p.part === part)?.us_per_call ?? 0;
        return `${us} (${Math.round((100 * us) / Math.max(0.1, step.cpu_us_per_call))} %)`;
      };
      process.stdout.write(
        [
          `| part (µs of the service's CPU per call, node ${service.node}) | ${steps.map((s) => s.rpc).join(' | ')} |`,
          `|---|${steps.map(() => '---').join('|')}|`,
          ...rows.map((part) => `| ${part} | ${steps.map((s) => cell(s, part)).join(' | ')} |`),
          `| **total** | ${steps.map((s) => `**${s.cpu_us_per_call}**`).join(' | ')} |`,
          `| calls/s at ${STEP.concurrency} in flight (p99 ms) | ${steps.map((s) => `${s.calls_per_s} (${s.p99_ms})`).join(' | ')} |`,
          '',
        ].join('\n'),
      );
      log(`wrote ${path.relative(process.cwd(), file)}`);
    } finally {
      clients.close();
      await service.kill();
    }
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
  }
}
