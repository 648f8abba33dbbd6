import { clinicDenied, requireClinicRole } from '../domain/authorization/policy';
import type { Principal, Role } from '../domain/authorization/principal';
import type { ClinicSettings } from '../domain/clinic/clinic-settings';
import type { ClinicSettingsRepository } from '../domain/ports/clinic-settings-repository';

/**
 * The clinic a staff call acts on: listed in the caller's token with the role, and existing.
 * Both failures read the same (AIP-211).
 */
export async function clinicForStaff(clinics: ClinicSettingsRepository, principal: Principal, clinicId: string, role: Role = 'staff'): Promise<ClinicSettings> {
  requireClinicRole(principal, clinicId, role);
  const stored = await clinics.find(clinicId);
  if (!stored) throw clinicDenied();
  return stored.settings;
}
