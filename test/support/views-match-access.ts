import { isDeepStrictEqual } from 'node:util';
import type { Db, Filter } from 'mongodb';
import { viewEntryOf, type ViewEntry } from '../../src/domain/access/resident-view';
import { toResidentAccess, type AccessDocument } from '../../src/storage-mongo/access-document';
import { ACCESS_COLLECTION } from '../../src/storage-mongo/indexes';
import { RESIDENT_VIEWS_COLLECTION, type ResidentViewDocument } from '../../src/storage-mongo/mongo-resident-views';

export interface ViewMismatch {
  kind: 'entry missing' | 'entry differs' | 'entry without access document';
  clinicId: string;
  /** The last four digits only: enough to tell residents apart in a failure, not a personal number. */
  resident: string;
  expected: ViewEntry | null;
  found: ViewEntry | null;
}

/**
 * Compares every resident view entry with the access document it reflects (of these clinics, or
 * of the whole database): each access document must have an entry equal to viewEntryOf(access),
 * and each entry an access document. An access document at version 0 (a request recorded for
 * retries, never a change) needs no entry: none and an empty one at version 0 mean the same.
 */
export async function viewMismatches(db: Db, scope: { clinicIds?: readonly string[] } = {}): Promise<ViewMismatch[]> {
  const filter: Filter<AccessDocument> = scope.clinicIds ? { clinicId: { $in: [...scope.clinicIds] } } : {};
  const accesses = await db
    .collection<AccessDocument>(ACCESS_COLLECTION)
    .find(filter, { projection: { clinicId: 1, resident: 1, approval: 1, grants: 1, version: 1 } })
    .toArray();
  const views = await db.collection<ResidentViewDocument>(RESIDENT_VIEWS_COLLECTION).find({}).toArray();
  const entries = new Map(views.map((v) => [v._id, v.clinics ?? {}]));
  const inScope = (clinicId: string) => !scope.clinicIds || scope.clinicIds.includes(clinicId);

  const mismatches: ViewMismatch[] = [];
  const mismatch = (kind: ViewMismatch['kind'], clinicId: string, resident: string, expected: ViewEntry | null, found: ViewEntry | null) =>
    mismatches.push({ kind, clinicId, resident: `…${resident.slice(-4)}`, expected, found });

  const reflected = new Set<string>();
  for (const doc of accesses) {
    const access = toResidentAccess(doc);
    const expected = viewEntryOf(access);
    const found = entries.get(access.resident)?.[access.clinicId] ?? null;
    reflected.add(`${access.clinicId}|${access.resident}`);
    if (found === null) {
      if (access.version > 0) mismatch('entry missing', access.clinicId, access.resident, expected, null);
    } else if (!isDeepStrictEqual(found, expected)) {
      mismatch('entry differs', access.clinicId, access.resident, expected, found);
    }
  }
  for (const [resident, clinics] of entries) {
    for (const [clinicId, found] of Object.entries(clinics)) {
      if (inScope(clinicId) && !reflected.has(`${clinicId}|${resident}`)) mismatch('entry without access document', clinicId, resident, null, found);
    }
  }
  return mismatches;
}
