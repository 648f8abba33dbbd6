import { z } from 'zod';

/**
 * Every setting the service reads, from environment variables. Validated once at start-up;
 * the rest of the code receives the typed `Config` and never reads `process.env`.
 */
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const brokerList = z
  .string()
  .min(1)
  .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port[,host:port...]')).min(1));

export const configSchema = z.object({
  GRPC_HOST: z.string().min(1).default('127.0.0.1'),
  GRPC_PORT: port.default(50051),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI').default('mongodb://127.0.0.1:27017'),
  MONGODB_DATABASE: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).default('resident_access'),
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).default('resident-access'),
  KAFKA_ACCESS_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).default('resident-access.access-changed.v1'),
  KAFKA_SETTINGS_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).default('resident-access.clinic-settings-changed.v1'),
  KAFKA_TOPIC_PARTITIONS: positiveInt.default(3),
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(-1).default(-1),
  CLOUDEVENTS_SOURCE: z.string().min(1).default('/resident-access'),
  RESIDENT_PSEUDONYM_SECRET: z.string().min(32, 'must be at least 32 characters'),
  RELAY_POLL_INTERVAL_MS: positiveInt.default(2000),
  RELAY_BATCH_SIZE: positiveInt.max(1000).default(100),
  RELAY_LEASE_MS: positiveInt.default(30000),
  STORAGE_CLAIM_TIMEOUT_MS: positiveInt.default(30000),
  STORAGE_WRITER: z.enum(['auto', 'conditional', 'claims']).default('auto'),
  EXPIRY_POLL_INTERVAL_MS: positiveInt.default(60000),
  EXPIRY_BATCH_SIZE: positiveInt.max(5000).default(500),
  SETTINGS_REFRESH_INTERVAL_MS: positiveInt.default(1000),
  CONSISTENCY_WAIT_MS: positiveInt.max(30000).default(1000),
  REQUEST_ID_RETENTION_DAYS: positiveInt.max(3650).default(30),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: port.default(9464),
  HEALTH_CHECK_INTERVAL_MS: positiveInt.default(2000),
  SHUTDOWN_GRACE_MS: positiveInt.default(10000),
  REGISTER_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/).default('population-register.residents.v1'),
  REGISTER_CONSUMER_GROUP: z.string().min(1).default('resident-access.register'),
  AUTH_MODE: z.enum(['jwt', 'development']).default('jwt'),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).default('resident-access'),
  AUTH_ALGORITHMS: z
    .string()
    .default('ES256')
    .transform((s) => s.split(',').map((a) => a.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'])).min(1)),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_PUBLIC_KEY: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** JWT mode (the default) needs an issuer and exactly one key source; development mode needs none. */
function authProblems(present: Record<string, string | undefined>): string[] {
  if ((present.AUTH_MODE ?? 'jwt') !== 'jwt') return [];
  const problems: string[] = [];
  if (!present.AUTH_ISSUER) problems.push('AUTH_ISSUER is required when AUTH_MODE=jwt');
  if (!present.AUTH_JWKS_URL === !present.AUTH_PUBLIC_KEY) {
    problems.push('AUTH_JWKS_URL or AUTH_PUBLIC_KEY: set exactly one when AUTH_MODE=jwt');
  }
  return problems;
}

type Env = z.infer<typeof configSchema>;

export interface Config {
  grpc: { host: string; port: number };
  mongo: { uri: string; database: string };
  kafka: {
    brokers: string[];
    clientId: string;
    accessTopic: string;
    settingsTopic: string;
    topicPartitions: number;
    topicReplicationFactor: number;
  };
  events: { source: string; pseudonymSecret: string };
  relay: { pollIntervalMs: number; batchSize: number; leaseMs: number };
  /** After this long, a write claimed by a writer that never wrote it is taken over (docs/ferretdb.md). */
  storage: { claimTimeoutMs: number; writer: 'auto' | 'conditional' | 'claims' };
  register: { topic: string; consumerGroup: string };
  expiry: { pollIntervalMs: number; batchSize: number };
  /** Entitlement reads: how often the in-memory clinic settings look for changes; how long a consistency token is waited for. */
  reads: { settingsRefreshMs: number; consistencyWaitMs: number };
  /** How long a request id (per clinic and caller) is remembered for retries (AIP-155). */
  requests: { retentionMs: number };
  /** Same shape as src/auth's AuthSettings (config imports nothing else from src/). */
  auth:
    | { mode: 'development' }
    | { mode: 'jwt'; issuer: string; audience: string; algorithms: string[]; jwksUrl?: string; publicKeyPem?: string };
  metrics: { host: string; port: number };
  healthCheckIntervalMs: number;
  shutdownGraceMs: number;
  logLevel: Env['LOG_LEVEL'];
}

/** The names of every variable the configuration knows, for deploy-file checks. */
export const knownVariables = Object.keys(configSchema.shape);

/** The variables with no default: every deployment must set them. */
export const requiredVariables = knownVariables.filter(
  (name) => configSchema.shape[name as keyof Env].safeParse(undefined).success === false,
);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates every variable at once; throws one ConfigError naming all offenders. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  // Name the variable and the rule, never the value: a value may be a secret.
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(unknown)');
        const reason = issue.code === 'invalid_type' && present[variable] === undefined ? 'is required' : issue.message;
        return `${variable} ${reason}`;
      });
  problems.push(...authProblems(present));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    grpc: { host: e.GRPC_HOST, port: e.GRPC_PORT },
    mongo: { uri: e.MONGODB_URI, database: e.MONGODB_DATABASE },
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID,
      accessTopic: e.KAFKA_ACCESS_TOPIC,
      settingsTopic: e.KAFKA_SETTINGS_TOPIC,
      topicPartitions: e.KAFKA_TOPIC_PARTITIONS,
      topicReplicationFactor: e.KAFKA_TOPIC_REPLICATION_FACTOR,
    },
    events: { source: e.CLOUDEVENTS_SOURCE, pseudonymSecret: e.RESIDENT_PSEUDONYM_SECRET },
    relay: { pollIntervalMs: e.RELAY_POLL_INTERVAL_MS, batchSize: e.RELAY_BATCH_SIZE, leaseMs: e.RELAY_LEASE_MS },
    storage: { claimTimeoutMs: e.STORAGE_CLAIM_TIMEOUT_MS, writer: e.STORAGE_WRITER },
    register: { topic: e.REGISTER_TOPIC, consumerGroup: e.REGISTER_CONSUMER_GROUP },
    expiry: { pollIntervalMs: e.EXPIRY_POLL_INTERVAL_MS, batchSize: e.EXPIRY_BATCH_SIZE },
    reads: { settingsRefreshMs: e.SETTINGS_REFRESH_INTERVAL_MS, consistencyWaitMs: e.CONSISTENCY_WAIT_MS },
    requests: { retentionMs: e.REQUEST_ID_RETENTION_DAYS * 24 * 60 * 60 * 1000 },
    auth:
      e.AUTH_MODE === 'development'
        ? { mode: 'development' }
        : {
            mode: 'jwt',
            issuer: e.AUTH_ISSUER!,
            audience: e.AUTH_AUDIENCE,
            algorithms: e.AUTH_ALGORITHMS,
            ...(e.AUTH_JWKS_URL ? { jwksUrl: e.AUTH_JWKS_URL } : { publicKeyPem: e.AUTH_PUBLIC_KEY! }),
          },
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT },
    healthCheckIntervalMs: e.HEALTH_CHECK_INTERVAL_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
  };
}
