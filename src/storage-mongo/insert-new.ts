import { MongoBulkWriteError, type Collection, type Document, type OptionalUnlessRequiredId } from 'mongodb';

/**
 * Inserts `docs` in one unordered `insertMany`; answers the positions of those whose `_id` was
 * already stored (by an earlier attempt or another writer). Any other failure is thrown.
 */
export async function insertNew<D extends Document>(collection: Collection<D>, docs: readonly OptionalUnlessRequiredId<D>[]): Promise<number[]> {
  if (docs.length === 0) return [];
  try {
    await collection.insertMany(docs, { ordered: false });
    return [];
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const writeErrors = [error.writeErrors].flat();
    if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== 11000)) throw error;
    return writeErrors.map((e) => e.index);
  }
}
