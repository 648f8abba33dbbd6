import { z } from 'zod';
import { positiveInt } from '../shared/settings';

/** The entitlement reads' environment variables. */
export const viewsEnv = z.object({
  SETTINGS_REFRESH_INTERVAL_MS: positiveInt
    .default(1000)
    .describe("how often each instance checks whether clinic settings changed elsewhere (its staleness bound for other instances' changes)"),
  CONSISTENCY_WAIT_MS: positiveInt.max(30000).default(1000).describe('how long an entitlement query waits for storage to reach its consistency token before UNAVAILABLE'),
});

export interface ViewsSettings {
  /** Entitlement reads: how often the in-memory clinic settings look for changes; how long a consistency token is waited for. */
  reads: { settingsRefreshMs: number; consistencyWaitMs: number };
}

export function viewsSettings(e: z.infer<typeof viewsEnv>): ViewsSettings {
  return { reads: { settingsRefreshMs: e.SETTINGS_REFRESH_INTERVAL_MS, consistencyWaitMs: e.CONSISTENCY_WAIT_MS } };
}

/** The read views' fixed numbers (not read from the environment). */
export const VIEWS_TUNING = {
  /** An entitlement query waiting for a consistency token looks at storage this often. */
  consistencyPollMs: 50,
  /**
   * The per-resident views: confirmations a command leaves for the relay (past it, the oldest go and
   * the relay re-applies, idempotent); residents a rebuild reads at once. (How views are written:
   * src/storage-mongo/settings.ts.)
   */
  residentViews: { maxConfirmations: 50_000, rebuildBatch: 500 },
};
