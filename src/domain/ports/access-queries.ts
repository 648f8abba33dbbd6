import type { ResidentAccess } from '../access/resident-access';

export interface ResidentListFilter {
  approvedOnly: boolean;
  caseTypeId: string | null;
}

/** Read side of resident access. */
export interface AccessQueries {
  /** One page of a clinic's residents with any access, ordered by number, after `afterResident`. */
  listClinicResidents(clinicId: string, filter: ResidentListFilter, afterResident: string | null, limit: number): Promise<ResidentAccess[]>;
}
