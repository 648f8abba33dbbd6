import { z } from 'zod';
import { filePath, flag, port, positiveInt } from '../shared/settings';

/** The gRPC port's environment variables; GRPC_HOST's rules with AUTH_MODE and TLS are checked by src/config. */
export const transportEnv = z.object({
  GRPC_HOST: z.string().min(1).default('127.0.0.1').describe('address to listen on (`0.0.0.0` in containers); not loopback → TLS required (or `GRPC_ALLOW_INSECURE=true`)'),
  GRPC_PORT: port.default(50051).describe('gRPC port (`0` picks a free one)'),
  GRPC_HEALTH_PORT: port.optional().describe('a plaintext listener with `grpc.health.v1` only, for probes that cannot speak TLS (kubelet)'),
  GRPC_TLS_CERT_FILE: filePath.meta({ description: 'PEM certificate (chain) of the gRPC port; with `GRPC_TLS_KEY_FILE` or not at all', shownDefault: 'unset (plaintext)' }),
  GRPC_TLS_KEY_FILE: filePath.meta({ description: 'PEM key of the gRPC port; with `GRPC_TLS_CERT_FILE` or not at all', shownDefault: 'unset (plaintext)' }),
  GRPC_TLS_CLIENT_CA_FILE: filePath.describe('PEM CA: callers must present a client certificate it signed (mTLS)'),
  GRPC_TLS_RELOAD_INTERVAL_MS: positiveInt.default(60000).describe('how often the three TLS files are re-read; new connections get what changed'),
  GRPC_ALLOW_INSECURE: flag.describe('`true` allows plaintext on a non-loopback `GRPC_HOST` (logged as a warning at start-up)'),
  GRPC_MAX_RECEIVE_MESSAGE_BYTES: positiveInt.default(1024 * 1024).describe('larger requests get `RESOURCE_EXHAUSTED`'),
  GRPC_MAX_SEND_MESSAGE_BYTES: positiveInt.default(4 * 1024 * 1024).describe('largest response'),
  GRPC_MAX_CONCURRENT_STREAMS: positiveInt.default(100).describe('concurrent calls per connection'),
  GRPC_KEEPALIVE_TIME_MS: positiveInt.default(120000).describe('the server pings an open connection this often'),
  GRPC_KEEPALIVE_TIMEOUT_MS: positiveInt.default(20000).describe('a connection whose ping gets no answer within this is dropped'),
  GRPC_MAX_CONNECTION_IDLE_MS: positiveInt.default(300000).describe('a connection without calls this long is closed (GOAWAY)'),
  GRPC_MAX_CONNECTION_AGE_MS: positiveInt
    .default(1800000)
    .describe('a connection this old (±10 %) is told to go away, and cut after `GRPC_MAX_CONNECTION_AGE_GRACE_MS`; spreads clients over new instances'),
  GRPC_MAX_CONNECTION_AGE_GRACE_MS: positiveInt.default(30000).describe('how long calls on a connection told to go away may still take'),
  RATE_LIMIT_LOOKUP_PER_MINUTE: positiveInt
    .default(30)
    .describe('`LookupResident` calls each caller (token `sub`) may make per minute, across all instances; beyond it RESOURCE_EXHAUSTED with a RetryInfo'),
  RATE_LIMIT_LOOKUP_BURST: positiveInt.default(20).describe('how many lookups a caller may make at once before that rate applies'),
  RATE_LIMIT_ENTITLEMENTS_PER_SECOND: positiveInt
    .default(500)
    .describe('`ListEntitlements` + `CheckEntitlement` calls per second per caller, across all instances (the e-service is one caller)'),
  RATE_LIMIT_ENTITLEMENTS_BURST: positiveInt.default(1000).describe('entitlement reads a caller may make at once before that rate applies'),
  RATE_LIMIT_RESIDENT_CALLS_PER_SECOND: positiveInt
    .default(10)
    .describe("`GetResidentAccess` + the five access commands per second per caller, across all instances (each answers a resident's whole access, a no-op as much as a change)"),
  RATE_LIMIT_RESIDENT_CALLS_BURST: positiveInt.default(50).describe('such calls a caller may make at once before that rate applies'),
  RATE_LIMIT_LISTINGS_PER_SECOND: positiveInt
    .default(2)
    .describe(
      '`ListResidents`, `ListClinicAuditEntries`, `ListResidentAuditEntries` and `ListResidentAccessLog` pages per second per caller, across all instances (a page shows up to 1 000)',
    ),
  RATE_LIMIT_LISTINGS_BURST: positiveInt.default(20).describe('such pages a caller may fetch at once before that rate applies'),
});

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

interface TokenBucket {
  perSecond: number;
  burst: number;
}

export interface TransportSettings {
  /** healthPort: a plaintext listener with grpc.health.v1 only, for probes that cannot speak TLS. */
  grpc: { host: string; port: number; healthPort?: number; tls: GrpcTls | null; allowInsecure: boolean; limits: GrpcLimits };
  /** Per caller (token subject), shared by every instance: token buckets, refill per second and burst. */
  rateLimits: { lookup: TokenBucket; entitlements: TokenBucket; residentCalls: TokenBucket; listings: TokenBucket };
}

export function transportSettings(e: z.infer<typeof transportEnv>): TransportSettings {
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
    rateLimits: {
      lookup: { perSecond: e.RATE_LIMIT_LOOKUP_PER_MINUTE / 60, burst: e.RATE_LIMIT_LOOKUP_BURST },
      entitlements: { perSecond: e.RATE_LIMIT_ENTITLEMENTS_PER_SECOND, burst: e.RATE_LIMIT_ENTITLEMENTS_BURST },
      residentCalls: { perSecond: e.RATE_LIMIT_RESIDENT_CALLS_PER_SECOND, burst: e.RATE_LIMIT_RESIDENT_CALLS_BURST },
      listings: { perSecond: e.RATE_LIMIT_LISTINGS_PER_SECOND, burst: e.RATE_LIMIT_LISTINGS_BURST },
    },
  };
}

/** The transport's fixed numbers (not read from the environment). */
export const TRANSPORT_TUNING = {
  /** The rate limits remember this many callers each, in memory; past it the idlest are forgotten. */
  rateLimitCallersRemembered: 10_000,
  /** How long RemoveApprovals waits for its job before answering with the job's progress. */
  bulkRemovalAnswerWaitMs: 5000,
  /** A cancel this close to the call's deadline counts as DEADLINE_EXCEEDED (a client cancels at its own deadline, a transit earlier). */
  deadlineSlackMs: 100,
};
