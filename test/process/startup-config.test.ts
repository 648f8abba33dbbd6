import { spawnService } from '../support/service-process';
import { serviceEnv } from '../support/test-env';
import { testAuthEnv } from '../support/tokens';

describe('start-up configuration', () => {
  it('a bad or missing value stops the service with one message naming every offending variable', async () => {
    const service = spawnService({ GRPC_PORT: 'not-a-port', KAFKA_BROKERS: 'no-port-here', RESIDENT_PSEUDONYM_SECRET: '', AUTH_MODE: 'jwt' });
    const { code } = await service.exited;

    const message = service.stderr.join('');
    expect(code).toBe(78);
    expect(message.trim().split('\n')).toHaveLength(1);
    expect(message).toContain('GRPC_PORT');
    expect(message).toContain('KAFKA_BROKERS');
    expect(message).toContain('RESIDENT_PSEUDONYM_KEYRING_FILE or RESIDENT_PSEUDONYM_SECRET: set exactly one');
    expect(message).toContain('AUTH_ISSUER is required when AUTH_MODE=jwt');
    expect(message).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    expect(service.stdout).toEqual([]);
  });
});

describe('start-up refuses to expose the service', () => {
  let service: ReturnType<typeof spawnService> | undefined;
  afterEach(() => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
  });

  async function refusal(env: Record<string, string>): Promise<string> {
    service = spawnService({ ...serviceEnv(await testAuthEnv()), ...env });
    const { code } = await service.exited;
    const message = service.stderr.join('');
    expect(code).toBe(78);
    expect(message.trim().split('\n')).toHaveLength(1);
    return message;
  }

  it('development mode on a non-loopback address', async () => {
    const message = await refusal({ AUTH_MODE: 'development', GRPC_HOST: '0.0.0.0', GRPC_ALLOW_INSECURE: 'true' });
    expect(message).toContain('AUTH_MODE=development is allowed only when GRPC_HOST is loopback');
  });

  it('plaintext on a non-loopback address without GRPC_ALLOW_INSECURE=true', async () => {
    const message = await refusal({ GRPC_HOST: '0.0.0.0' });
    expect(message).toContain('GRPC_HOST is not loopback: set GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE, or GRPC_ALLOW_INSECURE=true');
  });

  it('a JWKS URL over http: on a non-loopback host', async () => {
    const message = await refusal({ AUTH_PUBLIC_KEY: '', AUTH_JWKS_URL: 'http://idp.example.se/keys' });
    expect(message).toContain('AUTH_JWKS_URL must be https:');
    expect(message).not.toContain('idp.example.se');
  });

  it('starts on a non-loopback address with GRPC_ALLOW_INSECURE=true, and says so in a warning', async () => {
    service = spawnService({ ...serviceEnv(await testAuthEnv()), GRPC_HOST: '0.0.0.0', GRPC_ALLOW_INSECURE: 'true' });
    await service.started;
    const warning = service.stdout.map((line) => JSON.parse(line) as { level: number; msg: string }).find((l) => l.msg.startsWith('GRPC_ALLOW_INSECURE=true'));
    expect(warning?.level).toBe(40);
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  });
});
