import type { Collection } from 'mongodb';
import type { RequestRegistry } from '../domain/ports/request-registry';
import { isDuplicateKey, withStorageErrors } from './mongo-errors';

export interface RequestIdDocument {
  _id: string;
  fingerprint: string;
  at: Date;
}

/** One document per request id, found by `_id` alone, which FerretDB serves from its index. */
export class MongoRequestRegistry implements RequestRegistry {
  constructor(private readonly collection: Collection<RequestIdDocument>) {}

  reserve(requestId: string, fingerprint: string, at: Date): Promise<{ existingFingerprint: string | null }> {
    return withStorageErrors(async () => {
      try {
        await this.collection.insertOne({ _id: requestId, fingerprint, at });
        return { existingFingerprint: null };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const existing = await this.collection.findOne({ _id: requestId });
        return { existingFingerprint: existing?.fingerprint ?? null };
      }
    });
  }
}
