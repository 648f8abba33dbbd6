import type { PersonalIdentityNumber } from '../identity/personal-identity-number';

/** Roles a staff token may carry at a clinic. */
export type Role = 'staff' | 'admin';

/** The scope the resident-facing e-service's token carries for entitlement queries. */
export const ENTITLEMENTS_SCOPE = 'resident-access:entitlements';

/** The scope of the operators' token (AdminService, the `resident-access` CLI): every clinic, no clinic role. */
export const OPERATOR_SCOPE = 'resident-access:operator';

/** In `clinicRoles` (development mode only): the roles held at every clinic. */
export const EVERY_CLINIC = '*';

/** The authenticated caller, as the transport established it from a verified token. */
export interface Principal {
  /** The token's subject; recorded as the actor of every change. */
  subject: string;
  /** The roles held at each clinic (by HSA-id): a role at one clinic says nothing about another. */
  clinicRoles: ReadonlyMap<string, readonly Role[]>;
  scopes: readonly string[];
  /**
   * The resident the e-service acts for: the logged-in resident, named by the token it got by token
   * exchange (RFC 8693). The resident's own access log and audit trail are read for this resident only.
   */
  actsForResident?: PersonalIdentityNumber;
}
