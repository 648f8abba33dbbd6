import { entitlementsAtClinic, type ResidentFacts } from '../domain/access/entitlements';
import { isGrantPendingAt } from '../domain/access/grant-start';
import { termsOf } from '../domain/access/resident-view';
import type { ResidentAccess } from '../domain/access/resident-access';
import type { ClinicSettings } from '../domain/clinic/clinic-settings';

export type AvailabilityReason = 'APPROVED' | 'SERVICE_AREA' | 'GRANT' | 'NOT_APPROVED' | 'NO_VALID_GRANT' | 'GRANT_PENDING';

export interface CaseTypeAvailability {
  caseTypeId: string;
  name: string;
  restricted: boolean;
  available: boolean;
  reason: AvailabilityReason;
  until: string | null;
}

/** Every case type of the clinic, available or not, and why: the entitlement rules, explained. */
export function caseTypeAvailability(settings: ClinicSettings, access: ResidentAccess, resident: ResidentFacts, now: Date): CaseTypeAvailability[] {
  const available = new Map(entitlementsAtClinic(settings, termsOf(access), resident, now).map((e) => [e.caseTypeId, e]));
  return settings.caseTypes.map((caseType) => {
    const entitlement = available.get(caseType.id);
    const base = { caseTypeId: caseType.id, name: caseType.name, restricted: caseType.restricted };
    if (entitlement) return { ...base, available: true, reason: entitlement.reason, until: entitlement.until };
    if (!caseType.restricted) return { ...base, available: false, reason: 'NOT_APPROVED', until: null };
    const pending = access.grants.find((g) => g.caseTypeId === caseType.id && isGrantPendingAt(g, now));
    return { ...base, available: false, reason: pending ? 'GRANT_PENDING' : 'NO_VALID_GRANT', until: null };
  });
}
