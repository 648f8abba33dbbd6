import type { Entitlement, EntitlementReason as DomainReason } from '../domain/access/entitlements';
import { EntitlementReason, type CaseTypeEntitlement } from '../gen/residentaccess/v1/entitlement_service';

const reasons: Record<DomainReason, EntitlementReason> = {
  APPROVED: EntitlementReason.ENTITLEMENT_REASON_APPROVED,
  SERVICE_AREA: EntitlementReason.ENTITLEMENT_REASON_SERVICE_AREA,
  GRANT: EntitlementReason.ENTITLEMENT_REASON_GRANT,
};

export function toReason(reason: DomainReason): EntitlementReason {
  return reasons[reason];
}

export function toCaseTypeEntitlement(e: Entitlement): CaseTypeEntitlement {
  return { caseTypeId: e.caseTypeId, name: e.name, reason: toReason(e.reason), untilDate: e.until ?? '' };
}
