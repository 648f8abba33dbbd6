import type { ResidentHome } from '../identity/registered-resident';
import type { Grant, ResidentAccess } from './resident-access';

/** What the entitlement rules need of one grant. */
export type GrantTerm = Pick<Grant, 'caseTypeId' | 'until' | 'endsAt' | 'startsAt'>;

/** What the entitlement rules need of one resident's access at one clinic. */
export interface AccessTerms {
  approved: boolean;
  grants: readonly GrantTerm[];
}

/** One clinic's entry in a resident's view, at the access version it was taken from. */
export interface ViewEntry extends AccessTerms {
  version: number;
}

/**
 * Everything the entitlement rules need of one resident, kept by resident so that the e-service's
 * queries read one document: where the register has them (for service areas) and their access at
 * every clinic (a projection of the access documents). An entry stays (empty) after all access at
 * a clinic ends, so its version keeps an older change from being applied over it.
 */
export interface ResidentView {
  resident: string;
  /** As the register read model has it now; null when the register does not know the resident. */
  home: ResidentHome | null;
  clinics: ReadonlyMap<string, ViewEntry>;
}

export function termsOf(access: ResidentAccess): AccessTerms {
  return {
    approved: access.approval !== null,
    // `startsAt` only while pending, as in the access: views of grants without one keep their shape.
    grants: access.grants.map(({ caseTypeId, until, endsAt, startsAt }) => ({ caseTypeId, until, endsAt, ...(startsAt ? { startsAt } : {}) })),
  };
}

export function viewEntryOf(access: ResidentAccess): ViewEntry {
  return { ...termsOf(access), version: access.version };
}
