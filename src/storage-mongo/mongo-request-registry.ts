import type { Collection } from 'mongodb';
import { DomainError } from '../domain/errors/domain-error';
import type { RequestKey, RequestRegistry } from '../domain/ports/request-registry';
import { isDuplicateKey, withStorageErrors } from './mongo-errors';

export interface RequestIdDocument {
  /** `<clinic>|<caller>|<request id>`: unambiguous, since neither a clinic id nor a request id has a `|`. */
  _id: string;
  fingerprint: string;
  at: Date;
  /** MongoDB's TTL index removes the record after this; until then an expired one counts as absent. */
  expiresAt: Date;
}

/** One document per scoped request id, found by `_id` alone. */
export class MongoRequestRegistry implements RequestRegistry {
  constructor(
    private readonly collection: Collection<RequestIdDocument>,
    private readonly retentionMs: number,
    /** Insert, read, replace an expired one: a race with another reservation of the id may need another round. */
    private readonly attempts: number,
  ) {}

  reserve(key: RequestKey, fingerprint: string, now: Date): Promise<{ existingFingerprint: string | null; expiresAt: Date }> {
    return withStorageErrors(async () => {
      const _id = `${key.clinicId}|${key.caller}|${key.requestId}`;
      const fresh: RequestIdDocument = { _id, fingerprint, at: now, expiresAt: new Date(now.getTime() + this.retentionMs) };
      for (let attempt = 0; attempt < this.attempts; attempt++) {
        try {
          await this.collection.insertOne(fresh);
          return { existingFingerprint: null, expiresAt: fresh.expiresAt };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const existing = await this.collection.findOne({ _id });
        if (!existing) continue;
        if (existing.expiresAt > now) return { existingFingerprint: existing.fingerprint, expiresAt: existing.expiresAt };
        // Expired but not yet removed: replaced only if nobody replaced it meanwhile.
        const replaced = await this.collection.replaceOne({ _id, expiresAt: existing.expiresAt }, fresh);
        if (replaced.modifiedCount === 1) return { existingFingerprint: null, expiresAt: fresh.expiresAt };
      }
      throw new DomainError('CONCURRENT_MODIFICATION', 'this request id is being reserved concurrently; retry');
    });
  }
}
