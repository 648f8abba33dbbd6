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

  it('Kafka and MongoDB off loopback without (verified) TLS, naming neither password nor host', async () => {
    const message = await refusal({
      KAFKA_BROKERS: 'kafka-0.kafka.care.svc:9092',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'resident-access',
      KAFKA_SASL_PASSWORD: 'kafka-password-never-shown',
      MONGODB_URI: 'mongodb://resident-access:mongo-password-never-shown@mongo-0.mongo.care.svc:27017/?tls=true&tlsInsecure=true',
      KAFKA_ALLOW_INSECURE: 'false',
      MONGODB_ALLOW_INSECURE: 'false',
    });
    expect(message).toMatch(/^resident-access: invalid configuration: /);
    expect(message).toContain(
      'KAFKA_SASL_MECHANISM without KAFKA_SSL=true sends the SASL login and every event in clear to KAFKA_BROKERS off loopback: set KAFKA_SSL=true, or KAFKA_ALLOW_INSECURE=true',
    );
    expect(message).toContain("MONGODB_URI turns off the check of the servers' certificates or names (tlsInsecure) for servers off loopback: remove it, or MONGODB_ALLOW_INSECURE=true");
    expect(message).not.toMatch(/password-never-shown|care\.svc/);
    expect(message).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    expect(service!.stdout).toEqual([]);
  });

  it('starts with plaintext Kafka and MongoDB off loopback when KAFKA_ALLOW_INSECURE and MONGODB_ALLOW_INSECURE say so, with a warning each', async () => {
    // Linux connects 0.0.0.0 to this machine: the test's servers, under an address that is not loopback to the check.
    const { MONGODB_URI, KAFKA_BROKERS } = serviceEnv();
    const env = serviceEnv({
      ...(await testAuthEnv()),
      MONGODB_URI: MONGODB_URI!.replace(/127\.0\.0\.1|localhost/g, '0.0.0.0'),
      KAFKA_BROKERS: KAFKA_BROKERS!.replace(/127\.0\.0\.1|localhost/g, '0.0.0.0'),
      KAFKA_ALLOW_INSECURE: 'true',
      MONGODB_ALLOW_INSECURE: 'true',
    });
    service = spawnService(env);
    await service.started;
    const warnings = service.stdout.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((l) => /^(KAFKA|MONGODB)_ALLOW_INSECURE=true/.test(l.msg));
    expect(warnings.map((w) => [w.level, w.msg.split(':')[0]])).toEqual([
      [40, 'KAFKA_ALLOW_INSECURE=true'],
      [40, 'MONGODB_ALLOW_INSECURE=true'],
    ]);
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
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
