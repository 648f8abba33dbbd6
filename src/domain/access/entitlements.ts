import type { ClinicSettings } from '../clinic/clinic-settings';
import { inServiceArea } from '../clinic/service-area-matching';
import type { PersonalIdentityNumber } from '../identity/personal-identity-number';
import type { ResidentHome } from '../identity/registered-resident';
import { stockholmDate } from '../time/stockholm';
import { isGrantActive } from './grant-start';
import type { AccessTerms } from './resident-view';

export type EntitlementReason = 'APPROVED' | 'SERVICE_AREA' | 'GRANT';

export interface Entitlement {
  caseTypeId: string;
  name: string;
  reason: EntitlementReason;
  /** For grants: the last valid day; null until further notice. */
  until: string | null;
}

export interface ResidentFacts {
  number: PersonalIdentityNumber;
  /** Where the register has the resident; null when it does not know them. */
  registered: ResidentHome | null;
}

/**
 * What one resident may use at one clinic now. Restricted case types need a grant that has begun
 * (by the clock: a pending grant gives nothing before 00:00 of its first day) and not ended;
 * unrestricted ones need an approval or a home in the service area. A grant of a case type the
 * clinic no longer has, or no longer restricts, gives nothing.
 */
export function entitlementsAtClinic(settings: ClinicSettings, access: AccessTerms | null, resident: ResidentFacts, now: Date): Entitlement[] {
  const openReason = access?.approved
    ? 'APPROVED'
    : settings.serviceArea && inServiceArea(settings.serviceArea, resident.number, resident.registered, stockholmDate(now))
      ? 'SERVICE_AREA'
      : null;
  const result: Entitlement[] = [];
  for (const caseType of settings.caseTypes) {
    if (caseType.restricted) {
      const grant = access?.grants.find((g) => g.caseTypeId === caseType.id);
      if (grant && isGrantActive(grant, now)) result.push({ caseTypeId: caseType.id, name: caseType.name, reason: 'GRANT', until: grant.until });
    } else if (openReason) {
      result.push({ caseTypeId: caseType.id, name: caseType.name, reason: openReason, until: null });
    }
  }
  return result;
}
