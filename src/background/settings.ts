import { z } from 'zod';
import { positiveInt } from '../shared/settings';

/** The background workers' environment variables: expiry, retention purge, health checks. */
export const backgroundEnv = z.object({
  EXPIRY_POLL_INTERVAL_MS: positiveInt
    .default(60000)
    .describe('longest sleep of the expiry worker, the scheduler that ends dated grants and starts pending ones (it also wakes at every Stockholm midnight)'),
  EXPIRY_BATCH_SIZE: positiveInt.max(5000).default(500).describe('residents per expiry batch (its due ends, then its due starts)'),
  // The same five years as the access log: who changed a resident's access is read as care-provider logging.
  AUDIT_RETENTION_DAYS: positiveInt
    .max(36500)
    .default(1827)
    .describe(
      "how long an audit entry (who changed a resident's access, and the access after) is kept after the change; five years, as the access log. At least `REQUEST_ID_RETENTION_DAYS`. Applies to entries written from then on",
    ),
  ENDED_ACCESS_RETENTION_DAYS: positiveInt
    .max(3650)
    .default(30)
    .describe(
      'how long an access that ended (no approval, no grant left) is kept before its document and view entry are deleted; at least `REQUEST_ID_RETENTION_DAYS`, whose retries it answers. Applies to accesses that end from then on',
    ),
  RETENTION_PURGE_INTERVAL_MS: positiveInt
    .default(3600000)
    .describe('how often each instance deletes records past their retention (a TTL index deletes them too, within about a minute; this purge deletes at a known time)'),
  HEALTH_CHECK_INTERVAL_MS: positiveInt.default(2000).describe('how often MongoDB and Kafka are probed for the health service'),
});

export interface BackgroundSettings {
  expiry: { pollIntervalMs: number; batchSize: number };
  /** Audit entries kept `auditDays` after their change; an ended access forgotten `endedAccessDays` after it ended. */
  retention: { purgeIntervalMs: number; auditDays: number; endedAccessDays: number };
  healthCheckIntervalMs: number;
}

export function backgroundSettings(e: z.infer<typeof backgroundEnv>): BackgroundSettings {
  return {
    expiry: { pollIntervalMs: e.EXPIRY_POLL_INTERVAL_MS, batchSize: e.EXPIRY_BATCH_SIZE },
    retention: { purgeIntervalMs: e.RETENTION_PURGE_INTERVAL_MS, auditDays: e.AUDIT_RETENTION_DAYS, endedAccessDays: e.ENDED_ACCESS_RETENTION_DAYS },
    healthCheckIntervalMs: e.HEALTH_CHECK_INTERVAL_MS,
  };
}

/** The background workers' fixed numbers (not read from the environment). */
export const BACKGROUND_TUNING = {
  /** A health probe is given at least this long (or the check interval, if longer) before it counts as failed. */
  healthProbeTimeoutFloorMs: 5000,
  /** The expiry worker's and retention purge's first wait after a failure (growing to their poll interval). */
  workerRetryInitialMs: 1000,
};
