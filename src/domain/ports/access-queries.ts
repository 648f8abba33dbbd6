import type { ResidentAccess } from '../access/resident-access';

export interface ResidentListFilter {
  approvedOnly: boolean;
  caseTypeId: string | null;
}

/** Read side of resident access. */
export interface AccessQueries {
  /** One page of a clinic's residents with any access, ordered by number, after `afterResident`. */
  listClinicResidents(clinicId: string, filter: ResidentListFilter, afterResident: string | null, limit: number): Promise<ResidentAccess[]>;
  /** Ids of a clinic's residents approved at or before `approvedBefore`, streamed. */
  approvedResidents(clinicId: string, approvedBefore: Date): AsyncIterable<string>;
  /** Residents of a clinic holding a grant of the case type, streamed. */
  residentsWithGrant(clinicId: string, caseTypeId: string): AsyncIterable<string>;
  /** Up to `limit` accesses with a grant whose end has come by `now`. */
  dueForExpiry(now: Date, limit: number): Promise<{ clinicId: string; resident: string }[]>;
}
