import type { CaseType, ServiceArea } from '../../domain/clinic/clinic-settings';
import { clearServiceArea, putCaseType, removeCaseType, setGrantEndingSoonDays, setServiceArea } from '../../domain/clinic/settings-decisions';
import { caseTypeIdViolation, caseTypeViolations, grantEndingSoonDaysViolation, serviceAreaViolations } from '../../domain/clinic/settings-validation';
import { changeClinicSettings, requireValidAdminCall, type SettingsCommandDeps, type SettingsCommandInput } from './change-clinic-settings';

/** The administrators' settings commands, each one decision on the clinic's settings. */
export function makeSettingsCommands(deps: SettingsCommandDeps) {
  return {
    putCaseType: async (input: SettingsCommandInput & { caseType: CaseType | undefined }) => {
      const now = deps.clock.now();
      requireValidAdminCall(input, now, caseTypeViolations(input.caseType));
      const caseType = { ...input.caseType!, name: input.caseType!.name.trim() };
      return changeClinicSettings(deps, input, now, 'CASE_TYPE_PUT', { caseType: input.caseType }, (current) => putCaseType(current, caseType));
    },
    removeCaseType: async (input: SettingsCommandInput & { caseTypeId: string }) => {
      const now = deps.clock.now();
      requireValidAdminCall(input, now, [caseTypeIdViolation(input.caseTypeId)]);
      return changeClinicSettings(deps, input, now, 'CASE_TYPE_REMOVED', { caseTypeId: input.caseTypeId }, (current) => removeCaseType(current, input.caseTypeId));
    },
    setServiceArea: async (input: SettingsCommandInput & { serviceArea: ServiceArea | undefined }) => {
      const now = deps.clock.now();
      requireValidAdminCall(input, now, serviceAreaViolations(input.serviceArea));
      const serviceArea = input.serviceArea!;
      return changeClinicSettings(deps, input, now, 'SERVICE_AREA_SET', { serviceArea }, (current) => setServiceArea(current, serviceArea));
    },
    clearServiceArea: async (input: SettingsCommandInput) => {
      const now = deps.clock.now();
      requireValidAdminCall(input, now, []);
      return changeClinicSettings(deps, input, now, 'SERVICE_AREA_CLEARED', {}, clearServiceArea);
    },
    setGrantEndingSoonDays: async (input: SettingsCommandInput & { grantEndingSoonDays: number }) => {
      const now = deps.clock.now();
      const days = input.grantEndingSoonDays;
      requireValidAdminCall(input, now, [grantEndingSoonDaysViolation(days)]);
      return changeClinicSettings(deps, input, now, 'GRANT_ENDING_SOON_DAYS_SET', { grantEndingSoonDays: days }, (current) => setGrantEndingSoonDays(current, days));
    },
  };
}

export type SettingsCommands = ReturnType<typeof makeSettingsCommands>;
