import { z } from 'zod';
import { positiveInt } from '../shared/settings';

/** The outbox relays' environment variables. */
export const relayEnv = z.object({
  RELAY_POLL_INTERVAL_MS: positiveInt.default(2000).describe('how often the relay scans for events no local signal announced'),
  RELAY_BATCH_SIZE: positiveInt.max(1000).default(100).describe('documents per relay batch (at most 1000)'),
  RELAY_LEASE_MS: positiveInt
    .default(30000)
    .describe("how long a relay instance holds a document's events while publishing them; after a crash, another instance (or the restarted one) publishes them once this has passed"),
});

export interface RelaySettings {
  relay: { pollIntervalMs: number; batchSize: number; leaseMs: number };
}

export function relaySettings(e: z.infer<typeof relayEnv>): RelaySettings {
  return { relay: { pollIntervalMs: e.RELAY_POLL_INTERVAL_MS, batchSize: e.RELAY_BATCH_SIZE, leaseMs: e.RELAY_LEASE_MS } };
}

/** The relays' fixed numbers (not read from the environment). */
export const RELAY_TUNING = {
  /** The relays' wait after a failed publish: from initialMs doubling to maxMs, jittered, reset by a success. */
  relayBackoff: { initialMs: 100, maxMs: 5000 },
  /**
   * Batches whose marks may still be in flight while the next are sent (times the batch size);
   * events held in memory at most during a Kafka outage (past it, documents are read back);
   * how long a stopping relay goes on sending (within the chart's shutdown margin).
   */
  relay: { marksAhead: 3, maxHeldEvents: 10_000, flushOnStopMs: 5000 },
};
