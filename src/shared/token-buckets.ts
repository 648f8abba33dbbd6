/** How many tokens a bucket holds at most and how fast it refills. */
export interface BucketRule {
  burst: number;
  perSecond: number;
}

/** Taken, or refused with the time until a token is available again. */
export type TakeResult = { taken: true } | { taken: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets by key, in this process's memory. A bucket that has refilled is the same as no
 * bucket, so idle keys are forgotten; past `maxKeys` the oldest keys go first (their owners get a
 * fresh burst), which bounds memory whatever the number of callers.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rule: BucketRule,
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket ? Math.min(this.rule.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rule.perSecond) : this.rule.burst;
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { taken: false, retryAfterMs: Math.max(1, Math.ceil(((1 - tokens) / this.rule.perSecond) * 1000)) };
    }
    // Re-inserted, so the map's order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxKeys) this.forgetIdle(now);
    return { taken: true };
  }

  /** Keys tracked now (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private forgetIdle(now: number): void {
    const refillMs = (this.rule.burst / this.rule.perSecond) * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.at >= refillMs) this.buckets.delete(key);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
