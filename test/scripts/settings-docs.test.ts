import { readFileSync } from 'node:fs';
import { knownVariables } from '../../src/config/config';
import { documentedParts, envValuesSchema, README_PATH, readmeWithSettingsTable, TABLE_END, TABLE_START, VALUES_SCHEMA_PATH } from '../../scripts/settings-docs';

/** The variables the README documented before the settings moved beside their parts (issue 22): none may be lost or renamed. */
const DOCUMENTED_BEFORE = [
  'ACCESS_LOG_BATCH_SIZE',
  'ACCESS_LOG_MAX_WAITING_PER_CALLER',
  'ACCESS_LOG_RETENTION_DAYS',
  'ACCESS_LOG_WRITES_IN_FLIGHT',
  'AUDIT_RETENTION_DAYS',
  'AUTH_ALGORITHMS',
  'AUTH_AUDIENCE',
  'AUTH_ISSUER',
  'AUTH_JWKS_URL',
  'AUTH_MAX_TOKEN_LIFETIME_SECONDS',
  'AUTH_MODE',
  'AUTH_PUBLIC_KEY',
  'AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS',
  'AUTH_TOKEN_TYPES',
  'CLOUDEVENTS_SOURCE',
  'CONSISTENCY_WAIT_MS',
  'ENDED_ACCESS_RETENTION_DAYS',
  'EXPIRY_BATCH_SIZE',
  'EXPIRY_POLL_INTERVAL_MS',
  'GRPC_ALLOW_INSECURE',
  'GRPC_HEALTH_PORT',
  'GRPC_HOST',
  'GRPC_KEEPALIVE_TIMEOUT_MS',
  'GRPC_KEEPALIVE_TIME_MS',
  'GRPC_MAX_CONCURRENT_STREAMS',
  'GRPC_MAX_CONNECTION_AGE_GRACE_MS',
  'GRPC_MAX_CONNECTION_AGE_MS',
  'GRPC_MAX_CONNECTION_IDLE_MS',
  'GRPC_MAX_RECEIVE_MESSAGE_BYTES',
  'GRPC_MAX_SEND_MESSAGE_BYTES',
  'GRPC_PORT',
  'GRPC_TLS_CERT_FILE',
  'GRPC_TLS_CLIENT_CA_FILE',
  'GRPC_TLS_KEY_FILE',
  'GRPC_TLS_RELOAD_INTERVAL_MS',
  'HEALTH_CHECK_INTERVAL_MS',
  'KAFKA_ACCESS_TOPIC',
  'KAFKA_ALLOW_INSECURE',
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'KAFKA_CONNECTION_TIMEOUT_MS',
  'KAFKA_REQUEST_TIMEOUT_MS',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SETTINGS_TOPIC',
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_TOPIC_PARTITIONS',
  'KAFKA_TOPIC_REPLICATION_FACTOR',
  'LOG_LEVEL',
  'METRICS_HOST',
  'METRICS_PORT',
  'MONGODB_ALLOW_INSECURE',
  'MONGODB_AUTH_SOURCE',
  'MONGODB_CALL_MAX_TIME_MS',
  'MONGODB_CONNECT_TIMEOUT_MS',
  'MONGODB_DATABASE',
  'MONGODB_HEARTBEAT_INTERVAL_MS',
  'MONGODB_MAX_POOL_SIZE',
  'MONGODB_PASSWORD',
  'MONGODB_PASSWORD_FILE',
  'MONGODB_SERVER_SELECTION_TIMEOUT_MS',
  'MONGODB_TLS',
  'MONGODB_TLS_CA_FILE',
  'MONGODB_TLS_CERT_KEY_FILE',
  'MONGODB_URI',
  'MONGODB_USERNAME',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SDK_DISABLED',
  'OTEL_SERVICE_NAME',
  'RATE_LIMIT_ENTITLEMENTS_BURST',
  'RATE_LIMIT_ENTITLEMENTS_PER_SECOND',
  'RATE_LIMIT_LISTINGS_BURST',
  'RATE_LIMIT_LISTINGS_PER_SECOND',
  'RATE_LIMIT_LOOKUP_BURST',
  'RATE_LIMIT_LOOKUP_PER_MINUTE',
  'RATE_LIMIT_RESIDENT_CALLS_BURST',
  'RATE_LIMIT_RESIDENT_CALLS_PER_SECOND',
  'REGISTER_CONSUMER_GROUP',
  'REGISTER_TOPIC',
  'RELAY_BATCH_SIZE',
  'RELAY_LEASE_MS',
  'RELAY_POLL_INTERVAL_MS',
  'REQUEST_ID_RETENTION_DAYS',
  'RESIDENT_ACCESS_FAILPOINT',
  'RESIDENT_PSEUDONYM_KEYRING_FILE',
  'RESIDENT_PSEUDONYM_SECRET',
  'RETENTION_PURGE_INTERVAL_MS',
  'SETTINGS_REFRESH_INTERVAL_MS',
  'SHUTDOWN_GRACE_MS',
];

/** Fails naming the file and the fix, with the first line that differs. */
function expectGenerated(file: string, actual: string, expected: string): void {
  if (actual === expected) return;
  const actualLines = actual.split('\n');
  const expectedLines = expected.split('\n');
  const line = expectedLines.findIndex((text, i) => text !== actualLines[i]);
  throw new Error(
    `${file} is not what src/<part>/settings.ts generate: run \`npm run settings-docs\` (edit the settings modules, not the generated text). ` +
      `First difference, line ${line + 1}:\n  in the file: ${actualLines[line]}\n  generated:   ${expectedLines[line]}`,
  );
}

describe('the settings documentation is generated from the settings modules', () => {
  it("README.md's settings table is the generated one", () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expectGenerated('README.md', readme, readmeWithSettingsTable(readme));
  });

  it("the chart's values.schema.json describes every variable under env as generated", () => {
    const schema = JSON.parse(readFileSync(VALUES_SCHEMA_PATH, 'utf8')) as { properties: { env: unknown } };
    expectGenerated('deploy/helm/resident-access/values.schema.json', JSON.stringify(schema.properties.env, null, 2), JSON.stringify(envValuesSchema(), null, 2));
  });

  it('a hand edit of the table is caught', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    const edited = readme.replace('| `GRPC_PORT` | `50051` |', '| `GRPC_PORT` | `50052` |');
    expect(edited).not.toBe(readme);
    expect(() => expectGenerated('README.md', edited, readmeWithSettingsTable(edited))).toThrow(/run `npm run settings-docs`[\s\S]*GRPC_PORT/);
    expect(readme.indexOf(TABLE_START)).toBeLessThan(readme.indexOf(TABLE_END));
  });

  it('documents every variable the configuration knows, each once, in its part', () => {
    const documented = documentedParts().flatMap((part) => part.settings.map((s) => s.name));
    expect(documented).toEqual(knownVariables);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('keeps every variable documented before the settings moved beside their parts', () => {
    expect([...knownVariables].sort()).toEqual(DOCUMENTED_BEFORE);
  });
});
