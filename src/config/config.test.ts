import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, isLoopbackHost, loadConfig, TUNING } from './config';

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
