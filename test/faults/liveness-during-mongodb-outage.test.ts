import { checkHealth, healthClient, waitForHealth } from '../support/health-client';
import { ownFerretDB } from '../support/own-ferretdb';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { freePort } from '../support/stack-instance';
import { uniqueName } from '../support/test-env';
import { sleep } from '../support/eventually';

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
  }, 180_000);
  afterAll(async () => {
    await ferret.start().catch(() => undefined);
    await sut?.stop();
    await ferret.destroy();
  }, 120_000);

  it('stays SERVING on the plaintext health port while readiness goes NOT_SERVING, and readiness comes back', async () => {
    const healthPort = await freePort();
    sut = await startServiceUnderTest({ env: { MONGODB_URI: ferret.uri, GRPC_HEALTH_PORT: String(healthPort) } });
    const probe = healthClient(healthPort);
    try {
      expect(await waitForHealth(probe, READINESS, 'SERVING')).toBe('SERVING');
      expect(await checkHealth(probe, LIVENESS)).toBe('SERVING');

      await ferret.stop();
      expect(await waitForHealth(probe, READINESS, 'NOT_SERVING', 20_000)).toBe('NOT_SERVING');
      // Several health-check rounds (HEALTH_CHECK_INTERVAL_MS is 300 in tests) into the outage.
      for (let round = 0; round < 5; round++) {
        expect(await checkHealth(probe, LIVENESS)).toBe('SERVING');
        await sleep(500);
      }
      expect(await checkHealth(probe, READINESS)).toBe('NOT_SERVING');

      await ferret.start();
      expect(await waitForHealth(probe, READINESS, 'SERVING', 60_000)).toBe('SERVING');
      expect(await checkHealth(probe, LIVENESS)).toBe('SERVING');
    } finally {
      probe.close();
    }
  }, 240_000);
});
