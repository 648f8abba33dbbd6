import { status } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { anApproveResidentRequest } from '../builders/requests';
import { apiOf, connectClients } from '../support/grpc-client';
import { signTestToken, testAuthEnv } from '../support/tokens';
import { eventually } from '../support/eventually';
import { aClinicId } from '../builders/identity';
import { randomUUID } from 'node:crypto';
import { healthClient, waitForHealth } from '../support/health-client';
import { spawnService } from '../support/service-process';
import { serviceEnv } from '../support/test-env';

describe('SIGTERM', () => {
  let service: ReturnType<typeof spawnService> | undefined;
  afterEach(() => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
  });

  it('reports NOT_SERVING (readiness and liveness), finishes calls in flight, stops the relay and exits 0', async () => {
    const env = serviceEnv(await testAuthEnv());
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

    const clinicId = aClinicId();
    const api = apiOf(connectClients(port), await signTestToken({ clinics: [clinicId], roles: ['staff', 'admin'] }));
    await api.putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });
    const requests = Array.from({ length: 30 }, () => anApproveResidentRequest({ clinicId }));
    let answered = 0;
    const calls = requests.map((r) =>
      api.approveResident(r).then(
        () => {
          answered++;
          return 'ok';
        },
        (e: { code: number }) => e.code,
      ),
    );
    // The stop comes once the calls are arriving: the first is answered, others are still in flight.
    await eventually(() => answered > 0, { what: 'the first approval answered', intervalMs: 5 });
    service.child.kill('SIGTERM');

    const outcomes = await Promise.all(calls);
    const { code } = await service.exited;
    expect(code).toBe(0);
    expect(healthSeen).toContain('NOT_SERVING');
    expect(livenessSeen).toEqual(['SERVING', 'NOT_SERVING']);
    // Every call either completed or was refused as the server closed; none hangs or half-writes.
    for (const outcome of outcomes) expect(['ok', status.UNAVAILABLE]).toContain(outcome);
    const mongo = await new MongoClient(env.MONGODB_URI!).connect();
    try {
      const access = mongo.db(env.MONGODB_DATABASE).collection('access');
      const acknowledged = requests.filter((_, i) => outcomes[i] === 'ok');
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const r of acknowledged) {
        expect(await access.findOne({ _id: `${r.clinicId}|${r.personalIdentityNumber}` as never })).toMatchObject({ approval: { requestId: r.requestId } });
      }
    } finally {
      await mongo.close();
    }
    expect(service.stdout.some((l) => l.includes('"resident-access stopped"'))).toBe(true);
    health.close();
  });
});
