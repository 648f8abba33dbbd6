import { DomainError } from '../errors/domain-error';
import type { PersonalIdentityNumber } from '../identity/personal-identity-number';
import type { Principal, Role } from './principal';
import { ENTITLEMENTS_SCOPE, EVERY_CLINIC, OPERATOR_SCOPE } from './principal';

// One message for "not yours" and "does not exist", so callers cannot probe for clinics (AIP-211).
const CLINIC_DENIED = 'permission denied on this clinic, or it does not exist';

export function clinicDenied(): DomainError {
  return new DomainError('PERMISSION_DENIED', CLINIC_DENIED);
}

/** The roles the caller holds at `clinicId` (none if the clinic is not theirs). */
export function rolesAt(principal: Principal, clinicId: string): readonly Role[] {
  return principal.clinicRoles.get(clinicId) ?? principal.clinicRoles.get(EVERY_CLINIC) ?? [];
}

/** The caller must hold `role` at `clinicId` itself. */
export function requireClinicRole(principal: Principal, clinicId: string, role: Role): void {
  if (!rolesAt(principal, clinicId).includes(role)) throw clinicDenied();
}

export function requireEntitlementsScope(principal: Principal): void {
  if (!principal.scopes.includes(ENTITLEMENTS_SCOPE)) {
    throw new DomainError('PERMISSION_DENIED', `the ${ENTITLEMENTS_SCOPE} scope is required`);
  }
}

/**
 * The resident whose own access log and audit trail the caller may read: the e-service's scope and
 * a token naming the logged-in resident (token exchange). Without a resident in the token nothing
 * is readable, whatever the request names: a leaked service token lists no one.
 */
export function requireActingResident(principal: Principal): PersonalIdentityNumber {
  requireEntitlementsScope(principal);
  if (!principal.actsForResident) {
    throw new DomainError('PERMISSION_DENIED', 'a token acting for a resident (claim personal_identity_number, by token exchange) is required');
  }
  return principal.actsForResident;
}

/** A request may repeat the token's resident, never name another; the message names the field, not the number. */
export function requireSameResident(actingFor: PersonalIdentityNumber, requested: PersonalIdentityNumber | null): void {
  if (requested !== null && !requested.equals(actingFor)) {
    throw new DomainError('PERMISSION_DENIED', 'personal_identity_number names another resident than the one the token acts for');
  }
}

/** AdminService: only the operators' scope; no clinic role, not even in development mode, stands for it. */
export function requireOperatorScope(principal: Principal): void {
  if (!principal.scopes.includes(OPERATOR_SCOPE)) {
    throw new DomainError('PERMISSION_DENIED', `the ${OPERATOR_SCOPE} scope is required`);
  }
}
