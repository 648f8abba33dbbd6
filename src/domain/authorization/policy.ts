import { DomainError } from '../errors/domain-error';
import type { Principal, Role } from './principal';
import { ENTITLEMENTS_SCOPE } from './principal';

/** '*' in a principal's clinics (development mode only) means every clinic. */
const EVERY_CLINIC = '*';

// One message for "not yours" and "does not exist", so callers cannot probe for clinics (AIP-211).
const CLINIC_DENIED = 'permission denied on this clinic, or it does not exist';

export function clinicDenied(): DomainError {
  return new DomainError('PERMISSION_DENIED', CLINIC_DENIED);
}

/** The caller must act for `clinicId` and hold `role`. */
export function requireClinicRole(principal: Principal, clinicId: string, role: Role): void {
  const listed = principal.clinics.includes(clinicId) || principal.clinics.includes(EVERY_CLINIC);
  if (!listed || !principal.roles.includes(role)) throw clinicDenied();
}

export function requireEntitlementsScope(principal: Principal): void {
  if (!principal.scopes.includes(ENTITLEMENTS_SCOPE)) {
    throw new DomainError('PERMISSION_DENIED', `the ${ENTITLEMENTS_SCOPE} scope is required`);
  }
}
