import { TokenBuckets, type BucketRule, type TakeResult } from './token-buckets';

/**
 * One bucket per limit and subject shared by every instance (a database document): `lease` takes up
 * to `wanted` tokens at once and answers how many it got, or, with none, when the next one is due.
 */
export interface SharedBucketStore {
  lease(limit: string, subject: string, rule: BucketRule, wanted: number, nowMs: number): Promise<{ granted: number; retryAfterMs: number }>;
}

export interface SharedTokenBucketsOptions {
  /** The limit's name: the keys of different limits never meet in the store. */
  name: string;
  rule: BucketRule;
  /** Keys whose leased tokens this instance remembers; past it the idlest are forgotten first. */
  maxKeys: number;
  now?: () => number;
  /** The store failed: the local bucket stands in for the shared one until it answers again. */
  storeFailed?: (error: unknown) => void;
}

/**
 * Token buckets shared by every instance, so a caller's budget is the same with one instance or
 * ten. An instance leases a few tokens at a time (at most a second's refill, a tenth of the burst),
 * so most calls cost no database round trip; the leases an instance holds unused are the only
 * excess over the shared budget. Concurrent calls of one key wait for one lease. When the store
 * fails, calls are limited by a bucket in this instance's memory instead (fail open to the
 * per-instance limit, not closed: the limit protects the service, it must not stop it).
 */
export class SharedTokenBuckets {
  private readonly leased = new Map<string, number>();
  private readonly leasing = new Map<string, Promise<TakeResult>>();
  private readonly fallback: TokenBuckets;
  private readonly leaseSize: number;
  private readonly now: () => number;

  constructor(
    private readonly store: SharedBucketStore,
    private readonly options: SharedTokenBucketsOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.fallback = new TokenBuckets(options.rule, options.maxKeys, this.now);
    this.leaseSize = Math.max(1, Math.min(Math.floor(options.rule.burst / 10), Math.ceil(options.rule.perSecond)));
  }

  async take(key: string): Promise<TakeResult> {
    for (;;) {
      if (this.takeLeased(key)) return { taken: true };
      const pending = this.leasing.get(key);
      if (!pending) return this.leaseAndTake(key);
      const result = await pending;
      if (!result.taken) return result;
    }
  }

  private takeLeased(key: string): boolean {
    const tokens = this.leased.get(key) ?? 0;
    if (tokens < 1) return false;
    this.leased.delete(key); // re-inserted: least recently used first
    if (tokens > 1) this.leased.set(key, tokens - 1);
    return true;
  }

  private leaseAndTake(key: string): Promise<TakeResult> {
    const lease = this.lease(key).finally(() => this.leasing.delete(key));
    this.leasing.set(key, lease);
    return lease;
  }

  /** Leases tokens for `key` and keeps all but the one this call takes. */
  private async lease(key: string): Promise<TakeResult> {
    let answer: { granted: number; retryAfterMs: number };
    try {
      answer = await this.store.lease(this.options.name, key, this.options.rule, this.leaseSize, this.now());
    } catch (error) {
      this.options.storeFailed?.(error);
      return this.fallback.take(key);
    }
    if (answer.granted < 1) return { taken: false, retryAfterMs: Math.max(1, Math.ceil(answer.retryAfterMs)) };
    const kept = (this.leased.get(key) ?? 0) + answer.granted - 1; // one is this call's
    this.leased.delete(key);
    if (kept > 0) this.leased.set(key, kept);
    this.forgetIdlest();
    return { taken: true };
  }

  private forgetIdlest(): void {
    for (const key of this.leased.keys()) {
      if (this.leased.size <= this.options.maxKeys) return;
      this.leased.delete(key);
    }
  }
}
