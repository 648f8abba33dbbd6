import { byCodeUnits } from '../domain/order';
import { entitlementsAtClinic, type Entitlement } from '../domain/access/entitlements';
import { requireEntitlementsScope } from '../domain/authorization/policy';
import type { Principal } from '../domain/authorization/principal';
import { clinicIdViolation } from '../domain/clinic/clinic-id';
import { inServiceArea } from '../domain/clinic/service-area-matching';
import { caseTypeIdViolation } from '../domain/clinic/settings-validation';
import { Violations } from '../domain/errors/domain-error';
import { readPersonalIdentityNumber } from '../domain/identity/resident-number-input';
import type { PersonalIdentityNumber } from '../domain/identity/personal-identity-number';
import type { AccessQueries } from '../domain/ports/access-queries';
import type { AccessRepository } from '../domain/ports/access-repository';
import type { ClinicSettingsRepository } from '../domain/ports/clinic-settings-repository';
import type { Clock } from '../domain/ports/clock';
import type { ResidentRegister } from '../domain/register/registered-resident';
import { stockholmDate } from '../domain/time/stockholm';

export interface EntitlementQueryDeps {
  access: AccessRepository;
  accessQueries: AccessQueries;
  clinics: ClinicSettingsRepository;
  register: ResidentRegister;
  clock: Clock;
}

export interface ClinicEntitlements {
  clinicId: string;
  caseTypes: Entitlement[];
}

/** For the resident-facing e-service: what a resident may use now, and why. */
export function makeEntitlementQueries(deps: EntitlementQueryDeps) {
  const readResident = (principal: Principal, written: string, more?: (v: Violations) => void): PersonalIdentityNumber => {
    requireEntitlementsScope(principal);
    const violations = new Violations();
    const read = readPersonalIdentityNumber(written, stockholmDate(deps.clock.now()));
    if ('violation' in read) violations.add(read.violation);
    more?.(violations);
    violations.throwIfAny();
    return (read as { value: PersonalIdentityNumber }).value;
  };

  return {
    async listEntitlements(principal: Principal, written: string): Promise<ClinicEntitlements[]> {
      const number = readResident(principal, written);
      const now = deps.clock.now();
      const [accesses, registered, areaClinics] = await Promise.all([
        deps.accessQueries.findByResident(number.value),
        deps.register.find(number.value),
        deps.clinics.findWithServiceArea(),
      ]);
      const inArea = areaClinics.filter((c) => inServiceArea(c.serviceArea!, number, registered, stockholmDate(now)));
      const accessByClinic = new Map(accesses.map((a) => [a.clinicId, a]));
      const settings = await deps.clinics.findMany([...new Set([...accessByClinic.keys(), ...inArea.map((c) => c.clinicId)])]);
      return [...settings.values()]
        .map((s) => ({ clinicId: s.clinicId, caseTypes: entitlementsAtClinic(s, accessByClinic.get(s.clinicId) ?? null, { number, registered }, now) }))
        .filter((c) => c.caseTypes.length > 0)
        .sort((a, b) => byCodeUnits(a.clinicId, b.clinicId));
    },

    async checkEntitlement(principal: Principal, written: string, clinicId: string, caseTypeId: string): Promise<Entitlement | null> {
      const number = readResident(principal, written, (v) => {
        v.add(clinicIdViolation(clinicId));
        v.add(caseTypeIdViolation(caseTypeId));
      });
      const now = deps.clock.now();
      const [stored, settings, registered] = await Promise.all([
        deps.access.find(clinicId, number.value),
        deps.clinics.find(clinicId),
        deps.register.find(number.value),
      ]);
      if (!settings) return null;
      const all = entitlementsAtClinic(settings.settings, stored?.access ?? null, { number, registered }, now);
      return all.find((e) => e.caseTypeId === caseTypeId) ?? null;
    },
  };
}

export type EntitlementQueries = ReturnType<typeof makeEntitlementQueries>;
