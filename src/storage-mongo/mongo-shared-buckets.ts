import { createHash } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { leaseTokens } from '../shared/gcra';
import type { BucketRule } from '../shared/token-buckets';
import type { SharedBucketStore } from '../shared/shared-token-buckets';
import { isDuplicateKey } from './mongo-errors';
import { EXPIRES_AT } from './mongo-expired-records';

export const RATE_LIMIT_BUCKETS_COLLECTION = 'rate_limit_buckets';

/**
 * One caller's bucket of one limit as its theoretical arrival time (GCRA, src/shared/gcra.ts): the
 * bucket is full once `tat` has passed, so the document expires then. `_id` is the limit's name and a hash of the
 * caller's subject (no subject is stored).
 */
interface BucketDocument {
  _id: string;
  tat: number;
  [EXPIRES_AT]: Date;
}

/**
 * The rate limits' buckets shared by every instance. A lease reads the bucket and writes it back
 * conditionally on the value read (one `updateOne` on the expected `tat`, or an insert of a new
 * bucket); a lost race reads again. Times are the instances' clocks: their skew shifts a bucket by
 * as much.
 */
export class MongoSharedBuckets implements SharedBucketStore {
  constructor(
    private readonly collection: Collection<BucketDocument>,
    private readonly attempts = 10,
  ) {}

  static in(db: Db): MongoSharedBuckets {
    return new MongoSharedBuckets(db.collection<BucketDocument>(RATE_LIMIT_BUCKETS_COLLECTION));
  }

  async lease(limit: string, subject: string, rule: BucketRule, wanted: number, nowMs: number): Promise<{ granted: number; retryAfterMs: number }> {
    // The subject hashed: the store names no caller.
    const _id = `${limit}|${createHash('sha256').update(subject).digest('base64url')}`;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const stored = (await this.collection.findOne({ _id }))?.tat ?? null;
      const lease = leaseTokens(stored, rule, wanted, nowMs);
      if (lease.granted === 0 || (await this.write(_id, stored, lease.tat))) return { granted: lease.granted, retryAfterMs: lease.retryAfterMs };
    }
    throw new Error(`rate limit bucket of ${limit}: still contended after ${this.attempts} attempts`);
  }

  /** Stores `tat` if the bucket still holds `expected` (null: no bucket yet); false when another lease came first. */
  private async write(_id: string, expected: number | null, tat: number): Promise<boolean> {
    const document = { tat, [EXPIRES_AT]: new Date(tat) };
    if (expected !== null) return (await this.collection.updateOne({ _id, tat: expected }, { $set: document })).matchedCount === 1;
    try {
      await this.collection.insertOne({ _id, ...document });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }
}
