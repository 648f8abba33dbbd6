/**
 * `npm run bench -- --soak MINUTES`: a mixed load held for MINUTES at half the capacity measured
 * just before, reporting per minute what would show a leak or a slow drift. Not in CI. See
 * docs/performance.md ("Soak").
 *
 * The load, one service process with its own database and topics:
 * - e-service reads: ListEntitlements and CheckEntitlement in turn over the reads step's residents;
 * - commands: ApproveResident and RemoveApproval in turn over a pool of residents (each a change),
 *   and GrantCaseType of the restricted case type until the service's today;
 * - midnight expiries: each minute the service's clock jumps to 30 s before its next midnight, so
 *   every grant made in the last minute expires 30 s into the minute (a day passes per minute).
 * The mix's capacity is measured in a closed loop first; the soak runs it at half that rate, with
 * reads and commands each on their own fixed-rate schedule (latency from the intended send time).
 */
import { MongoClient } from 'mongodb';
import { apiOf, connectClients } from '../test/support/grpc-client';
import { signTestToken, testAuthEnv } from '../test/support/tokens';
import { addDays, startOfStockholmDay, stockholmDate } from '../src/domain/time/stockholm';
import { cleanUpOnAbort, databaseServer, describeServer, log, residentNumber, round1, servers, sleep } from './common';
import { deleteTopics, startEventConsumer } from './events';
import { closedLoop, fixedRate, newHistogram, type LoadResult } from './load';
import { listEntitlementsOf, picker } from './reads-ops';
import { READS_TEMPLATE_CLINIC, seedReads } from './reads-seed';
import { RELAY_BATCH_SIZE, writeResults } from './report';
import { benchServiceEnv, buildService, startServiceProcess, topicsOf } from './service-process';
import { soakVerdict, soakTable, type SoakMinute } from './soak-report';
import { RESTRICTED_CASE_TYPE } from './writes';

const SOAK_BLOCK = 6;
const READS = { residents: 10_000, clinics: 200 };
/**
 * Residents the approve/remove commands cycle over, and as many the grants cycle over: the data
 * stays the same size however long the soak (each grant expires within a minute, long before its
 * resident comes round again).
 */
const COMMAND_POOL = 5_000;
/** The share of reads in the mix; the rest are commands (a third of them grants). */
const READ_SHARE = 0.8;
const CAPACITY = { concurrency: 16, durationMs: 15_000, warmupMs: 3_000 };
/** Where in each minute the service's midnight falls. */
const MIDNIGHT_AFTER_MS = 30_000;
const MINUTE_MS = 60_000;
/** How soon after its midnight a grant's GRANT_EXPIRED must be consumed. */
const EXPIRY_WITHIN_MS = 30_000;

/** The whole soak: the servers, the service built as in the image, then `runSoak`. */
export async function soak(minutes: number): Promise<void> {
  if (!Number.isInteger(minutes) || minutes < 1) throw new Error('--soak takes a whole number of minutes, at least 1');
  const { mongoUri, kafkaBrokers } = await servers();
  const mongo = await new MongoClient(mongoUri).connect();
  try {
    log(`database server: ${describeServer(await databaseServer(mongo))}`);
    log(`built dist/ in ${(await buildService()).toFixed(1)} s`);
    await runSoak({ minutes, mongo, kafkaBrokers, authEnv: await testAuthEnv() });
  } finally {
    await mongo.close();
  }
}

async function runSoak(opts: { minutes: number; mongo: MongoClient; kafkaBrokers: string; authEnv: Record<string, string> }): Promise<void> {
  const env = benchServiceEnv(opts.authEnv, { EXPIRY_POLL_INTERVAL_MS: '1000' });
  const db = opts.mongo.db(env.MONGODB_DATABASE);
  const answeredAt = new Map<string, { at: number; minute: number }>();
  const eventAt = new Map<string, number>();
  const expiredAt: number[] = [];
  const consumer = await startEventConsumer(opts.kafkaBrokers, env.KAFKA_ACCESS_TOPIC!, (value, at) => {
    if (value.cause === 'ACCESS_CHANGE_CAUSE_GRANT_EXPIRED') expiredAt.push(at);
    else if (value.requestId && !eventAt.has(value.requestId)) eventAt.set(value.requestId, at);
  });
  const dropAll = () => Promise.allSettled([db.dropDatabase(), deleteTopics(opts.kafkaBrokers, topicsOf(env))]);
  const registered = cleanUpOnAbort(dropAll);
  const service = await startServiceProcess(env);
  const clients = connectClients(service.port);
  try {
    const token = (claims: Parameters<typeof signTestToken>[0]) => signTestToken({ ...claims, expiresIn: '1h' });
    const staffApi = async () => apiOf(clients, await token({ sub: 'soak-staff', clinics: [READS_TEMPLATE_CLINIC], roles: ['staff', 'admin'] }));
    const eserviceApi = async () => apiOf(clients, await token({ sub: 'soak-eservice', scope: 'resident-access:entitlements' }));
    let staff = await staffApi();
    let eservice = await eserviceApi();

    log(`soak: seeding ${READS.residents} residents over ${READS.clinics} clinics`);
    await seedReads({ db, admin: staff, eservice, ...READS });

    // The service's clock: real time plus the offset the bench set last.
    let offsetMs = 0;
    const serviceNow = () => new Date(Date.now() + offsetMs);
    const pick = picker(READS.residents, READS.clinics);
    const list = (i: number) => listEntitlementsOf(eservice, READS.residents, READS.clinics)(i);
    const read = (i: number) =>
      i % 2 === 0 ? list(i) : eservice.checkEntitlement({ personalIdentityNumber: pick(i).resident, clinicId: pick(i).clinicId, caseTypeId: pick(i).caseTypeId, consistencyToken: '' });
    let minute = -1;
    const requestIdOf = (i: number) => `soak-${i}`;
    /** Grants made per `untilDate`: the expiries due at the midnight ending that day. */
    const grantsUntil = new Map<string, number>();
    const command = (i: number) => {
      const requestId = requestIdOf(i);
      const base = { clinicId: READS_TEMPLATE_CLINIC, requestId, etag: '' };
      if (i % 3 === 2) {
        // Until the service's today, seen 2 s ahead: a call crossing midnight never names a past day.
        const untilDate = stockholmDate(new Date(serviceNow().getTime() + 2000));
        grantsUntil.set(untilDate, (grantsUntil.get(untilDate) ?? 0) + 1);
        return staff.grantCaseType({ ...base, personalIdentityNumber: residentNumber(COMMAND_POOL + (i % COMMAND_POOL), SOAK_BLOCK), caseTypeId: RESTRICTED_CASE_TYPE.id, untilDate });
      }
      // Approve on a resident's even rounds, remove on the odd ones: each call is a change.
      const n = Math.floor(i / 3) * 2 + (i % 3); // this command's number among the approvals and removals
      const resident = residentNumber(n % COMMAND_POOL, SOAK_BLOCK);
      return Math.floor(n / COMMAND_POOL) % 2 === 0
        ? staff.approveResident({ ...base, personalIdentityNumber: resident })
        : staff.removeApproval({ ...base, personalIdentityNumber: resident });
    };
    // Commands are numbered on their own, so the approve/remove rounds stay in step.
    let commandNumber = 0;
    const nextCommand = () => {
      const i = commandNumber++;
      return { i, call: command(i) };
    };

    const mixed = (i: number) => (i % 10 < READ_SHARE * 10 ? read(i) : nextCommand().call);
    log(`soak: capacity of the mix (${READ_SHARE * 100} % reads), ${CAPACITY.concurrency} in flight, ${CAPACITY.durationMs / 1000} s`);
    const capacity = await closedLoop(mixed, CAPACITY);
    const rate = capacity.opsPerS / 2;
    log(`soak: capacity ${capacity.opsPerS} ops/s (${capacity.errors} errors); holding ${round1(rate)} ops/s for ${opts.minutes} min`);

    const minutes: SoakMinute[] = [];
    // Minutes on fixed boundaries: the time each minute's figures take comes out of the next.
    const soakStart = Date.now();
    for (minute = 0; minute < opts.minutes; minute++) {
      // A day per minute: the service's next midnight MIDNIGHT_AFTER_MS into this minute.
      const startedAt = soakStart + minute * MINUTE_MS;
      const nextMidnight = startOfStockholmDay(addDays(stockholmDate(serviceNow()), 1));
      await service.setClock(new Date(nextMidnight.getTime() - MIDNIGHT_AFTER_MS));
      offsetMs = nextMidnight.getTime() - MIDNIGHT_AFTER_MS - Date.now();
      const midnightAt = Date.now() + MIDNIGHT_AFTER_MS;
      [staff, eservice] = [await staffApi(), await eserviceApi()]; // tokens outlive no soak
      const at = minute;
      const endingDay = stockholmDate(new Date(nextMidnight.getTime() - 1));
      const commands = fixedRate(
        () => {
          const { i, call } = nextCommand();
          return call.then(() => answeredAt.set(requestIdOf(i), { at: Date.now(), minute: at }));
        },
        { rate: rate * (1 - READ_SHARE), durationMs: MINUTE_MS - (Date.now() - startedAt), maxInFlight: 256 },
      );
      const reads = fixedRate(read, { rate: rate * READ_SHARE, durationMs: MINUTE_MS - (Date.now() - startedAt), maxInFlight: 256 });
      const [commandLoad, readLoad] = await Promise.all([commands, reads]);
      const memory = await service.memory();
      const backlog = await db.collection('access').countDocuments({ outboxPending: true });
      const row: SoakMinute = {
        minute: minute + 1,
        rssMb: memory.rssMb,
        heapUsedMb: memory.heapUsedMb,
        readP99Ms: readLoad.p99Ms,
        readsPerS: readLoad.opsPerS,
        commandP99Ms: commandLoad.p99Ms,
        commandsPerS: commandLoad.opsPerS,
        errors: readLoad.errors + commandLoad.errors,
        outboxBacklog: backlog,
        midnightAt,
        expiriesDue: grantsUntil.get(endingDay) ?? 0,
        expiriesConsumed: 0,
        lastExpiryAfterMidnightS: null,
        eventLagP99Ms: null,
        eventsMissing: 0,
      };
      minutes.push(row);
      log(
        `soak minute ${row.minute}: rss ${row.rssMb} MB, read p99 ${row.readP99Ms} ms, command p99 ${row.commandP99Ms} ms, ` +
          `${row.errors} errors, backlog ${row.outboxBacklog}, ${row.expiriesDue} grants ending at its midnight`,
      );
      logUnexpected(readLoad, commandLoad);
    }
    // The last minute's events: a little time to arrive, then every answered command is matched.
    await sleep(10_000);
    lagPerMinute(minutes, answeredAt, eventAt);
    expiriesPerMidnight(minutes, expiredAt);
    const verdict = soakVerdict(minutes, RELAY_BATCH_SIZE);
    const file = writeResults(
      {
        minutes: opts.minutes,
        capacityOpsPerS: capacity.opsPerS,
        rateOpsPerS: round1(rate),
        readShare: READ_SHARE,
        serviceNode: service.node,
        perMinute: minutes,
        verdict,
      },
      'soak-latest.json',
    );
    process.stdout.write(soakTable(minutes, verdict));
    log(`wrote ${file}`);
  } finally {
    clients.close();
    await consumer.stop().catch(() => undefined);
    await service.kill().catch(() => undefined);
    await dropAll().finally(registered);
  }
}

/** Each minute's event lag p99: from a command's answer to its event at the bench's consumer; one never consumed counts as missing. */
function lagPerMinute(minutes: SoakMinute[], answeredAt: Map<string, { at: number; minute: number }>, eventAt: Map<string, number>): void {
  const histograms = minutes.map(() => newHistogram());
  for (const [requestId, answered] of answeredAt) {
    const consumed = eventAt.get(requestId);
    const row = minutes[answered.minute];
    if (!row) continue;
    if (consumed === undefined) row.eventsMissing++;
    else histograms[answered.minute]!.recordValue(Math.max(1, (consumed - answered.at) * 1000));
  }
  minutes.forEach((row, k) => (row.eventLagP99Ms = histograms[k]!.totalCount > 0 ? histograms[k]!.getValueAtPercentile(99) / 1000 : null));
}

/** Each midnight's GRANT_EXPIRED events: those consumed within 30 s of it (and before the next midnight), and the last one's delay. */
function expiriesPerMidnight(minutes: SoakMinute[], expiredAt: readonly number[]): void {
  minutes.forEach((row, k) => {
    const until = Math.min(row.midnightAt + EXPIRY_WITHIN_MS, minutes[k + 1]?.midnightAt ?? Infinity);
    const next = minutes[k + 1]?.midnightAt ?? Infinity;
    const ofThisMidnight = expiredAt.filter((t) => t >= row.midnightAt && t < next);
    row.expiriesConsumed = ofThisMidnight.filter((t) => t < until).length;
    row.lastExpiryAfterMidnightS = ofThisMidnight.length > 0 ? round1((Math.max(...ofThisMidnight) - row.midnightAt) / 1000) : null;
  });
}

function logUnexpected(...loads: LoadResult[]): void {
  for (const load of loads) if (load.firstError) log(`soak: first error this minute: ${load.firstError.replace(/\d{6}[-+]?\d{4}|\d{12}/g, '<number>')}`);
}
