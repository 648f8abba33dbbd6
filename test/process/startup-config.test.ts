import { spawnService } from '../support/service-process';

describe('start-up configuration', () => {
  it('a bad or missing value stops the service with one message naming every offending variable', async () => {
    const service = spawnService({ GRPC_PORT: 'not-a-port', KAFKA_BROKERS: 'no-port-here', RESIDENT_PSEUDONYM_SECRET: '', AUTH_MODE: 'jwt' });
    const { code } = await service.exited;

    const message = service.stderr.join('');
    expect(code).toBe(78);
    expect(message.trim().split('\n')).toHaveLength(1);
    expect(message).toContain('GRPC_PORT');
    expect(message).toContain('KAFKA_BROKERS');
    expect(message).toContain('RESIDENT_PSEUDONYM_SECRET is required');
    expect(message).toContain('AUTH_ISSUER is required when AUTH_MODE=jwt');
    expect(message).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    expect(service.stdout).toEqual([]);
  });
});
