import type { Collection, Db } from 'mongodb';
import type { ExpiredRecords } from '../domain/ports/expired-records';
import { withStorageErrors } from './mongo-errors';

/** The field every collection with a retention carries: the record may be deleted from then on. */
export const EXPIRES_AT = 'expiresAt';

/**
 * Retention for collections whose documents carry `expiresAt`: a TTL index deletes them in the
 * background (within about a minute of their end), and the periodic `purge` deletes what is left
 * at a known time (the TTL monitor may lag behind a busy server).
 */
export class MongoExpiredRecords implements ExpiredRecords {
  private constructor(private readonly collections: readonly Collection[]) {}

  static async of(db: Db, collectionNames: readonly string[]): Promise<MongoExpiredRecords> {
    const collections = collectionNames.map((name) => db.collection(name));
    for (const collection of collections) await collection.createIndex({ [EXPIRES_AT]: 1 }, { name: 'retention_ttl', expireAfterSeconds: 0 });
    return new MongoExpiredRecords(collections);
  }

  purge(now: Date): Promise<{ collection: string; deleted: number }[]> {
    return withStorageErrors(async () => {
      const counts: { collection: string; deleted: number }[] = [];
      for (const collection of this.collections) {
        const { deletedCount } = await collection.deleteMany({ [EXPIRES_AT]: { $lte: now } });
        counts.push({ collection: collection.collectionName, deleted: deletedCount });
      }
      return counts;
    });
  }
}
