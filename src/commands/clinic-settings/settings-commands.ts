import type { CaseType, ServiceArea } from '../../domain/clinic/clinic-settings';
import { clearServiceArea, putCaseType, removeCaseType, setServiceArea } from '../../domain/clinic/settings-decisions';
import { caseTypeIdViolation, caseTypeViolations, serviceAreaViolations } from '../../domain/clinic/settings-validation';
import { changeClinicSettings, type SettingsCommandDeps, type SettingsCommandInput } from './change-clinic-settings';

/** The administrators' settings commands, each one decision on the clinic's settings. */
export function makeSettingsCommands(deps: SettingsCommandDeps) {
  return {
    putCaseType: (input: SettingsCommandInput & { caseType: CaseType | undefined }) =>
      changeClinicSettings(
        deps,
        input,
        'CASE_TYPE_PUT',
        { caseType: input.caseType },
        (v) => caseTypeViolations(input.caseType).forEach((p) => v.add(p)),
        (current) => putCaseType(current, { ...input.caseType!, name: input.caseType!.name.trim() }),
      ),
    removeCaseType: (input: SettingsCommandInput & { caseTypeId: string }) =>
      changeClinicSettings(
        deps,
        input,
        'CASE_TYPE_REMOVED',
        { caseTypeId: input.caseTypeId },
        (v) => v.add(caseTypeIdViolation(input.caseTypeId)),
        (current) => removeCaseType(current, input.caseTypeId),
      ),
    setServiceArea: (input: SettingsCommandInput & { serviceArea: ServiceArea | undefined }) =>
      changeClinicSettings(
        deps,
        input,
        'SERVICE_AREA_SET',
        { serviceArea: input.serviceArea },
        (v) => serviceAreaViolations(input.serviceArea).forEach((p) => v.add(p)),
        (current) => setServiceArea(current, input.serviceArea!),
      ),
    clearServiceArea: (input: SettingsCommandInput) => changeClinicSettings(deps, input, 'SERVICE_AREA_CLEARED', {}, () => undefined, clearServiceArea),
  };
}

export type SettingsCommands = ReturnType<typeof makeSettingsCommands>;
