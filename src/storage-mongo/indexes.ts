import type { Collection, Db } from 'mongodb';

export const ACCESS_COLLECTION = 'access';
export const REQUEST_IDS_COLLECTION = 'request_ids';

/** Indexes of the relay's recovery scan, the clinic listings, the scheduler's due query (ends, starts) and the jobs. */
export async function ensureIndexes(db: Db): Promise<void> {
  const access = db.collection(ACCESS_COLLECTION);
  await access.createIndex({ outboxPending: 1 }, { name: 'outbox_pending' });
  await access.createIndex({ clinicId: 1, _id: 1 }, { name: 'by_clinic' });
  await access.createIndex({ nextEndsAt: 1 }, { name: 'by_next_end', sparse: true });
  // The due query is an $or of the two: each branch is served by its own index.
  await access.createIndex({ nextStartsAt: 1 }, { name: 'by_next_start', sparse: true });
  await access.createIndex({ endedAt: 1 }, { name: 'by_end_of_access', sparse: true });
  await access.createIndex({ clinicId: 1, endingSoonPending: 1 }, { name: 'by_clinic_ending_soon' });
  await db.collection('bulk_removals').createIndex({ finishedAt: 1 }, { name: 'unfinished' });
  await db.collection('bulk_removals').createIndex({ startedAt: -1, _id: -1 }, { name: 'newest_first' });
  await db.collection('republish_jobs').createIndex({ finishedAt: 1 }, { name: 'unfinished' });
  await db.collection('republish_jobs').createIndex({ startedAt: -1, _id: -1 }, { name: 'newest_first' });
  await db.collection('import_jobs').createIndex({ startedAt: -1, _id: -1 }, { name: 'newest_first' });
  const audit = db.collection('audit');
  await audit.createIndex({ clinicId: 1, occurredAt: 1, _id: 1 }, { name: 'by_clinic_time' });
  await audit.createIndex({ resident: 1, occurredAt: 1, _id: 1 }, { name: 'by_resident_time' });
  // The entitlement queries read the per-resident views now: these would only slow writes down.
  await dropIfPresent(access, 'by_resident');
  await dropIfPresent(db.collection('clinics'), 'with_service_area');
}

const NAMESPACE_NOT_FOUND = 26;
const INDEX_NOT_FOUND = 27;

async function dropIfPresent(collection: Collection, index: string): Promise<void> {
  try {
    await collection.dropIndex(index);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== NAMESPACE_NOT_FOUND && code !== INDEX_NOT_FOUND) throw error;
  }
}
