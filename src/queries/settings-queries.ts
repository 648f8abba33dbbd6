import type { Principal } from '../domain/authorization/principal';
import { clinicIdViolation } from '../domain/clinic/clinic-id';
import type { ClinicSettings } from '../domain/clinic/clinic-settings';
import { Violations } from '../domain/errors/domain-error';
import type { ClinicSettingsRepository } from '../domain/ports/clinic-settings-repository';
import { clinicForStaff } from '../application/staff-clinic';

export function makeSettingsQueries(deps: { clinics: ClinicSettingsRepository }) {
  return {
    async getClinicSettings(principal: Principal, clinicId: string): Promise<ClinicSettings> {
      const violations = new Violations();
      violations.add(clinicIdViolation(clinicId));
      violations.throwIfAny();
      return clinicForStaff(deps.clinics, principal, clinicId, 'admin');
    },
  };
}

export type SettingsQueries = ReturnType<typeof makeSettingsQueries>;
