import { randomUUID } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { aClinicId } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import { eventually } from '../support/eventually';
import { apiOf, connectClients } from '../support/grpc-client';
import { healthClient, waitForHealth } from '../support/health-client';
import { spawnService } from '../support/service-process';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { integrationServers, serviceEnv } from '../support/test-env';
import { signTestToken, testAuthEnv } from '../support/tokens';

const CALLS_IN_FLIGHT = 10;
/** Each way, per chunk, once the calls start: an approval then takes several seconds, well within the grace. */
const DATABASE_DELAY_MS = 300;

/** Which of `wanted` have been seen in the bytes that pass through a proxy's connections towards the database. */
function seenInTraffic(wanted: readonly string[]) {
  const seen = new Set<string>();
  const tap = () => {
    let tail = ''; // an id split across two chunks is still seen
    return (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      for (const id of wanted) if (text.includes(id)) seen.add(id);
      tail = text.slice(-64);
    };
  };
  return { seen, tap };
}

describe('SIGTERM', () => {
  let service: ReturnType<typeof spawnService> | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await proxy?.stop();
  });

  it('reports NOT_SERVING (readiness and liveness), refuses new calls, lets every call in flight finish OK, and exits 0', async () => {
    const clinicId = aClinicId();
    const requests = Array.from({ length: CALLS_IN_FLIGHT }, () => anApproveResidentRequest({ clinicId }));
    const traffic = seenInTraffic(requests.map((r) => r.requestId));
    // The service reaches the database through a proxy that can slow it down, so calls stay in flight.
    const database = new URL(integrationServers().mongoUri);
    proxy = await startTcpProxy(Number(database.port || 27017), database.hostname, traffic.tap);
    database.host = proxy.address;
    const env = serviceEnv({ ...(await testAuthEnv()), MONGODB_URI: database.toString(), SHUTDOWN_GRACE_MS: '30000' });
    service = spawnService(env);
    const port = await service.started;
    const health = healthClient(port);
    expect(await waitForHealth(health, '', 'SERVING')).toBe('SERVING');

    const healthSeen: string[] = [];
    const watch = health.watch({ service: '' });
    watch.on('data', (m: { status: string }) => healthSeen.push(m.status));
    watch.on('error', () => undefined);
    const livenessSeen: string[] = [];
    const livenessWatch = health.watch({ service: 'liveness' });
    livenessWatch.on('data', (m: { status: string }) => livenessSeen.push(m.status));
    livenessWatch.on('error', () => undefined);

    const clients = connectClients(port);
    const api = apiOf(clients, await signTestToken({ clinics: [clinicId], roles: ['staff', 'admin'] }));
    await api.putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });
    await eventually(() => livenessSeen.length > 0, { what: 'the first liveness status' });

    proxy.delay(DATABASE_DELAY_MS);
    let finished = 0;
    const calls = requests.map((r) =>
      api
        .approveResident(r)
        .then(
          () => status.OK,
          (e: ServiceError) => e.code,
        )
        .finally(() => finished++),
    );
    // In flight: every call has passed authentication and is writing its request id, which has not
    // reached the database yet (the proxy holds it back), when the stop comes.
    await eventually(() => traffic.seen.size === CALLS_IN_FLIGHT, { what: 'every call to send its request id towards the database', timeoutMs: 20_000 });
    service.child.kill('SIGTERM');

    // A new call once the drain began is refused, while those in flight go on. (Without a token: it
    // is answered UNAUTHENTICATED at once while the server still takes calls, and needs no database.)
    const late = connectClients(port);
    const lateCall = () =>
      apiOf(late, null)
        .approveResident(anApproveResidentRequest({ clinicId }))
        .then(
          () => status.OK,
          (e: ServiceError) => e.code,
        );
    await eventually(async () => (await lateCall()) === status.UNAVAILABLE, { what: 'a new call to be refused', timeoutMs: 20_000, intervalMs: 20 });
    // Each call still had its request id, read, write, view and access-log entry to go through the
    // proxy, at least 2.4 s, when the new call was refused.
    expect(finished).toBe(0);
    // The test's own health watches are calls too: ended once seen, they do not hold the drain.
    await eventually(() => livenessSeen.includes('NOT_SERVING') && healthSeen.includes('NOT_SERVING'), { what: 'NOT_SERVING on both watches' });
    watch.cancel();
    livenessWatch.cancel();

    expect(await Promise.all(calls)).toEqual(requests.map(() => status.OK));
    const { code } = await service.exited;
    expect(code).toBe(0);
    expect(healthSeen).toContain('NOT_SERVING');
    expect(livenessSeen).toEqual(['SERVING', 'NOT_SERVING']);
    const mongo = await new MongoClient(integrationServers().mongoUri).connect();
    try {
      const access = mongo.db(env.MONGODB_DATABASE).collection<{ _id: string; approval: { requestId: string } | null }>('access');
      for (const r of requests) {
        expect(await access.findOne({ _id: `${r.clinicId}|${r.personalIdentityNumber}` })).toMatchObject({ approval: { requestId: r.requestId } });
      }
    } finally {
      await mongo.close();
    }
    expect(service.stdout.some((l) => l.includes('"resident-access stopped"'))).toBe(true);
    clients.close();
    late.close();
    health.close();
  });
});
