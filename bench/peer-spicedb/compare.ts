/**
 * The service beside SpiceDB (`npm run bench -- --peer spicedb`; not in CI): the reads' data shape
 * (bench/reads-seed.ts) in a service process and database of its own and in a SpiceDB of its own
 * (bench/peer-spicedb/server.ts, load.ts), then at each of 8 and 32 in flight, in turn so that each
 * pair runs under similar background load: CheckPermission, CheckEntitlement, LookupResources (the
 * case types the resident may use, at every clinic), ListEntitlements (everything the resident may
 * use); the same pseudo-random residents, clinics and case types (bench/reads-ops.ts picker), the
 * same duration and warm-up as the reads step, both through @grpc/grpc-js clients in this process,
 * neither with a consistency token (SpiceDB: minimize_latency).
 *
 * `npm run generate && npx tsx bench/peer-spicedb/compare.ts [--quick]` runs this step alone.
 */
import { MongoClient } from 'mongodb';
import { apiOf, connectClients, type Api } from '../../test/support/grpc-client';
import { signTestToken, testAuthEnv } from '../../test/support/tokens';
import { cleanUpOnAbort, exitWhenDone, log, round1, servers, sleep } from '../common';
import { deleteTopics } from '../events';
import { closedLoop, type LoadResult } from '../load';
import { checkEntitlementOf, listEntitlementsOf, picker, timed } from '../reads-ops';
import { READS_TEMPLATE_CLINIC, seedReads } from '../reads-seed';
import { benchServiceEnv, startServiceProcess, topicsOf } from '../service-process';
import { connectSpicedb, type SpicedbClient } from './client';
import { installSpicedb, postgresVersion } from './install';
import { loadReadsSeed } from './load';
import { CASE_TYPE, caseTypeObject, nowContext, residentObject, USE } from './model';
import { peerLines, peerReport } from './report';
import { startSpicedb } from './server';

export const PEER_CONCURRENCIES = [8, 32] as const;

/** The four reads at one concurrency. */
export interface PeerRuns {
  concurrency: number;
  peerCheck: LoadResult;
  serviceCheck: LoadResult;
  peerLookup: LoadResult;
  serviceEntitlements: LoadResult;
}

export interface PeerComparison {
  name: 'spicedb';
  version: string;
  postgresVersion: string;
  residents: number;
  clinics: number;
  relationships: number;
  loadS: number;
  seedS: number;
  at: PeerRuns[];
  peerPeakRssMb: number | null;
  servicePeakRssMb: number | null;
}

export interface PeerOptions {
  mongoUri: string;
  kafkaBrokers: string;
  authEnv: Record<string, string>;
  residents: number;
  clinics: number;
  durationMs: number;
  warmupMs: number;
}

/** SpiceDB built and PostgreSQL found (or fetched), before anything is timed. */
export async function preparePeerSpicedb(): Promise<void> {
  log(`peer: SpiceDB at ${await installSpicedb()}, PostgreSQL ${await postgresVersion()}`);
}

export async function measurePeerSpicedb(opts: PeerOptions): Promise<PeerComparison> {
  const { residents, clinics } = opts;
  log('peer: starting SpiceDB on PostgreSQL');
  const spicedb = await startSpicedb();
  try {
    const peer = await connectWhenServing(spicedb.address, spicedb.presharedKey, spicedb.logFile);
    try {
      log(`peer: SpiceDB ${spicedb.version} on PostgreSQL ${spicedb.postgresVersion} at ${spicedb.address}; loading ${residents} residents over ${clinics} clinics`);
      const loaded = await loadReadsSeed(peer, residents, clinics);
      log(`peer: ${loaded.relationships} relationships written in ${loaded.loadS.toFixed(1)} s; answers checked`);
      const service = await withSeededService(opts, (eservice) => readsBeside(peer, eservice, opts));
      return {
        name: 'spicedb',
        version: spicedb.version,
        postgresVersion: spicedb.postgresVersion,
        residents,
        clinics,
        relationships: loaded.relationships,
        loadS: round1(loaded.loadS),
        seedS: round1(service.seedS),
        at: service.result,
        peerPeakRssMb: spicedb.peakRssMb(),
        servicePeakRssMb: service.peakRssMb,
      };
    } finally {
      peer.close();
    }
  } finally {
    await spicedb.stop();
  }
}

/** The service in a process and database of its own, seeded with the reads' data, while `measure` runs. */
async function withSeededService<T>(opts: PeerOptions, measure: (eservice: Api) => Promise<T>): Promise<{ result: T; seedS: number; peakRssMb: number | null }> {
  const { residents, clinics } = opts;
  const env = benchServiceEnv(opts.authEnv);
  const mongo = await new MongoClient(opts.mongoUri).connect();
  const db = mongo.db(env.MONGODB_DATABASE);
  const dropAll = () => Promise.allSettled([db.dropDatabase(), deleteTopics(opts.kafkaBrokers, topicsOf(env))]);
  const unregister = cleanUpOnAbort(dropAll);
  let peakRssMb: number | null;
  let outcome: { result: T; seedS: number };
  try {
    const service = await startServiceProcess(env);
    const clients = connectClients(service.port);
    try {
      const admin = apiOf(clients, await signTestToken({ sub: 'bench-admin', clinics: [READS_TEMPLATE_CLINIC], roles: ['staff', 'admin'], expiresIn: '2h' }));
      const eservice = apiOf(clients, await signTestToken({ sub: 'bench-eservice', scope: 'resident-access:entitlements', expiresIn: '2h' }));
      log(`peer: seeding the service with the same ${residents} residents over ${clinics} clinics`);
      const seeded = await seedReads({ db, admin, eservice, residents, clinics });
      outcome = { result: await measure(eservice), seedS: seeded.seedS };
    } finally {
      clients.close();
      peakRssMb = (await service.kill()).peakRssMb;
    }
  } finally {
    await dropAll().finally(unregister);
    await mongo.close();
  }
  return { ...outcome, peakRssMb };
}

/** Warms both up, then the four reads at each concurrency in turn. */
async function readsBeside(peer: SpicedbClient, eservice: Api, opts: PeerOptions): Promise<PeerRuns[]> {
  const { residents, clinics, durationMs, warmupMs } = opts;
  const pick = picker(residents, clinics);
  const serviceCheck = checkEntitlementOf(eservice, residents, clinics);
  const serviceEntitlements = listEntitlementsOf(eservice, residents, clinics);
  const peerCheck = (i: number) => {
    const p = pick(i);
    return peer.checkPermission(caseTypeObject(p.clinicId, p.caseTypeId), USE, residentObject(p.resident), nowContext());
  };
  const peerLookup = (i: number) => peer.lookupResources(CASE_TYPE, USE, residentObject(pick(i).resident), nowContext());

  // Both fresh: every read through its whole path for a few seconds, not recorded (the service's
  // JIT; SpiceDB's caches and connection pools).
  const ops = [peerCheck, serviceCheck, peerLookup, serviceEntitlements];
  await closedLoop((i) => ops[i % ops.length]!(i), { concurrency: 32, durationMs: Math.max(4000, 2 * warmupMs), warmupMs: 0 });
  log(`peer: SpiceDB and the service in turn at ${PEER_CONCURRENCIES.join(' and ')} in flight, ${durationMs / 1000} s each`);
  const at: PeerRuns[] = [];
  for (const concurrency of PEER_CONCURRENCIES) {
    const run = { concurrency, durationMs, warmupMs };
    at.push({
      concurrency,
      peerCheck: await timed('SpiceDB CheckPermission', peerCheck, run),
      serviceCheck: await timed('CheckEntitlement', serviceCheck, run),
      peerLookup: await timed('SpiceDB LookupResources', peerLookup, run),
      serviceEntitlements: await timed('ListEntitlements', serviceEntitlements, run),
    });
  }
  return at;
}

/** SpiceDB listens once its datastore is ready: reflection answers from then on. */
async function connectWhenServing(address: string, presharedKey: string, logFile: string): Promise<SpicedbClient> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await connectSpicedb(address, presharedKey);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`peer: SpiceDB did not answer within 60 s (see ${logFile}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      await sleep(250);
    }
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const { mongoUri, kafkaBrokers } = await servers();
  const comparison = await measurePeerSpicedb({
    mongoUri,
    kafkaBrokers,
    authEnv: await testAuthEnv(),
    ...(quick ? { residents: 1000, clinics: 20, durationMs: 2500, warmupMs: 500 } : { residents: 10_000, clinics: 200, durationMs: 15_000, warmupMs: 3000 }),
  });
  const report = peerReport(comparison);
  process.stdout.write(`${peerLines(comparison).join('\n')}\n${JSON.stringify(report, null, 2)}\n`);
}

if (require.main === module) exitWhenDone(main());
