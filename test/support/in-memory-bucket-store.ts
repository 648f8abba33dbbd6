import { leaseTokens } from '../../src/shared/gcra';
import type { SharedBucketStore } from '../../src/shared/shared-token-buckets';

/** The shared buckets in one map, for unit tests of what leases from them; counts the leases asked for. */
export class InMemoryBucketStore implements SharedBucketStore {
  readonly tats = new Map<string, number>();
  leases = 0;
  failing: Error | null = null;

  lease(limit: string, subject: string, rule: { burst: number; perSecond: number }, wanted: number, nowMs: number) {
    this.leases++;
    if (this.failing) return Promise.reject(this.failing);
    const key = `${limit}|${subject}`;
    const lease = leaseTokens(this.tats.get(key) ?? null, rule, wanted, nowMs);
    this.tats.set(key, lease.tat);
    return Promise.resolve({ granted: lease.granted, retryAfterMs: lease.retryAfterMs });
  }
}
