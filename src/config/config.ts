import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isLoopbackHost } from './loopback';
import { MIN_SECRET_LENGTH, parseKeyRing, PseudonymKeyRing, SINGLE_SECRET_KEY_ID } from './pseudonym-key-ring';
import { mongoTlsOn, transportFindings } from './transport-security';

export { isLoopbackHost } from './loopback';

/**
 * Every setting the service reads, from environment variables. Validated once at start-up;
 * the rest of the code receives the typed `Config` and never reads `process.env`.
 */
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const brokerList = z
  .string()
  .min(1)
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port[,host:port...]')).min(1));

const flag = z
  .enum(['true', 'false'], 'must be true or false')
  .default('false')
  .transform((v) => v === 'true');
const filePath = z.string().min(1).optional();

export const configSchema = z.object({
  GRPC_HOST: z.string().min(1).default('127.0.0.1'),
  GRPC_PORT: port.default(50051),
  GRPC_HEALTH_PORT: port.optional(),
  GRPC_TLS_CERT_FILE: filePath,
  GRPC_TLS_KEY_FILE: filePath,
  GRPC_TLS_CLIENT_CA_FILE: filePath,
  GRPC_TLS_RELOAD_INTERVAL_MS: positiveInt.default(60000),
  GRPC_ALLOW_INSECURE: flag,
  GRPC_MAX_RECEIVE_MESSAGE_BYTES: positiveInt.default(1024 * 1024),
  GRPC_MAX_SEND_MESSAGE_BYTES: positiveInt.default(4 * 1024 * 1024),
  GRPC_MAX_CONCURRENT_STREAMS: positiveInt.default(100),
  GRPC_KEEPALIVE_TIME_MS: positiveInt.default(120000),
  GRPC_KEEPALIVE_TIMEOUT_MS: positiveInt.default(20000),
  GRPC_MAX_CONNECTION_IDLE_MS: positiveInt.default(300000),
  GRPC_MAX_CONNECTION_AGE_MS: positiveInt.default(1800000),
  GRPC_MAX_CONNECTION_AGE_GRACE_MS: positiveInt.default(30000),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI')
    .default('mongodb://127.0.0.1:27017'),
  MONGODB_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/)
    .default('resident_access'),
  MONGODB_TLS: flag,
  MONGODB_ALLOW_INSECURE: flag,
  MONGODB_TLS_CA_FILE: filePath,
  MONGODB_TLS_CERT_KEY_FILE: filePath,
  MONGODB_USERNAME: z.string().min(1).optional(),
  MONGODB_PASSWORD: z.string().min(1).optional(),
  MONGODB_PASSWORD_FILE: filePath,
  MONGODB_AUTH_SOURCE: z.string().min(1).default('admin'),
  MONGODB_CONNECT_TIMEOUT_MS: positiveInt.default(10000),
  MONGODB_HEARTBEAT_INTERVAL_MS: positiveInt.min(500).default(10000),
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: positiveInt.default(5000),
  // The driver's own default.
  MONGODB_MAX_POOL_SIZE: positiveInt.max(1000).default(100),
  // maxTimeMS is a 32-bit integer on the server.
  MONGODB_CALL_MAX_TIME_MS: positiveInt.max(2 ** 31 - 1).default(30000),
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).default('resident-access'),
  KAFKA_SSL: flag,
  KAFKA_ALLOW_INSECURE: flag,
  KAFKA_SSL_CA_FILE: filePath,
  KAFKA_SSL_CERT_FILE: filePath,
  KAFKA_SSL_KEY_FILE: filePath,
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD_FILE: filePath,
  KAFKA_ACCESS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/)
    .default('resident-access.access-changed.v1'),
  KAFKA_SETTINGS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/)
    .default('resident-access.clinic-settings-changed.v1'),
  KAFKA_TOPIC_PARTITIONS: positiveInt.default(3),
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(-1).default(-1),
  KAFKA_CONNECTION_TIMEOUT_MS: positiveInt.default(3000),
  KAFKA_REQUEST_TIMEOUT_MS: positiveInt.default(10000),
  CLOUDEVENTS_SOURCE: z.string().min(1).default('/resident-access'),
  // One of these two (pseudonymKeys below).
  RESIDENT_PSEUDONYM_SECRET: z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`).optional(),
  RESIDENT_PSEUDONYM_KEYRING_FILE: filePath,
  RELAY_POLL_INTERVAL_MS: positiveInt.default(2000),
  RELAY_BATCH_SIZE: positiveInt.max(1000).default(100),
  RELAY_LEASE_MS: positiveInt.default(30000),
  EXPIRY_POLL_INTERVAL_MS: positiveInt.default(60000),
  EXPIRY_BATCH_SIZE: positiveInt.max(5000).default(500),
  SETTINGS_REFRESH_INTERVAL_MS: positiveInt.default(1000),
  CONSISTENCY_WAIT_MS: positiveInt.max(30000).default(1000),
  // HSLF-FS 2016:40 4 kap. 9 § keeps access logs at least five years: 1827 days covers any five.
  ACCESS_LOG_RETENTION_DAYS: positiveInt.max(36500).default(1827),
  RETENTION_PURGE_INTERVAL_MS: positiveInt.default(3600000),
  // The same five years as the access log: who changed a resident's access is read as care-provider logging.
  AUDIT_RETENTION_DAYS: positiveInt.max(36500).default(1827),
  ENDED_ACCESS_RETENTION_DAYS: positiveInt.max(3650).default(30),
  ACCESS_LOG_BATCH_SIZE: positiveInt.max(10000).default(500),
  ACCESS_LOG_WRITES_IN_FLIGHT: positiveInt.max(64).default(2),
  ACCESS_LOG_MAX_WAITING_PER_CALLER: positiveInt.default(5000),
  RATE_LIMIT_LOOKUP_PER_MINUTE: positiveInt.default(30),
  RATE_LIMIT_LOOKUP_BURST: positiveInt.default(20),
  RATE_LIMIT_ENTITLEMENTS_PER_SECOND: positiveInt.default(500),
  RATE_LIMIT_ENTITLEMENTS_BURST: positiveInt.default(1000),
  RATE_LIMIT_RESIDENT_CALLS_PER_SECOND: positiveInt.default(10),
  RATE_LIMIT_RESIDENT_CALLS_BURST: positiveInt.default(50),
  RATE_LIMIT_LISTINGS_PER_SECOND: positiveInt.default(2),
  RATE_LIMIT_LISTINGS_BURST: positiveInt.default(20),
  REQUEST_ID_RETENTION_DAYS: positiveInt.max(3650).default(30),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: port.default(9464),
  HEALTH_CHECK_INTERVAL_MS: positiveInt.default(2000),
  SHUTDOWN_GRACE_MS: positiveInt.default(10000),
  REGISTER_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/)
    .default('population-register.residents.v1'),
  REGISTER_CONSUMER_GROUP: z.string().min(1).default('resident-access.register'),
  AUTH_MODE: z.enum(['jwt', 'development']).default('jwt'),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).default('resident-access'),
  AUTH_ALGORITHMS: z
    .string()
    .default('ES256')
    .transform((s) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'])).min(1)),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_PUBLIC_KEY: z.string().min(1).optional(),
  // RFC 9068's access-token type; identity providers that write `JWT` need it added explicitly.
  AUTH_TOKEN_TYPES: z
    .string()
    .default('at+jwt')
    .transform((s) =>
      s
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9.+/-]{1,64}$/, 'must be comma-separated media types such as at+jwt')).min(1)),
  // An hour covers the common identity providers' access tokens; 30 days is the longest a local token lives.
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: positiveInt.max(30 * 24 * 60 * 60).default(3600),
  AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS: flag,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Unset: spans are made (log lines carry trace ids) but none is exported.
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an http(s):// URL')
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('resident-access'),
  // Test-only: a crash the fault tests provoke (test/faults/crash-after-publish.test.ts).
  RESIDENT_ACCESS_FAILPOINT: z.enum(['exit-after-publish']).optional(),
});

/** JWT mode (the default) needs an issuer and exactly one key source; development mode needs none. */
function authProblems(present: Record<string, string | undefined>): string[] {
  if ((present.AUTH_MODE ?? 'jwt') !== 'jwt') return [];
  const problems: string[] = [];
  if (!present.AUTH_ISSUER) problems.push('AUTH_ISSUER is required when AUTH_MODE=jwt');
  if (!present.AUTH_JWKS_URL === !present.AUTH_PUBLIC_KEY) {
    problems.push('AUTH_JWKS_URL or AUTH_PUBLIC_KEY: set exactly one when AUTH_MODE=jwt');
  }
  // Without client certificates no token could ever be shown bound to one: every call would fail.
  if (present.AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS === 'true' && !present.GRPC_TLS_CLIENT_CA_FILE) {
    problems.push('AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS=true needs GRPC_TLS_CLIENT_CA_FILE (mTLS)');
  }
  return problems;
}

type Present = Record<string, string | undefined>;

/**
 * What may listen where: development mode and plaintext only on loopback (an explicit
 * GRPC_ALLOW_INSECURE=true lets plaintext through, e.g. behind a TLS-terminating mesh).
 */
function exposureProblems(present: Present): string[] {
  const problems: string[] = [];
  const loopback = isLoopbackHost(present.GRPC_HOST ?? '127.0.0.1');
  if (present.AUTH_MODE === 'development' && !loopback) {
    problems.push('AUTH_MODE=development is allowed only when GRPC_HOST is loopback (127.0.0.0/8, ::1, localhost)');
  }
  if (present.AUTH_JWKS_URL && URL.canParse(present.AUTH_JWKS_URL)) {
    const url = new URL(present.AUTH_JWKS_URL);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
      problems.push('AUTH_JWKS_URL must be https: (http: only for a loopback host)');
    }
  }
  if (!present.GRPC_TLS_CERT_FILE !== !present.GRPC_TLS_KEY_FILE) problems.push('GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE: set both or neither');
  const tls = Boolean(present.GRPC_TLS_CERT_FILE && present.GRPC_TLS_KEY_FILE);
  if (present.GRPC_TLS_CLIENT_CA_FILE && !tls) problems.push('GRPC_TLS_CLIENT_CA_FILE needs GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE');
  if (!loopback && !tls && present.GRPC_ALLOW_INSECURE !== 'true') {
    problems.push('GRPC_HOST is not loopback: set GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE, or GRPC_ALLOW_INSECURE=true');
  }
  return problems;
}

/** Kafka and MongoDB security settings that only make sense together. */
function connectionProblems(present: Present): string[] {
  const problems: string[] = [];
  const kafkaSsl = present.KAFKA_SSL === 'true';
  for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE']) {
    if (present[name] && !kafkaSsl) problems.push(`${name} needs KAFKA_SSL=true`);
  }
  if (!present.KAFKA_SSL_CERT_FILE !== !present.KAFKA_SSL_KEY_FILE) problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: set both or neither');
  if (present.KAFKA_SASL_MECHANISM) {
    if (!present.KAFKA_SASL_USERNAME) problems.push('KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set');
    if (!present.KAFKA_SASL_PASSWORD === !present.KAFKA_SASL_PASSWORD_FILE) {
      problems.push('KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE: set exactly one when KAFKA_SASL_MECHANISM is set');
    }
    // PLAIN sends the password itself: only inside TLS.
    if (present.KAFKA_SASL_MECHANISM === 'plain' && !kafkaSsl) problems.push('KAFKA_SASL_MECHANISM=plain needs KAFKA_SSL=true');
  } else if (present.KAFKA_SASL_USERNAME || present.KAFKA_SASL_PASSWORD || present.KAFKA_SASL_PASSWORD_FILE) {
    problems.push('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD(_FILE) need KAFKA_SASL_MECHANISM');
  }
  if (present.MONGODB_USERNAME && !present.MONGODB_PASSWORD === !present.MONGODB_PASSWORD_FILE) {
    problems.push('MONGODB_PASSWORD or MONGODB_PASSWORD_FILE: set exactly one when MONGODB_USERNAME is set');
  }
  if (!present.MONGODB_USERNAME && (present.MONGODB_PASSWORD || present.MONGODB_PASSWORD_FILE)) {
    problems.push('MONGODB_PASSWORD(_FILE) needs MONGODB_USERNAME');
  }
  const mongoTls = mongoTlsOn(present);
  for (const name of ['MONGODB_TLS_CA_FILE', 'MONGODB_TLS_CERT_KEY_FILE']) {
    if (present[name] && !mongoTls) problems.push(`${name} needs MONGODB_TLS=true`);
  }
  return problems;
}

/** A secret given inline or as a mounted file (`<NAME>_FILE`); the file's final newline is not part of it. */
function secret(present: Present, name: string, problems: string[]): string | undefined {
  const file = present[`${name}_FILE`];
  if (!file) return present[name];
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch {
    problems.push(`${name}_FILE cannot be read`);
    return undefined;
  }
}

/** The key ring from its file, or RESIDENT_PSEUDONYM_SECRET as a ring of one key (local use, tests). */
function pseudonymKeys(present: Present, problems: string[]): PseudonymKeyRing | undefined {
  const file = present.RESIDENT_PSEUDONYM_KEYRING_FILE;
  if (!file === !present.RESIDENT_PSEUDONYM_SECRET) {
    problems.push('RESIDENT_PSEUDONYM_KEYRING_FILE or RESIDENT_PSEUDONYM_SECRET: set exactly one');
    return undefined;
  }
  if (!file) return new PseudonymKeyRing({ id: SINGLE_SECRET_KEY_ID, secret: present.RESIDENT_PSEUDONYM_SECRET! });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problems.push('RESIDENT_PSEUDONYM_KEYRING_FILE cannot be read');
    return undefined;
  }
  const ring = parseKeyRing(text);
  if (ring instanceof PseudonymKeyRing) return ring;
  problems.push(`RESIDENT_PSEUDONYM_KEYRING_FILE ${ring.problem}`);
  return undefined;
}

type Env = z.infer<typeof configSchema>;

/** Certificate and key (PEM files, re-read every reloadIntervalMs); with clientCaFile, callers must present a certificate it signed. */
export interface GrpcTls {
  certFile: string;
  keyFile: string;
  clientCaFile?: string;
  reloadIntervalMs: number;
}

export interface GrpcLimits {
  maxReceiveMessageBytes: number;
  maxSendMessageBytes: number;
  maxConcurrentStreams: number;
  keepaliveTimeMs: number;
  keepaliveTimeoutMs: number;
  maxConnectionIdleMs: number;
  maxConnectionAgeMs: number;
  maxConnectionAgeGraceMs: number;
}

export interface Config {
  /** healthPort: a plaintext listener with grpc.health.v1 only, for probes that cannot speak TLS. */
  grpc: { host: string; port: number; healthPort?: number; tls: GrpcTls | null; allowInsecure: boolean; limits: GrpcLimits };
  mongo: {
    uri: string;
    database: string;
    tls: { enabled: boolean; caFile?: string; certKeyFile?: string };
    credentials: { username: string; password: string; authSource: string } | null;
    /** The driver's timeouts; a monitor check outstanding past `monitorStalledAfterMs` is taken for stalled (stalled-monitor-watchdog.ts). */
    client: { connectTimeoutMs: number; heartbeatFrequencyMs: number; serverSelectionTimeoutMs: number; maxPoolSize: number; monitorStalledAfterMs: number };
    /** The longest server-side time (maxTimeMS) of an operation done for a gRPC call: its remaining deadline, at most this. */
    callMaxTimeMs: number;
  };
  kafka: {
    brokers: string[];
    clientId: string;
    /** null: plaintext. Files are PEM. */
    ssl: { caFile?: string; certFile?: string; keyFile?: string } | null;
    sasl: { mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain'; username: string; password: string } | null;
    accessTopic: string;
    settingsTopic: string;
    topicPartitions: number;
    topicReplicationFactor: number;
    connectionTimeoutMs: number;
    requestTimeoutMs: number;
  };
  events: { source: string; pseudonymKeys: PseudonymKeyRing };
  relay: { pollIntervalMs: number; batchSize: number; leaseMs: number };
  register: { topic: string; consumerGroup: string };
  expiry: { pollIntervalMs: number; batchSize: number };
  /** Entitlement reads: how often the in-memory clinic settings look for changes; how long a consistency token is waited for. */
  reads: { settingsRefreshMs: number; consistencyWaitMs: number };
  /** Reads of residents' personal data are logged and kept this long; expired records are purged this often. */
  /** The log of reads: kept `retentionDays`; each read's entry stored before it answers, group-committed (see MongoAccessLog). */
  accessLog: { retentionDays: number; batchSize: number; maxWritesInFlight: number; maxWaitingPerCaller: number };
  /** Audit entries kept `auditDays` after their change; an ended access forgotten `endedAccessDays` after it ended. */
  retention: { purgeIntervalMs: number; auditDays: number; endedAccessDays: number };
  /** Per caller (token subject), shared by every instance: token buckets, refill per second and burst. */
  rateLimits: {
    lookup: { perSecond: number; burst: number };
    entitlements: { perSecond: number; burst: number };
    residentCalls: { perSecond: number; burst: number };
    listings: { perSecond: number; burst: number };
  };
  /** How long a request id (per clinic and caller) is remembered for retries (AIP-155). */
  requests: { retentionMs: number };
  /** Same shape as src/auth's AuthSettings (config imports nothing else from src/). */
  auth:
    | { mode: 'development' }
    | {
        mode: 'jwt';
        issuer: string;
        audience: string;
        algorithms: string[];
        tokenTypes: string[];
        maxLifetimeSeconds: number;
        requireCertificateBoundTokens: boolean;
        jwksUrl?: string;
        publicKeyPem?: string;
      };
  metrics: { host: string; port: number };
  healthCheckIntervalMs: number;
  shutdownGraceMs: number;
  logLevel: Env['LOG_LEVEL'];
  /** otlpEndpoint null: no exporter (spans only for log correlation and the Kafka traceparent header). */
  tracing: { serviceName: string; otlpEndpoint: string | null };
  tuning: Tuning;
  /** Test-only: `exit-after-publish` kills the process once Kafka has acknowledged the access relay's first batch, before it is marked published. */
  failpoint: 'exit-after-publish' | null;
  /** Links to Kafka or MongoDB off loopback without (verified) TLS that KAFKA_/MONGODB_ALLOW_INSECURE=true let through: logged as warnings at start-up. */
  insecureTransportWarnings: string[];
}

/**
 * The service's remaining numbers: fixed, not read from the environment (none is a deployment's
 * business), but named here so that no number hides in the wiring code.
 */
export interface Tuning {
  /** How often the stalled-monitor watchdog looks at the driver's outstanding server checks. */
  mongoMonitorCheckEveryMs: number;
  /** A server check may last two connect timeouts (connect, handshake) or a heartbeat; stalled only this much beyond. */
  mongoMonitorStallMarginMs: number;
  /** The health monitor's Kafka probe: a broker that has not answered by then counts as down. */
  kafkaProbeTimeoutMs: number;
  /** A health probe is given at least this long (or the check interval, if longer) before it counts as failed. */
  healthProbeTimeoutFloorMs: number;
  /** kafkajs's own retries inside one send; the relay retries beyond them with its backoff. */
  kafkaSendRetry: { retries: number; initialRetryTime: number; maxRetryTime: number };
  /** Joining the register topic while Kafka is unreachable or the topic is missing. */
  registerJoinRetry: { initialMs: number; maxMs: number };
  /** A failed bulk removal, withdrawal or republish run is tried again after a delay growing from initialMs to maxMs. */
  backgroundRunBackoff: { initialMs: number; maxMs: number };
  /** The relays' wait after a failed publish: from initialMs doubling to maxMs, jittered, reset by a success. */
  relayBackoff: { initialMs: number; maxMs: number };
  /** The expiry worker's and retention purge's first wait after a failure (growing to their poll interval). */
  workerRetryInitialMs: number;
  /** The rate limits remember this many callers each, in memory; past it the idlest are forgotten. */
  rateLimitCallersRemembered: number;
  /** How long RemoveApprovals waits for its job before answering with the job's progress. */
  bulkRemovalAnswerWaitMs: number;
  /**
   * Bearer tokens: `exp`/`nbf` may be this far off the issuer's clock; verified tokens are remembered
   * (by digest) so repeated calls skip the signature check: this long, this many.
   */
  tokens: { clockToleranceSeconds: number; verified: { maxAgeMs: number; maxEntries: number } };
  /** A cancel this close to the call's deadline counts as DEADLINE_EXCEEDED (a client cancels at its own deadline, a transit earlier). */
  deadlineSlackMs: number;
  /** An entitlement query waiting for a consistency token looks at storage this often. */
  consistencyPollMs: number;
  /** One scrape's read of an outbox's backlog serves the next scrapes this long (several Prometheus servers). */
  outboxBacklogCacheMs: number;
  /**
   * The change loop (src/application). maxAttempts: compare-and-set attempts per change, enough for
   * any realistic contention on one document (beyond it: CONCURRENT_MODIFICATION, the caller retries);
   * sweepPageSize: accesses a sweep reads and changes together (one read, a few writes);
   * retryConcurrency: a batch's lost races are retried one by one, this many at a time.
   */
  changes: { maxAttempts: number; sweepPageSize: number; retryConcurrency: number };
  /**
   * Bulk jobs save their progress every so many residents (a crash repeats at most this many, as
   * replays). A bulk removal's claim of its clinic whose job was never stored (its instance died
   * between the two writes) is let go after `unstoredJobGraceMs`; claiming is tried `claimAttempts` times.
   */
  bulkJobs: { removalProgressEvery: number; republishProgressEvery: number; unstoredJobGraceMs: number; claimAttempts: number };
  /**
   * The relays: batches whose marks may still be in flight while the next are sent (times the batch size);
   * events held in memory at most during a Kafka outage (past it, documents are read back).
   */
  relay: { marksAhead: number; maxHeldEvents: number };
  /**
   * The per-resident views: confirmations a command leaves for the relay (past it, the oldest go and
   * the relay re-applies, idempotent); the rebuild's batch; compare-and-set attempts of one view
   * write (writers on the resident's other clinics may win); residents written at once.
   */
  residentViews: { maxConfirmations: number; rebuildBatch: number; writeAttempts: number; concurrentResidents: number };
  /**
   * The MongoDB adapters: compare-and-set attempts of the relay's outbox writes (commands and other
   * relays move a document between a read and a write); attempts to reserve a request id.
   */
  mongo: { outboxWriteAttempts: number; requestIdAttempts: number };
}

export const TUNING: Tuning = {
  mongoMonitorCheckEveryMs: 5000,
  mongoMonitorStallMarginMs: 5000,
  kafkaProbeTimeoutMs: 3000,
  healthProbeTimeoutFloorMs: 5000,
  kafkaSendRetry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  registerJoinRetry: { initialMs: 500, maxMs: 30_000 },
  backgroundRunBackoff: { initialMs: 1000, maxMs: 60_000 },
  relayBackoff: { initialMs: 100, maxMs: 5000 },
  workerRetryInitialMs: 1000,
  rateLimitCallersRemembered: 10_000,
  bulkRemovalAnswerWaitMs: 5000,
  tokens: { clockToleranceSeconds: 30, verified: { maxAgeMs: 60_000, maxEntries: 10_000 } },
  deadlineSlackMs: 100,
  consistencyPollMs: 50,
  outboxBacklogCacheMs: 1000,
  changes: { maxAttempts: 8, sweepPageSize: 200, retryConcurrency: 8 },
  bulkJobs: { removalProgressEvery: 500, republishProgressEvery: 200, unstoredJobGraceMs: 60_000, claimAttempts: 3 },
  relay: { marksAhead: 3, maxHeldEvents: 10_000 },
  residentViews: { maxConfirmations: 50_000, rebuildBatch: 500, writeAttempts: 16, concurrentResidents: 16 },
  mongo: { outboxWriteAttempts: 8, requestIdAttempts: 3 },
};

/** The names of every variable the configuration knows, for deploy-file checks. */
export const knownVariables = Object.keys(configSchema.shape);

/** The variables with no default: every deployment must set them. */
export const requiredVariables = knownVariables.filter((name) => configSchema.shape[name as keyof Env].safeParse(undefined).success === false);

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
  const transport = transportFindings(present);
  problems.push(...authProblems(present), ...exposureProblems(present), ...connectionProblems(present), ...transport.refused);
  const kafkaPassword = secret(present, 'KAFKA_SASL_PASSWORD', problems);
  const mongoPassword = secret(present, 'MONGODB_PASSWORD', problems);
  if (parsed.success) problems.push(...retentionProblems(parsed.data));
  const keyRing = pseudonymKeys(present, problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    grpc: {
      host: e.GRPC_HOST,
      port: e.GRPC_PORT,
      ...(e.GRPC_HEALTH_PORT === undefined ? {} : { healthPort: e.GRPC_HEALTH_PORT }),
      tls:
        e.GRPC_TLS_CERT_FILE && e.GRPC_TLS_KEY_FILE
          ? {
              certFile: e.GRPC_TLS_CERT_FILE,
              keyFile: e.GRPC_TLS_KEY_FILE,
              ...(e.GRPC_TLS_CLIENT_CA_FILE ? { clientCaFile: e.GRPC_TLS_CLIENT_CA_FILE } : {}),
              reloadIntervalMs: e.GRPC_TLS_RELOAD_INTERVAL_MS,
            }
          : null,
      allowInsecure: e.GRPC_ALLOW_INSECURE,
      limits: {
        maxReceiveMessageBytes: e.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
        maxSendMessageBytes: e.GRPC_MAX_SEND_MESSAGE_BYTES,
        maxConcurrentStreams: e.GRPC_MAX_CONCURRENT_STREAMS,
        keepaliveTimeMs: e.GRPC_KEEPALIVE_TIME_MS,
        keepaliveTimeoutMs: e.GRPC_KEEPALIVE_TIMEOUT_MS,
        maxConnectionIdleMs: e.GRPC_MAX_CONNECTION_IDLE_MS,
        maxConnectionAgeMs: e.GRPC_MAX_CONNECTION_AGE_MS,
        maxConnectionAgeGraceMs: e.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
      },
    },
    mongo: {
      uri: e.MONGODB_URI,
      database: e.MONGODB_DATABASE,
      tls: {
        enabled: e.MONGODB_TLS,
        ...(e.MONGODB_TLS_CA_FILE ? { caFile: e.MONGODB_TLS_CA_FILE } : {}),
        ...(e.MONGODB_TLS_CERT_KEY_FILE ? { certKeyFile: e.MONGODB_TLS_CERT_KEY_FILE } : {}),
      },
      credentials: e.MONGODB_USERNAME ? { username: e.MONGODB_USERNAME, password: mongoPassword!, authSource: e.MONGODB_AUTH_SOURCE } : null,
      client: {
        connectTimeoutMs: e.MONGODB_CONNECT_TIMEOUT_MS,
        heartbeatFrequencyMs: e.MONGODB_HEARTBEAT_INTERVAL_MS,
        serverSelectionTimeoutMs: e.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
        maxPoolSize: e.MONGODB_MAX_POOL_SIZE,
        monitorStalledAfterMs: 2 * e.MONGODB_CONNECT_TIMEOUT_MS + e.MONGODB_HEARTBEAT_INTERVAL_MS + TUNING.mongoMonitorStallMarginMs,
      },
      callMaxTimeMs: e.MONGODB_CALL_MAX_TIME_MS,
    },
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID,
      ssl: e.KAFKA_SSL
        ? {
            ...(e.KAFKA_SSL_CA_FILE ? { caFile: e.KAFKA_SSL_CA_FILE } : {}),
            ...(e.KAFKA_SSL_CERT_FILE && e.KAFKA_SSL_KEY_FILE ? { certFile: e.KAFKA_SSL_CERT_FILE, keyFile: e.KAFKA_SSL_KEY_FILE } : {}),
          }
        : null,
      sasl: e.KAFKA_SASL_MECHANISM ? { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME!, password: kafkaPassword! } : null,
      accessTopic: e.KAFKA_ACCESS_TOPIC,
      settingsTopic: e.KAFKA_SETTINGS_TOPIC,
      topicPartitions: e.KAFKA_TOPIC_PARTITIONS,
      topicReplicationFactor: e.KAFKA_TOPIC_REPLICATION_FACTOR,
      connectionTimeoutMs: e.KAFKA_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: e.KAFKA_REQUEST_TIMEOUT_MS,
    },
    events: { source: e.CLOUDEVENTS_SOURCE, pseudonymKeys: keyRing! },
    relay: { pollIntervalMs: e.RELAY_POLL_INTERVAL_MS, batchSize: e.RELAY_BATCH_SIZE, leaseMs: e.RELAY_LEASE_MS },
    register: { topic: e.REGISTER_TOPIC, consumerGroup: e.REGISTER_CONSUMER_GROUP },
    expiry: { pollIntervalMs: e.EXPIRY_POLL_INTERVAL_MS, batchSize: e.EXPIRY_BATCH_SIZE },
    reads: { settingsRefreshMs: e.SETTINGS_REFRESH_INTERVAL_MS, consistencyWaitMs: e.CONSISTENCY_WAIT_MS },
    accessLog: {
      retentionDays: e.ACCESS_LOG_RETENTION_DAYS,
      batchSize: e.ACCESS_LOG_BATCH_SIZE,
      maxWritesInFlight: e.ACCESS_LOG_WRITES_IN_FLIGHT,
      maxWaitingPerCaller: e.ACCESS_LOG_MAX_WAITING_PER_CALLER,
    },
    retention: { purgeIntervalMs: e.RETENTION_PURGE_INTERVAL_MS, auditDays: e.AUDIT_RETENTION_DAYS, endedAccessDays: e.ENDED_ACCESS_RETENTION_DAYS },
    rateLimits: {
      lookup: { perSecond: e.RATE_LIMIT_LOOKUP_PER_MINUTE / 60, burst: e.RATE_LIMIT_LOOKUP_BURST },
      entitlements: { perSecond: e.RATE_LIMIT_ENTITLEMENTS_PER_SECOND, burst: e.RATE_LIMIT_ENTITLEMENTS_BURST },
      residentCalls: { perSecond: e.RATE_LIMIT_RESIDENT_CALLS_PER_SECOND, burst: e.RATE_LIMIT_RESIDENT_CALLS_BURST },
      listings: { perSecond: e.RATE_LIMIT_LISTINGS_PER_SECOND, burst: e.RATE_LIMIT_LISTINGS_BURST },
    },
    requests: { retentionMs: e.REQUEST_ID_RETENTION_DAYS * 24 * 60 * 60 * 1000 },
    auth:
      e.AUTH_MODE === 'development'
        ? { mode: 'development' }
        : {
            mode: 'jwt',
            issuer: e.AUTH_ISSUER!,
            audience: e.AUTH_AUDIENCE,
            algorithms: e.AUTH_ALGORITHMS,
            tokenTypes: e.AUTH_TOKEN_TYPES,
            maxLifetimeSeconds: e.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
            requireCertificateBoundTokens: e.AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS,
            ...(e.AUTH_JWKS_URL ? { jwksUrl: e.AUTH_JWKS_URL } : { publicKeyPem: e.AUTH_PUBLIC_KEY! }),
          },
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT },
    healthCheckIntervalMs: e.HEALTH_CHECK_INTERVAL_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    tracing: { serviceName: e.OTEL_SERVICE_NAME, otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT ?? null },
    tuning: TUNING,
    failpoint: e.RESIDENT_ACCESS_FAILPOINT ?? null,
    insecureTransportWarnings: transport.allowed,
  };
}

/** A retry within REQUEST_ID_RETENTION_DAYS is answered from the access document or the audit trail: both must outlive it. */
function retentionProblems(e: Env): string[] {
  return (['AUDIT_RETENTION_DAYS', 'ENDED_ACCESS_RETENTION_DAYS'] as const)
    .filter((variable) => e[variable] < e.REQUEST_ID_RETENTION_DAYS)
    .map((variable) => `${variable} must be at least REQUEST_ID_RETENTION_DAYS`);
}
