import type { Collection, Filter } from 'mongodb';
import type { ResidentAccess } from '../domain/access/resident-access';
import type { AccessQueries, ResidentListFilter } from '../domain/ports/access-queries';
import { accessDocumentId, toResidentAccess, type AccessDocument } from './access-document';
import { withStorageErrors } from './mongo-errors';

const STATE_ONLY = { projection: { clinicId: 1, resident: 1, approval: 1, grants: 1, version: 1 } } as const;

/** Reads across documents, by the indexes in indexes.ts. */
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
}
