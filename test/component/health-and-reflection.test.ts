import { healthClient, checkHealth } from '../support/health-client';
import { askReflection, describedFiles } from '../support/reflection-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

describe('health and reflection, as generic clients (grpcurl, load balancers) use them', () => {
  let sut: ServiceUnderTest;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
  });
  afterAll(async () => {
    await sut.stop();
  });

  it('answers SERVING for the service, its name, event publishing and liveness while both servers run', async () => {
    const health = healthClient(sut.service.port);
    expect(await checkHealth(health, '')).toBe('SERVING');
    expect(await checkHealth(health, 'residentaccess.v1.ResidentAccessService')).toBe('SERVING');
    expect(await checkHealth(health, 'residentaccess.v1.EventPublishing')).toBe('SERVING');
    expect(await checkHealth(health, 'liveness')).toBe('SERVING');
    await expect(checkHealth(health, 'no.such.Service')).rejects.toThrow(/NOT_FOUND/);
    health.close();
  });

  it('lists the four API services and the health service', async () => {
    const answer = await askReflection(sut.service.port, { listServices: '' });
    expect(answer.listServicesResponse?.service.map((s) => s.name).sort()).toEqual([
      'grpc.health.v1.Health',
      'residentaccess.v1.AuditService',
      'residentaccess.v1.ClinicSettingsService',
      'residentaccess.v1.EntitlementService',
      'residentaccess.v1.ResidentAccessService',
    ]);
  });

  it('describes the API with every file it imports, so a client can build requests', async () => {
    const answer = await askReflection(sut.service.port, { fileContainingSymbol: 'residentaccess.v1.ResidentAccessService' });
    const files = describedFiles(answer);
    const names = files.map((f) => f.name);
    expect(names).toContain('residentaccess/v1/resident_access_service.proto');
    for (const dependency of files.flatMap((f) => f.dependencies)) expect(names).toContain(dependency);
    expect(names).toContain('google/protobuf/timestamp.proto');
  });
});
