import { z } from 'zod';
import { commaSeparated, filePath, flag, positiveInt } from '../shared/settings';

export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/);

/** Kafka's environment variables (the register's topic is src/register's); TLS and SASL rules are checked by src/config. */
export const publishingEnv = z.object({
  KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform(commaSeparated)
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port[,host:port...]')).min(1))
    .default(commaSeparated(DEFAULT_KAFKA_BROKERS))
    .describe('comma-separated `host:port` list'),
  KAFKA_CLIENT_ID: z.string().min(1).default('resident-access').describe('Kafka client id'),
  KAFKA_SSL: flag.describe('TLS to the brokers (certificate verified); brokers off loopback → required (or `KAFKA_ALLOW_INSECURE=true`)'),
  KAFKA_ALLOW_INSECURE: flag.describe('`true` allows plaintext, SASL SCRAM included, to brokers off loopback (logged as a warning at start-up); PLAIN stays refused without TLS'),
  KAFKA_SSL_CA_FILE: filePath.describe("PEM CA to trust (else the system's); read at start"),
  KAFKA_SSL_CERT_FILE: filePath.describe('PEM client certificate; with `KAFKA_SSL_KEY_FILE` or not at all; read at start'),
  KAFKA_SSL_KEY_FILE: filePath.describe('PEM key of the client certificate; read at start'),
  KAFKA_SASL_MECHANISM: z
    .enum(['scram-sha-512', 'scram-sha-256', 'plain'])
    .optional()
    .meta({ description: '`scram-sha-512`, `scram-sha-256`, or `plain` (only with `KAFKA_SSL=true`)', shownDefault: 'unset (no SASL)' }),
  KAFKA_SASL_USERNAME: z.string().min(1).optional().describe('the SASL user'),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional().describe('its password (or `KAFKA_SASL_PASSWORD_FILE`); never logged'),
  KAFKA_SASL_PASSWORD_FILE: filePath.describe("a file holding the password instead (a mounted Secret; the file's final newline is ignored)"),
  KAFKA_ACCESS_TOPIC: topicName.default('resident-access.access-changed.v1').describe('topic of access-changed events (created compacted if missing)'),
  KAFKA_SETTINGS_TOPIC: topicName.default('resident-access.clinic-settings-changed.v1').describe('topic of clinic-settings-changed events (created compacted if missing)'),
  KAFKA_TOPIC_PARTITIONS: positiveInt.default(3).describe('partitions when the service creates the topic'),
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(-1).default(-1).meta({ description: 'replication when the service creates the topic', shownDefault: '`-1` (broker default)' }),
  KAFKA_CONNECTION_TIMEOUT_MS: positiveInt.default(3000).describe('how long connecting to a broker may take'),
  KAFKA_REQUEST_TIMEOUT_MS: positiveInt.default(10000).describe('how long a broker may take to answer a request (a send waits for every in-sync replica)'),
  CLOUDEVENTS_SOURCE: z.string().min(1).default('/resident-access').describe('the CloudEvents `source` attribute'),
});

type SaslMechanism = NonNullable<z.infer<typeof publishingEnv>['KAFKA_SASL_MECHANISM']>;

export interface PublishingSettings {
  kafka: {
    brokers: string[];
    clientId: string;
    /** null: plaintext. Files are PEM. */
    ssl: { caFile?: string; certFile?: string; keyFile?: string } | null;
    sasl: { mechanism: SaslMechanism; username: string; password: string } | null;
    accessTopic: string;
    settingsTopic: string;
    topicPartitions: number;
    topicReplicationFactor: number;
    connectionTimeoutMs: number;
    requestTimeoutMs: number;
  };
}

/** `password`: KAFKA_SASL_PASSWORD or the content of KAFKA_SASL_PASSWORD_FILE (read by src/config). */
export function publishingSettings(e: z.infer<typeof publishingEnv>, password: string | undefined): PublishingSettings {
  return {
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID,
      ssl: e.KAFKA_SSL
        ? {
            ...(e.KAFKA_SSL_CA_FILE ? { caFile: e.KAFKA_SSL_CA_FILE } : {}),
            ...(e.KAFKA_SSL_CERT_FILE && e.KAFKA_SSL_KEY_FILE ? { certFile: e.KAFKA_SSL_CERT_FILE, keyFile: e.KAFKA_SSL_KEY_FILE } : {}),
          }
        : null,
      sasl: e.KAFKA_SASL_MECHANISM ? { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME!, password: password! } : null,
      accessTopic: e.KAFKA_ACCESS_TOPIC,
      settingsTopic: e.KAFKA_SETTINGS_TOPIC,
      topicPartitions: e.KAFKA_TOPIC_PARTITIONS,
      topicReplicationFactor: e.KAFKA_TOPIC_REPLICATION_FACTOR,
      connectionTimeoutMs: e.KAFKA_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: e.KAFKA_REQUEST_TIMEOUT_MS,
    },
  };
}

/** Publishing's fixed numbers (not read from the environment). */
export const PUBLISHING_TUNING = {
  /** The health monitor's Kafka probe: a broker that has not answered by then counts as down. */
  kafkaProbeTimeoutMs: 3000,
  /** kafkajs's own retries inside one send; the relay retries beyond them with its backoff. */
  kafkaSendRetry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
};
