import type { Collection, Filter } from 'mongodb';
import type { ResidentAccess } from '../domain/access/resident-access';
import type { AccessQueries, ResidentListFilter } from '../domain/ports/access-queries';
import { accessDocumentId, toResidentAccess, type AccessDocument } from './access-document';
import { translateMongoError, withStorageErrors } from './mongo-errors';

const STATE_ONLY = { projection: { clinicId: 1, resident: 1, approval: 1, grants: 1, version: 1 } } as const;
const STREAM_BATCH = 500;

/**
 * Reads across documents. On MongoDB these use the indexes in indexes.ts; on FerretDB 1.x every
 * one of them is a scan (only `_id` lookups are indexed there), which docs/ferretdb.md discusses.
 */
export class MongoAccessQueries implements AccessQueries {
  constructor(private readonly collection: Collection<AccessDocument>) {}

  listClinicResidents(clinicId: string, filter: ResidentListFilter, afterResident: string | null, limit: number): Promise<ResidentAccess[]> {
    return withStorageErrors(async () => {
      const query: Filter<AccessDocument> = { clinicId, $or: [{ approval: { $ne: null } }, { 'grants.0': { $exists: true } }] };
      if (filter.approvedOnly) query.approval = { $ne: null };
      if (filter.caseTypeId) query['grants.caseTypeId'] = filter.caseTypeId;
      // `_id` is clinic|number, so within one clinic its order is the number's order.
      if (afterResident) query._id = { $gt: accessDocumentId(clinicId, afterResident) };
      const docs = await this.collection.find(query, STATE_ONLY).sort({ _id: 1 }).limit(limit).toArray();
      return docs.map(toResidentAccess);
    });
  }

  approvedResidents(clinicId: string, approvedBefore: Date): AsyncIterable<string> {
    return this.stream({ clinicId, 'approval.at': { $lte: approvedBefore } });
  }

  residentsWithGrant(clinicId: string, caseTypeId: string): AsyncIterable<string> {
    return this.stream({ clinicId, 'grants.caseTypeId': caseTypeId });
  }

  dueForExpiry(now: Date, limit: number): Promise<{ clinicId: string; resident: string }[]> {
    return withStorageErrors(async () => {
      const docs = await this.collection
        .find({ nextEndsAt: { $lte: now } }, { projection: { clinicId: 1, resident: 1 } })
        .limit(limit)
        .toArray();
      return docs.map((d) => ({ clinicId: d.clinicId, resident: d.resident }));
    });
  }

  /** Streams residents in batches: memory stays bounded whatever the clinic's size. */
  private async *stream(query: Filter<AccessDocument>): AsyncIterable<string> {
    const cursor = this.collection.find(query, { projection: { resident: 1 }, batchSize: STREAM_BATCH });
    try {
      for await (const doc of cursor) yield doc.resident;
    } catch (error) {
      throw translateMongoError(error);
    } finally {
      await cursor.close();
    }
  }
}
