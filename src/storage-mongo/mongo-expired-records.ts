import type { Collection, Db } from 'mongodb';
import type { ExpiredRecords } from '../domain/ports/expired-records';
import { withStorageErrors } from './mongo-errors';
import { isFerretDb } from './open-document-writer';

/** The field every collection with a retention carries: the record may be deleted from then on. */
export const EXPIRES_AT = 'expiresAt';

/**
 * Retention for collections whose documents carry `expiresAt`. On MongoDB a TTL index deletes
 * them in the background (within about a minute of their end); FerretDB 1.x rejects TTL indexes
 * and deletes nothing by itself (nor serves anything but `_id` from an index, so none is made
 * there). The periodic `purge` runs on both: it is what enforces retention on FerretDB, and on
 * MongoDB it finds next to nothing.
 */
export class MongoExpiredRecords implements ExpiredRecords {
  private constructor(private readonly collections: readonly Collection[]) {}

  static async of(db: Db, collectionNames: readonly string[]): Promise<MongoExpiredRecords> {
    const ttl = !(await isFerretDb(db));
    const collections = collectionNames.map((name) => db.collection(name));
    if (ttl) for (const collection of collections) await collection.createIndex({ [EXPIRES_AT]: 1 }, { name: 'retention_ttl', expireAfterSeconds: 0 });
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
