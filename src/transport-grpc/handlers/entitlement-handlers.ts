import { toCaseTypeEntitlement, toReason } from '../../contract/entitlement-mapping';
import { EntitlementReason, type EntitlementServiceService } from '../../gen/residentaccess/v1/entitlement_service';
import type { EntitlementQueries } from '../../queries/entitlement-queries';
import type { UseCaseHandlers } from '../use-case-handlers';

/** One handler per RPC of the service, typed from its generated definition. */
export type EntitlementHandlers = UseCaseHandlers<EntitlementServiceService>;

export function entitlementHandlers(queries: EntitlementQueries): EntitlementHandlers {
  return {
    listEntitlements: async (r, { principal, signal }) => ({
      clinics: (await queries.listEntitlements(principal, r.personalIdentityNumber, r.consistencyToken, signal)).map((c) => ({
        clinicId: c.clinicId,
        caseTypes: c.caseTypes.map(toCaseTypeEntitlement),
      })),
    }),
    checkEntitlement: async (r, { principal, signal }) => {
      const found = await queries.checkEntitlement(principal, r.personalIdentityNumber, r.clinicId, r.caseTypeId, r.consistencyToken, signal);
      return found
        ? { allowed: true, reason: toReason(found.reason), untilDate: found.until ?? '' }
        : { allowed: false, reason: EntitlementReason.ENTITLEMENT_REASON_UNSPECIFIED, untilDate: '' };
    },
  };
}
