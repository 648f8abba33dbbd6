import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ConfigError, isLoopbackHost, loadConfig, TUNING } from './config';
import { mongoTlsOn, mongoUnverifiedTlsOptions } from './transport-security';

const base = { RESIDENT_PSEUDONYM_SECRET: 'a-secret-of-at-least-thirty-two-characters', AUTH_MODE: 'development' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('loopback', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', 'LOCALHOST'])('%s is loopback', (host) => expect(isLoopbackHost(host)).toBe(true));
  it.each(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost.example.se', '127.0.0.1.nip.io'])('%s is not', (host) => expect(isLoopbackHost(host)).toBe(false));
});

describe('exposure rules', () => {
  it('development mode on ::1 and a JWKS URL over http: on loopback are allowed', () => {
    expect(problemsOf({ GRPC_HOST: '::1' })).toEqual([]);
    expect(problemsOf({ AUTH_MODE: 'jwt', AUTH_ISSUER: 'i', AUTH_JWKS_URL: 'http://127.0.0.1:8080/keys' })).toEqual([]);
  });

  it('TLS files come in pairs, and a client CA needs them', () => {
    expect(problemsOf({ GRPC_TLS_CERT_FILE: '/c' })).toContain('GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE: set both or neither');
    expect(problemsOf({ GRPC_TLS_CLIENT_CA_FILE: '/ca' })).toContain('GRPC_TLS_CLIENT_CA_FILE needs GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE');
  });

  it('with TLS, a non-loopback address is allowed', () => {
    expect(problemsOf({ AUTH_MODE: 'jwt', AUTH_ISSUER: 'i', AUTH_PUBLIC_KEY: 'k', GRPC_HOST: '0.0.0.0', GRPC_TLS_CERT_FILE: '/c', GRPC_TLS_KEY_FILE: '/k' })).toEqual([]);
  });
});

describe('token settings', () => {
  const jwt = { AUTH_MODE: 'jwt', AUTH_ISSUER: 'i', AUTH_PUBLIC_KEY: 'k' };

  it('by default: access tokens (at+jwt) of at most an hour, unbound tokens accepted', () => {
    expect(loadConfig({ ...base, ...jwt }).auth).toMatchObject({ tokenTypes: ['at+jwt'], maxLifetimeSeconds: 3600, requireCertificateBoundTokens: false });
  });

  it('reads a list of token types and a lifetime of up to 30 days', () => {
    const config = loadConfig({ ...base, ...jwt, AUTH_TOKEN_TYPES: 'at+jwt, JWT', AUTH_MAX_TOKEN_LIFETIME_SECONDS: '2592000' });
    expect(config.auth).toMatchObject({ tokenTypes: ['at+jwt', 'JWT'], maxLifetimeSeconds: 2592000 });
    expect(problemsOf({ ...jwt, AUTH_MAX_TOKEN_LIFETIME_SECONDS: '2592001' })).toEqual([expect.stringMatching(/^AUTH_MAX_TOKEN_LIFETIME_SECONDS /)]);
    expect(problemsOf({ ...jwt, AUTH_TOKEN_TYPES: 'at+jwt;JWT' })).toEqual([expect.stringMatching(/^AUTH_TOKEN_TYPES /)]);
    expect(problemsOf({ ...jwt, AUTH_TOKEN_TYPES: ' , ' })).toEqual([expect.stringMatching(/^AUTH_TOKEN_TYPES /)]);
  });

  it('requiring certificate-bound tokens needs client certificates (mTLS)', () => {
    expect(problemsOf({ ...jwt, AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS: 'true' })).toEqual(['AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS=true needs GRPC_TLS_CLIENT_CA_FILE (mTLS)']);
    const mtls = { GRPC_TLS_CERT_FILE: '/c', GRPC_TLS_KEY_FILE: '/k', GRPC_TLS_CLIENT_CA_FILE: '/ca' };
    expect(loadConfig({ ...base, ...jwt, ...mtls, AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS: 'true' }).auth).toMatchObject({ requireCertificateBoundTokens: true });
  });
});

describe('Kafka and MongoDB security settings', () => {
  it('SASL needs a user and exactly one password source; PLAIN needs TLS; TLS files need KAFKA_SSL=true', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain' })).toEqual([
      'KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set',
      'KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE: set exactly one when KAFKA_SASL_MECHANISM is set',
      'KAFKA_SASL_MECHANISM=plain needs KAFKA_SSL=true',
    ]);
    expect(problemsOf({ KAFKA_SSL_CA_FILE: '/ca' })).toEqual(['KAFKA_SSL_CA_FILE needs KAFKA_SSL=true']);
    expect(problemsOf({ MONGODB_TLS_CA_FILE: '/ca' })).toEqual(['MONGODB_TLS_CA_FILE needs MONGODB_TLS=true']);
    expect(problemsOf({ MONGODB_URI: 'mongodb://db:27017/?tls=true', MONGODB_TLS_CA_FILE: '/ca' })).toEqual([]);
  });

  it('a password from a file loses its final newline; an unreadable file is named, never its path or content', () => {
    const folder = mkdtempSync(join(tmpdir(), 'config-test-'));
    writeFileSync(join(folder, 'password'), 's3cret-from-file\n');
    const config = loadConfig({ ...base, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: join(folder, 'password') });
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 's3cret-from-file' });
    expect(problemsOf({ MONGODB_USERNAME: 'u', MONGODB_PASSWORD_FILE: join(folder, 'missing') })).toEqual(['MONGODB_PASSWORD_FILE cannot be read']);
  });
});

describe('retention settings', () => {
  it('keep audit entries and ended accesses at least as long as request ids, whose retries they answer', () => {
    expect(loadConfig(base).retention).toMatchObject({ auditDays: 1827, endedAccessDays: 30 });
    expect(problemsOf({ REQUEST_ID_RETENTION_DAYS: '60', ENDED_ACCESS_RETENTION_DAYS: '59', AUDIT_RETENTION_DAYS: '40' })).toEqual([
      'AUDIT_RETENTION_DAYS must be at least REQUEST_ID_RETENTION_DAYS',
      'ENDED_ACCESS_RETENTION_DAYS must be at least REQUEST_ID_RETENTION_DAYS',
    ]);
    expect(problemsOf({ REQUEST_ID_RETENTION_DAYS: '60', ENDED_ACCESS_RETENTION_DAYS: '60', AUDIT_RETENTION_DAYS: '60' })).toEqual([]);
  });
});

describe('Kafka and MongoDB off loopback need TLS, unless *_ALLOW_INSECURE=true', () => {
  const kafkaRefusal = 'KAFKA_BROKERS are not loopback: set KAFKA_SSL=true, or KAFKA_ALLOW_INSECURE=true';
  const saslRefusal =
    'KAFKA_SASL_MECHANISM without KAFKA_SSL=true sends the SASL login and every event in clear to KAFKA_BROKERS off loopback: set KAFKA_SSL=true, or KAFKA_ALLOW_INSECURE=true';
  const mongoRefusal = 'MONGODB_URI names servers off loopback and TLS is off: set MONGODB_TLS=true, or MONGODB_ALLOW_INSECURE=true';
  const saslLogin = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'kafka-pw-not-to-echo' };

  it('plaintext to servers on loopback (127.0.0.0/8, ::1, localhost, a socket path) is allowed without a flag or a warning', () => {
    const settings: Record<string, string>[] = [
      {},
      { KAFKA_BROKERS: 'localhost:9092,127.0.0.2:9093', MONGODB_URI: 'mongodb://u:p@localhost:27017,127.0.0.2:27018/db?replicaSet=rs0' },
      { MONGODB_URI: 'mongodb://[::1]:27017/?tlsInsecure=true' },
      { MONGODB_URI: 'mongodb://%2Ftmp%2Fmongodb-27017.sock' },
      { ...saslLogin, KAFKA_BROKERS: '127.0.0.1:9092' },
    ];
    for (const env of settings) {
      expect(problemsOf(env)).toEqual([]);
      expect(loadConfig({ ...base, ...env }).insecureTransportWarnings).toEqual([]);
    }
  });

  it('Kafka: brokers off loopback (one is enough) without KAFKA_SSL=true are refused; SASL without TLS says the login would go in clear', () => {
    expect(problemsOf({ KAFKA_BROKERS: 'kafka-0.kafka:9092' })).toEqual([kafkaRefusal]);
    expect(problemsOf({ KAFKA_BROKERS: '127.0.0.1:9092,10.0.0.7:9092' })).toEqual([kafkaRefusal]);
    expect(problemsOf({ KAFKA_BROKERS: 'kafka-0.kafka:9092', ...saslLogin })).toEqual([saslRefusal]);
    expect(problemsOf({ KAFKA_BROKERS: 'kafka-0.kafka:9093', KAFKA_SSL: 'true', ...saslLogin })).toEqual([]);
  });

  it('Kafka: KAFKA_ALLOW_INSECURE=true lets plaintext and SCRAM through with a warning, never PLAIN', () => {
    const plaintext = loadConfig({ ...base, KAFKA_BROKERS: 'kafka-0.kafka:9092', KAFKA_ALLOW_INSECURE: 'true' });
    expect(plaintext.insecureTransportWarnings).toEqual([expect.stringMatching(/^KAFKA_ALLOW_INSECURE=true: every event .* WITHOUT TLS/)]);
    const scram = loadConfig({ ...base, KAFKA_BROKERS: 'kafka-0.kafka:9092', KAFKA_ALLOW_INSECURE: 'true', ...saslLogin });
    expect(scram.insecureTransportWarnings).toEqual([expect.stringMatching(/^KAFKA_ALLOW_INSECURE=true: the SASL login and every event .* WITHOUT TLS/)]);
    expect(problemsOf({ KAFKA_BROKERS: 'kafka-0.kafka:9092', KAFKA_ALLOW_INSECURE: 'true', ...saslLogin, KAFKA_SASL_MECHANISM: 'plain' })).toEqual([
      'KAFKA_SASL_MECHANISM=plain needs KAFKA_SSL=true',
    ]);
    expect(loadConfig({ ...base, KAFKA_BROKERS: 'kafka-0.kafka:9093', KAFKA_SSL: 'true', KAFKA_ALLOW_INSECURE: 'true' }).insecureTransportWarnings).toEqual([]);
  });

  it('MongoDB: servers off loopback without TLS are refused, naming no host and no password', () => {
    const uri = 'mongodb://svc-user:mongo-pw-not-to-echo@mongo-0.mongo:27017,127.0.0.1:27017/resident_access?replicaSet=rs0';
    const problems = problemsOf({ MONGODB_URI: uri });
    expect(problems).toEqual([mongoRefusal]);
    expect(problems.join('; ')).not.toMatch(/mongo-pw-not-to-echo|mongo-0\.mongo|svc-user/);
    expect(problemsOf({ MONGODB_URI: 'mongodb+srv://cluster0.example.se/?tls=false' })).toEqual([mongoRefusal]);
    // TLS by the setting, by the URI (either spelling, any case of the name), or by SRV's default.
    const withTls: Record<string, string>[] = [
      { MONGODB_URI: uri, MONGODB_TLS: 'true' },
      { MONGODB_URI: `${uri}&tls=true` },
      { MONGODB_URI: 'mongodb://mongo-0.mongo:27017/?SSL=true' },
      { MONGODB_URI: 'mongodb+srv://cluster0.example.se/resident_access' },
    ];
    for (const env of withTls) {
      expect(problemsOf(env)).toEqual([]);
    }
  });

  it.each(['tlsInsecure', 'tlsAllowInvalidCertificates', 'tlsAllowInvalidHostnames', 'TLSINSECURE'])(
    'MongoDB: %s=true off loopback is refused, named as the driver spells it, even with TLS on',
    (option) => {
      const problems = problemsOf({ MONGODB_URI: `mongodb://u:mongo-pw-not-to-echo@db.example.se:27017/?tls=true&${option}=true` });
      expect(problems).toEqual([
        expect.stringMatching(/^MONGODB_URI turns off the check of the servers' certificates or names \((tlsInsecure|tlsAllowInvalid\w+)\) .*, or MONGODB_ALLOW_INSECURE=true$/),
      ]);
      expect(problems[0]!.toLowerCase()).toContain(option.toLowerCase());
      expect(problems.join('; ')).not.toMatch(/mongo-pw-not-to-echo|db\.example\.se/);
      expect(problemsOf({ MONGODB_URI: `mongodb://db.example.se:27017/?tls=true&${option}=false` })).toEqual([]);
    },
  );

  it('MongoDB: MONGODB_ALLOW_INSECURE=true lets plaintext or unverified TLS through with a warning', () => {
    const plaintext = loadConfig({ ...base, MONGODB_URI: 'mongodb://mongo:27017/?replicaSet=rs0', MONGODB_ALLOW_INSECURE: 'true' });
    expect(plaintext.insecureTransportWarnings).toEqual([expect.stringMatching(/^MONGODB_ALLOW_INSECURE=true: .* WITHOUT TLS/)]);
    const unverified = loadConfig({ ...base, MONGODB_URI: 'mongodb://mongo:27017/?tls=true&tlsAllowInvalidHostnames=true', MONGODB_ALLOW_INSECURE: 'true' });
    expect(unverified.insecureTransportWarnings).toEqual([expect.stringMatching(/^MONGODB_ALLOW_INSECURE=true: .* WITHOUT checking the servers' certificates or names/)]);
  });

  it("judges MongoDB's TLS and certificate checks as the driver does", () => {
    for (const uri of [
      'mongodb://db.example.se:27017',
      'mongodb://db.example.se:27017/?tls=true',
      'mongodb://db.example.se:27017/db?Tls=true&tlsAllowInvalidHostnames=true',
      'mongodb://db.example.se/?ssl=true&tlsInsecure=true',
      'mongodb://db.example.se/?tls=true&tlsAllowInvalidCertificates=false',
      'mongodb+srv://cluster0.example.se/db',
      'mongodb+srv://cluster0.example.se/db?tls=false',
    ]) {
      const driver = new MongoClient(uri).options;
      expect([uri, mongoTlsOn({ MONGODB_URI: uri })]).toEqual([uri, driver.tls === true]);
      // The driver turns these options into Node's TLS settings: certificates unchecked, or a host-name check that accepts anything.
      const unverified = driver.tls === true && (driver.rejectUnauthorized === false || typeof driver.checkServerIdentity === 'function');
      expect([uri, mongoUnverifiedTlsOptions(uri).length > 0]).toEqual([uri, unverified]);
    }
  });
});

describe('the pseudonym key ring', () => {
  const keys = [
    { id: '2025-01', secret: 'the-older-secret-of-at-least-32-characters' },
    { id: '2026-01', secret: 'the-current-secret-of-at-least-32-characters' },
  ];
  const fileWith = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'config-test-')), 'keyring.json');
    writeFileSync(path, text);
    return path;
  };
  const withoutSecret = { AUTH_MODE: 'development', RESIDENT_PSEUDONYM_SECRET: '' };

  it('is read from RESIDENT_PSEUDONYM_KEYRING_FILE, the current key first', () => {
    const file = fileWith(JSON.stringify({ current: '2026-01', keys }));
    const ring = loadConfig({ ...withoutSecret, RESIDENT_PSEUDONYM_KEYRING_FILE: file }).events.pseudonymKeys;
    expect(ring.current).toEqual(keys[1]);
    expect(ring.older).toEqual([keys[0]]);
  });

  it('is RESIDENT_PSEUDONYM_SECRET alone as a ring of one key (local use, tests)', () => {
    const ring = loadConfig(base).events.pseudonymKeys;
    expect(ring.keys).toEqual([{ id: 'env', secret: base.RESIDENT_PSEUDONYM_SECRET }]);
  });

  it('needs exactly one of the two', () => {
    const both = { RESIDENT_PSEUDONYM_KEYRING_FILE: fileWith(JSON.stringify({ current: '2026-01', keys })) };
    for (const env of [both, withoutSecret]) {
      expect(problemsOf(env)).toEqual(['RESIDENT_PSEUDONYM_KEYRING_FILE or RESIDENT_PSEUDONYM_SECRET: set exactly one']);
    }
  });

  it('refuses an unreadable or invalid file in one problem naming the variable, never a path or a secret', () => {
    const missing = join(tmpdir(), 'no-such-folder-here', 'keyring.json');
    expect(problemsOf({ ...withoutSecret, RESIDENT_PSEUDONYM_KEYRING_FILE: missing })).toEqual(['RESIDENT_PSEUDONYM_KEYRING_FILE cannot be read']);
    const invalid = fileWith(JSON.stringify({ current: '2026-01', keys: [keys[1], { ...keys[0], secret: keys[1]!.secret }] }));
    const problems = problemsOf({ ...withoutSecret, RESIDENT_PSEUDONYM_KEYRING_FILE: invalid });
    expect(problems).toEqual(['RESIDENT_PSEUDONYM_KEYRING_FILE keys[1].secret repeats keys[0].secret']);
    expect(problems.join()).not.toContain(keys[1]!.secret);
    const notJson = fileWith(`{"current": "2026-01", "keys": [{"id": "2026-01", "secret": "${keys[1]!.secret}"`);
    expect(problemsOf({ ...withoutSecret, RESIDENT_PSEUDONYM_KEYRING_FILE: notJson })).toEqual(['RESIDENT_PSEUDONYM_KEYRING_FILE is not valid JSON']);
  });
});

describe('tracing settings', () => {
  it('exports nothing unless an OTLP endpoint is set, and names the service resident-access by default', () => {
    expect(loadConfig(base).tracing).toEqual({ serviceName: 'resident-access', otlpEndpoint: null });
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'ra-eu' }).tracing).toEqual({
      serviceName: 'ra-eu',
      otlpEndpoint: 'http://collector:4318',
    });
  });

  it('refuses an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' })).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s):// URL']);
  });

  it('refuses an OTEL_SDK_DISABLED other than true or false (tracing reads it before the configuration loads)', () => {
    expect(problemsOf({ OTEL_SDK_DISABLED: 'yes' })).toEqual(['OTEL_SDK_DISABLED must be true or false']);
    expect(problemsOf({ OTEL_SDK_DISABLED: 'true' })).toEqual([]);
  });
});

describe('MongoDB and Kafka client settings', () => {
  it("default to the drivers' settings the service was tuned with, and derive when a monitor check counts as stalled", () => {
    const config = loadConfig(base);
    expect(config.mongo.client).toEqual({ connectTimeoutMs: 10000, heartbeatFrequencyMs: 10000, serverSelectionTimeoutMs: 5000, maxPoolSize: 100, monitorStalledAfterMs: 35000 });
    expect(config.mongo.callMaxTimeMs).toBe(30000);
    expect(config.kafka).toMatchObject({ connectionTimeoutMs: 3000, requestTimeoutMs: 10000 });
  });

  it('take what is set, and the stall bound follows the connect timeout and the heartbeat', () => {
    const config = loadConfig({
      ...base,
      MONGODB_CONNECT_TIMEOUT_MS: '2000',
      MONGODB_HEARTBEAT_INTERVAL_MS: '1000',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1500',
      MONGODB_MAX_POOL_SIZE: '40',
      MONGODB_CALL_MAX_TIME_MS: '8000',
      KAFKA_CONNECTION_TIMEOUT_MS: '1000',
      KAFKA_REQUEST_TIMEOUT_MS: '30000',
    });
    expect(config.mongo.client).toEqual({
      connectTimeoutMs: 2000,
      heartbeatFrequencyMs: 1000,
      serverSelectionTimeoutMs: 1500,
      maxPoolSize: 40,
      monitorStalledAfterMs: 2 * 2000 + 1000 + 5000,
    });
    expect(config.mongo.callMaxTimeMs).toBe(8000);
    expect(config.kafka).toMatchObject({ connectionTimeoutMs: 1000, requestTimeoutMs: 30000 });
  });

  it('refuse values the drivers cannot use, naming the variable and never the value', () => {
    const problems = problemsOf({
      MONGODB_CONNECT_TIMEOUT_MS: '0',
      MONGODB_HEARTBEAT_INTERVAL_MS: '100',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: 'soon',
      MONGODB_MAX_POOL_SIZE: '5000',
      MONGODB_CALL_MAX_TIME_MS: '2147483648',
      KAFKA_CONNECTION_TIMEOUT_MS: '-1',
      KAFKA_REQUEST_TIMEOUT_MS: '1.5',
    });
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'MONGODB_CONNECT_TIMEOUT_MS',
      'MONGODB_HEARTBEAT_INTERVAL_MS',
      'MONGODB_SERVER_SELECTION_TIMEOUT_MS',
      'MONGODB_MAX_POOL_SIZE',
      'MONGODB_CALL_MAX_TIME_MS',
      'KAFKA_CONNECTION_TIMEOUT_MS',
      'KAFKA_REQUEST_TIMEOUT_MS',
    ]);
    for (const value of ['soon', '5000', '2147483648', '1.5']) expect(problems.join('; ')).not.toContain(value);
  });
});

describe('tuning', () => {
  it('holds every fixed number the wiring uses, the same in every loaded config', () => {
    expect(loadConfig(base).tuning).toEqual(TUNING);
    expect(TUNING).toMatchObject({ mongoMonitorCheckEveryMs: 5000, kafkaProbeTimeoutMs: 3000, bulkRemovalAnswerWaitMs: 5000 });
  });
});
