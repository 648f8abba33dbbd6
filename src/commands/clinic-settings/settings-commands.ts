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
        'PutCaseType',
        { caseType: input.caseType },
        (v) => caseTypeViolations(input.caseType).forEach((p) => v.add(p)),
        (current) => putCaseType(current, { ...input.caseType!, name: input.caseType!.name.trim() }),
      ),
    removeCaseType: (input: SettingsCommandInput & { caseTypeId: string }) =>
      changeClinicSettings(
        deps,
        input,
        'RemoveCaseType',
        { caseTypeId: input.caseTypeId },
        (v) => v.add(caseTypeIdViolation(input.caseTypeId)),
        (current) => removeCaseType(current, input.caseTypeId),
      ),
    setServiceArea: (input: SettingsCommandInput & { serviceArea: ServiceArea | undefined }) =>
      changeClinicSettings(
        deps,
        input,
        'SetServiceArea',
        { serviceArea: input.serviceArea },
        (v) => serviceAreaViolations(input.serviceArea).forEach((p) => v.add(p)),
        (current) => setServiceArea(current, input.serviceArea!),
      ),
    clearServiceArea: (input: SettingsCommandInput) =>
      changeClinicSettings(deps, input, 'ClearServiceArea', {}, () => undefined, clearServiceArea),
  };
}

export type SettingsCommands = ReturnType<typeof makeSettingsCommands>;
