import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { AccessDocument } from '../../src/storage-mongo/access-document';
import { aClinicId, aResident } from '../builders/identity';
import { account, History, observedEvents, printAccounting, readWholeTopic } from '../support/accounting';
import { apiOf, connectClients, type Api } from '../support/grpc-client';
import { scrapeMetrics } from '../support/metrics-client';
import { spawnService, type ServiceProcess } from '../support/service-process';
import { serviceEnv } from '../support/test-env';
import { signTestToken, testAuthEnv } from '../support/tokens';
import { eventually } from '../support/eventually';
import { viewMismatches } from '../support/views-match-access';

/** Where both instances' clocks start, and where the test moves them (winter time: Stockholm is UTC+1). */
const START = new Date('2027-03-18T09:00:00Z');
const EXPIRING_UNTIL = '2027-03-19';
/** The day after: grants from it start at the midnight the others end at. */
const STARTING_FROM = '2027-03-20';
const STOCKHOLM_MIDNIGHT_AFTER = new Date('2027-03-19T23:00:00Z');

/** One instance: a process of its own, with a clock the test moves, and a gRPC client to it. */
interface Instance {
  process: ServiceProcess;
  api: Api;
  metricsPort: number;
  stop(): Promise<void>;
}

async function startInstance(env: Record<string, string>, token: string): Promise<Instance> {
  const child = spawnService(env, { movableClock: START });
  const clients = connectClients(await child.started);
  return {
    process: child,
    api: apiOf(clients, token),
    metricsPort: await child.metricsPort,
    async stop() {
      clients.close();
      if (child.child.exitCode !== null || child.child.signalCode !== null) return;
      child.child.kill('SIGTERM');
      await child.exited;
    },
  };
}

/**
 * Two service instances, two OS processes, on one database and one topic, each running its relay and expiry worker,
 * while staff send commands about the same residents to both. Jepsen-style accounting: every
 * acknowledged change is published, per-key order holds, and each due grant ends (or starts) exactly once.
 */
describe('two service instances running relay and expiry (ends and starts) at once', () => {
  const instances: Instance[] = [];
  let mongo: MongoClient | undefined;
  let env: Record<string, string>;
  afterAll(async () => {
    for (const instance of instances) await instance.stop();
    await mongo?.db(env.MONGODB_DATABASE).dropDatabase();
    await mongo?.close();
  });

  it('publishes every acknowledged change once or more, in order per key, and ends and starts each grant once', async () => {
    env = serviceEnv({ ...(await testAuthEnv()), RELAY_POLL_INTERVAL_MS: '300', RELAY_LEASE_MS: '3000', EXPIRY_POLL_INTERVAL_MS: '100' });
    const clinicId = aClinicId();
    const token = await signTestToken({ sub: 'staff-1', clinics: [clinicId], roles: ['staff', 'admin'] });
    instances.push(...(await Promise.all([startInstance(env, token), startInstance(env, token)])));
    const a = instances[0]!;
    mongo = await new MongoClient(env.MONGODB_URI!).connect();
    const access = mongo.db(env.MONGODB_DATABASE).collection<AccessDocument>('access');

    for (const [id, restricted] of [
      ['general', false],
      ['expiring', true],
      ['starting', true],
      ['restricted', true],
    ] as const) {
      await a.api.putCaseType({ clinicId, caseType: { id, name: id, restricted }, requestId: randomUUID(), etag: '' });
    }
    const history = new History();
    const changed = (response: { changed: boolean }) => response.changed;

    // Grants that both expiry workers will find due at the same midnight.
    const expiring = Array.from({ length: 16 }, () => aResident());
    for (const [i, resident] of expiring.entries()) {
      const api = instances[i % 2]!.api;
      const requestId = randomUUID();
      await history.run(requestId, () => api.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'expiring', untilDate: EXPIRING_UNTIL, requestId, etag: '' }), changed);
    }
    // Pending grants that both workers will find due to start at that same midnight.
    const starting = Array.from({ length: 16 }, () => aResident());
    for (const [i, resident] of starting.entries()) {
      const api = instances[i % 2]!.api;
      const requestId = randomUUID();
      await history.run(
        requestId,
        () => api.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'starting', untilFurtherNotice: true, firstDay: STARTING_FROM, requestId, etag: '' }),
        changed,
      );
    }
    expect(history.acknowledged.size).toBe(expiring.length + starting.length);
    const timed = [...expiring, ...starting];

    // Staff on both instances change the same few residents; the expiring and starting ones get approvals too.
    const shared = Array.from({ length: 8 }, () => aResident());
    const operations = [
      (api: Api, resident: string, requestId: string) => api.approveResident({ clinicId, personalIdentityNumber: resident, requestId, etag: '' }),
      (api: Api, resident: string, requestId: string) => api.removeApproval({ clinicId, personalIdentityNumber: resident, requestId, etag: '' }),
      (api: Api, resident: string, requestId: string) =>
        api.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted', untilDate: '2027-04-30', requestId, etag: '' }),
      (api: Api, resident: string, requestId: string) =>
        api.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted', untilFurtherNotice: true, requestId, etag: '' }),
      (api: Api, resident: string, requestId: string) => api.removeGrant({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted', requestId, etag: '' }),
    ];
    const worker = async (w: number) => {
      const api = instances[w % 2]!.api;
      for (let i = 0; i < 30; i++) {
        const onExpiring = i % 3 === 0;
        const resident = onExpiring ? timed[(w * 7 + i) % timed.length]! : shared[(w * 5 + i) % shared.length]!;
        const operation = onExpiring ? operations[i % 2]! : operations[(w + i) % operations.length]!;
        const requestId = randomUUID();
        await history.run(requestId, () => operation(api, resident, requestId), changed);
        // Midnight comes in the middle of the load: both expiry workers race the commands.
        if (w === 0 && i === 10) await Promise.all(instances.map((instance) => instance.process.setClock(STOCKHOLM_MIDNIGHT_AFTER)));
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));

    // Both relays drain; every document's outbox empties.
    await eventually(async () => (await access.countDocuments({ outboxPending: true })) === 0, { what: 'both relays to drain the outboxes', timeoutMs: 60_000 });
    const events = observedEvents(await readWholeTopic(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!));
    const accounting = account(history, events);

    const consumed = await readWholeTopic(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!);
    const eventIdsByKey = (cause: string) => {
      const byKey = new Map<string, Set<string>>();
      for (const e of consumed) {
        if (e.value.cause !== cause) continue;
        const ids = byKey.get(e.key) ?? new Set<string>();
        ids.add(e.headers.ce_id!);
        byKey.set(e.key, ids);
      }
      return byKey;
    };
    const expiryEvents = eventIdsByKey('ACCESS_CHANGE_CAUSE_GRANT_EXPIRED');
    const startEvents = eventIdsByKey('ACCESS_CHANGE_CAUSE_GRANT_STARTED');
    const published = await Promise.all(instances.map(async (i) => (await scrapeMetrics(i.metricsPort)).value('resident_access_events_published_total', 'kind="access"') ?? 0));
    const expired = await Promise.all(instances.map(async (i) => (await scrapeMetrics(i.metricsPort)).value('resident_access_grants_expired_total') ?? 0));
    const started = await Promise.all(instances.map(async (i) => (await scrapeMetrics(i.metricsPort)).value('resident_access_grants_started_total') ?? 0));
    printAccounting(
      accounting,
      `failed ${JSON.stringify(history.failedByCode())}, published by instance ${published.join('/')}, grants expired by instance ${expired.join('/')}, started ${started.join('/')}`,
    );

    // The only refusals: a grant of a held case type with another end (GRANT_EXISTS), which the random mix asks for.
    expect(Object.keys(history.failedByCode()).filter((code) => code !== 'ALREADY_EXISTS/GRANT_EXISTS')).toEqual([]);
    expect(history.indeterminate.size).toBe(0);
    expect(accounting.lostIds).toEqual([]);
    expect(accounting.unexpectedIds).toEqual([]);
    expect(accounting.violations).toEqual([]);
    // Each due grant ended exactly once, by one instance or the other, with one event.
    expect(expiryEvents.size).toBe(expiring.length);
    expect([...expiryEvents.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(expired[0]! + expired[1]!).toBe(expiring.length);
    const stillGranted = await access.countDocuments({ clinicId, 'grants.caseTypeId': 'expiring' });
    expect(stillGranted).toBe(0);
    // Each pending grant started exactly once, likewise, and none is left pending.
    expect(startEvents.size).toBe(starting.length);
    expect([...startEvents.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(started[0]! + started[1]!).toBe(starting.length);
    expect(await access.countDocuments({ clinicId, 'grants.caseTypeId': 'starting' })).toBe(starting.length);
    expect(await access.countDocuments({ clinicId, nextStartsAt: { $ne: null } })).toBe(0);
    // Both instances took part in publishing.
    expect(published.every((n) => n > 0)).toBe(true);
    // The stored version of every document is the last version published for it.
    const lastVersion = new Map<string, number>();
    for (const e of events) lastVersion.set(e.key, Math.max(lastVersion.get(e.key) ?? 0, e.version));
    const docs = await access.find({ clinicId }).toArray();
    expect(docs.map((d) => d.version).sort()).toEqual([...lastVersion.values()].sort());
    // Every change reached the residents' views (the relay catches a view up before it publishes).
    expect(await viewMismatches(mongo.db(env.MONGODB_DATABASE))).toEqual([]);
  });
});
