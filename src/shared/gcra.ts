import type { BucketRule } from './token-buckets';

/**
 * A token bucket as one number, its theoretical arrival time (GCRA): the bucket is full once `tat`
 * has passed, and each token taken moves `tat` one refill interval on. A lease takes up to `wanted`
 * tokens; with none left it says when the next is due.
 */
export function leaseTokens(tat: number | null, rule: BucketRule, wanted: number, nowMs: number): { granted: number; tat: number; retryAfterMs: number } {
  const interval = 1000 / rule.perSecond;
  const from = Math.max(tat ?? nowMs, nowMs);
  const ahead = rule.burst * interval; // how far ahead of now `tat` may move
  // The small slack keeps float error from losing a whole token.
  const granted = Math.min(wanted, Math.floor((nowMs + ahead - from) / interval + 1e-9));
  if (granted < 1) return { granted: 0, tat: from, retryAfterMs: from + interval - nowMs - ahead };
  return { granted, tat: from + granted * interval, retryAfterMs: 0 };
}
