import { z } from 'zod';
import { filePath, flag, positiveInt } from '../shared/settings';

export const DEFAULT_MONGODB_URI = 'mongodb://127.0.0.1:27017';

/** MongoDB's environment variables, and the stores' (access log, request ids); TLS and credential rules are checked by src/config. */
export const storageEnv = z.object({
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI')
    .default(DEFAULT_MONGODB_URI)
    .describe('the MongoDB server (production: a replica set)'),
  MONGODB_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/)
    .default('resident_access')
    .describe('database name'),
  MONGODB_TLS: flag.describe(
    'TLS to MongoDB (`tls=true` in the URI, or a `mongodb+srv://` URI, works as well); servers off loopback → TLS with verified certificates required (or `MONGODB_ALLOW_INSECURE=true`)',
  ),
  MONGODB_ALLOW_INSECURE: flag.describe(
    '`true` allows plaintext, `tlsInsecure`, `tlsAllowInvalidCertificates` or `tlsAllowInvalidHostnames` to MongoDB servers off loopback (logged as a warning at start-up)',
  ),
  MONGODB_TLS_CA_FILE: filePath.describe('PEM CA to trust'),
  MONGODB_TLS_CERT_KEY_FILE: filePath.describe('PEM client certificate followed by its key'),
  MONGODB_USERNAME: z.string().min(1).optional().describe('user name, kept out of the URI'),
  MONGODB_PASSWORD: z.string().min(1).optional().describe('its password (or `MONGODB_PASSWORD_FILE`)'),
  MONGODB_PASSWORD_FILE: filePath.describe("a file holding the password instead (a mounted Secret; the file's final newline is ignored)"),
  MONGODB_AUTH_SOURCE: z.string().min(1).default('admin').describe('database the user is defined in (with `MONGODB_USERNAME`)'),
  MONGODB_CONNECT_TIMEOUT_MS: positiveInt.default(10000).describe("bounds a connection attempt and each check of the server by the driver's monitor"),
  MONGODB_HEARTBEAT_INTERVAL_MS: positiveInt
    .min(500)
    .default(10000)
    .describe('how often the driver checks the server (at least `500`); a check outstanding past two connect timeouts plus this plus 5 s is taken for stalled and the client reconnects'),
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: positiveInt.default(5000).describe('how long an operation waits for a reachable server before failing UNAVAILABLE'),
  // The driver's own default.
  MONGODB_MAX_POOL_SIZE: positiveInt.max(1000).default(100).describe('operations in flight per instance (at most 1000)'),
  // maxTimeMS is a 32-bit integer on the server.
  MONGODB_CALL_MAX_TIME_MS: positiveInt
    .max(2 ** 31 - 1)
    .default(30000)
    .describe(
      "the longest the database may work on one operation done for a gRPC call: each is sent with what is left of the call's deadline as its `maxTimeMS`, at most this (a call without a deadline gets this), so the server stops work nobody waits for; background work (relay, expiry, jobs) is not limited by it",
    ),
  // HSLF-FS 2016:40 4 kap. 9 § keeps access logs at least five years: 1827 days covers any five.
  ACCESS_LOG_RETENTION_DAYS: positiveInt
    .max(36500)
    .default(1827)
    .describe(
      "how long the log of reads of residents' data (`access_log`) keeps an entry; five years, the minimum HSLF-FS 2016:40 4 kap. 9 § sets for access logs. Applies to entries written from then on",
    ),
  ACCESS_LOG_BATCH_SIZE: positiveInt
    .max(10000)
    .default(500)
    .describe("a read answers once its entry is stored; the entries of reads that arrive together are stored in one insert of up to this many (a listing's page in one, however big)"),
  ACCESS_LOG_WRITES_IN_FLIGHT: positiveInt.max(64).default(2).describe('inserts of the log in flight at once; a read arriving while fewer are starts one at once'),
  ACCESS_LOG_MAX_WAITING_PER_CALLER: positiveInt
    .default(5000)
    .describe("entries one caller (token `sub`) may have waiting for an insert; past it that caller's reads are refused RESOURCE_EXHAUSTED with RetryInfo, other callers' are not"),
  REQUEST_ID_RETENTION_DAYS: positiveInt
    .max(3650)
    .default(30)
    .describe(
      "how long a request id (per clinic and caller) is remembered: a retry within it gets the first answer, after it the id is new. 30 days outlasts any client's retries by far while keeping the record of who sent what bounded",
    ),
});

/** The stores' fixed numbers (not read from the environment). */
export const STORAGE_TUNING = {
  /** How often the stalled-monitor watchdog looks at the driver's outstanding server checks. */
  mongoMonitorCheckEveryMs: 5000,
  /** A server check may last two connect timeouts (connect, handshake) or a heartbeat; stalled only this much beyond. */
  mongoMonitorStallMarginMs: 5000,
  /**
   * Compare-and-set attempts of the relay's outbox writes (commands and other relays move a document
   * between a read and a write); attempts to reserve a request id.
   */
  mongo: { outboxWriteAttempts: 8, requestIdAttempts: 3 },
  /** Compare-and-set attempts of one resident-view write (writers on the resident's other clinics may win); residents written at once. */
  residentViewWrites: { writeAttempts: 16, concurrentResidents: 16 },
};

export interface StorageSettings {
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
  /** The log of reads: kept `retentionDays`; each read's entry stored before it answers, group-committed (see MongoAccessLog). */
  accessLog: { retentionDays: number; batchSize: number; maxWritesInFlight: number; maxWaitingPerCaller: number };
  /** How long a request id (per clinic and caller) is remembered for retries (AIP-155). */
  requests: { retentionMs: number };
}

/** `password`: MONGODB_PASSWORD or the content of MONGODB_PASSWORD_FILE (read by src/config). */
export function storageSettings(e: z.infer<typeof storageEnv>, password: string | undefined): StorageSettings {
  return {
    mongo: {
      uri: e.MONGODB_URI,
      database: e.MONGODB_DATABASE,
      tls: {
        enabled: e.MONGODB_TLS,
        ...(e.MONGODB_TLS_CA_FILE ? { caFile: e.MONGODB_TLS_CA_FILE } : {}),
        ...(e.MONGODB_TLS_CERT_KEY_FILE ? { certKeyFile: e.MONGODB_TLS_CERT_KEY_FILE } : {}),
      },
      credentials: e.MONGODB_USERNAME ? { username: e.MONGODB_USERNAME, password: password!, authSource: e.MONGODB_AUTH_SOURCE } : null,
      client: {
        connectTimeoutMs: e.MONGODB_CONNECT_TIMEOUT_MS,
        heartbeatFrequencyMs: e.MONGODB_HEARTBEAT_INTERVAL_MS,
        serverSelectionTimeoutMs: e.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
        maxPoolSize: e.MONGODB_MAX_POOL_SIZE,
        monitorStalledAfterMs: 2 * e.MONGODB_CONNECT_TIMEOUT_MS + e.MONGODB_HEARTBEAT_INTERVAL_MS + STORAGE_TUNING.mongoMonitorStallMarginMs,
      },
      callMaxTimeMs: e.MONGODB_CALL_MAX_TIME_MS,
    },
    accessLog: {
      retentionDays: e.ACCESS_LOG_RETENTION_DAYS,
      batchSize: e.ACCESS_LOG_BATCH_SIZE,
      maxWritesInFlight: e.ACCESS_LOG_WRITES_IN_FLIGHT,
      maxWaitingPerCaller: e.ACCESS_LOG_MAX_WAITING_PER_CALLER,
    },
    requests: { retentionMs: e.REQUEST_ID_RETENTION_DAYS * 24 * 60 * 60 * 1000 },
  };
}
