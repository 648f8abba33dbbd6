import { checkHealth, healthClient, waitForHealth } from '../support/health-client';
import { ownFerretDB } from '../support/own-ferretdb';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { freePort } from '../support/stack-instance';
import { uniqueName } from '../support/test-env';
import { eventually } from '../support/eventually';

// The names the Helm chart's probes ask for (deploy/helm/resident-access/templates/deployment.yaml).
const READINESS = '';
const LIVENESS = 'liveness';

/**
 * Kubernetes restarts a container whose liveness probe fails. A restart cures no database outage,
 * so liveness must not follow MongoDB: only readiness does, which takes the pod out of the Service.
 */
describe('liveness while MongoDB (FerretDB) is down', () => {
  let ferret: Awaited<ReturnType<typeof ownFerretDB>>;
  let sut: ServiceUnderTest | undefined;

  beforeAll(async () => {
    ferret = await ownFerretDB(uniqueName('liveness-outage'));
    await ferret.start();
  });
  afterAll(async () => {
    await ferret.start().catch(() => undefined);
    await sut?.stop();
    await ferret.destroy();
  });

  it('stays SERVING on the plaintext health port while readiness goes NOT_SERVING, and readiness comes back', async () => {
    const healthPort = await freePort();
    sut = await startServiceUnderTest({ env: { MONGODB_URI: ferret.uri, GRPC_HEALTH_PORT: String(healthPort) } });
    const probe = healthClient(healthPort);
    try {
      expect(await waitForHealth(probe, READINESS, 'SERVING')).toBe('SERVING');
      // Every liveness status the service pushes from here on, through the whole outage.
      const livenessSeen: string[] = [];
      const livenessWatch = probe.watch({ service: LIVENESS });
      livenessWatch.on('data', (m: { status: string }) => livenessSeen.push(m.status));
      livenessWatch.on('error', () => undefined);
      await eventually(() => livenessSeen.length > 0, { what: 'the first liveness status' });

      // SIGKILL, as a crashed or OOM-killed server goes: no goodbye to the open connections.
      await ferret.kill();
      expect(await waitForHealth(probe, READINESS, 'NOT_SERVING', 20_000)).toBe('NOT_SERVING');
      await ferret.start();
      expect(await waitForHealth(probe, READINESS, 'SERVING', 60_000)).toBe('SERVING');
      // Readiness went down and came back, health round by health round; liveness never moved.
      expect(await checkHealth(probe, LIVENESS)).toBe('SERVING');
      livenessWatch.cancel();
      expect(livenessSeen).toEqual(['SERVING']);
    } finally {
      probe.close();
    }
  });
});
