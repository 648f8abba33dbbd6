import type { Db } from 'mongodb';

export const ACCESS_COLLECTION = 'access';
export const REQUEST_IDS_COLLECTION = 'request_ids';

/**
 * Indexes that real MongoDB uses for the relay's recovery scan. FerretDB 1.x accepts them but
 * serves only `_id` lookups from an index, which is why the common path never needs this scan.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  await db.collection(ACCESS_COLLECTION).createIndex({ outboxPending: 1 }, { name: 'outbox_pending' });
}
