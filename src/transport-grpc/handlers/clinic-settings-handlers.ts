import type { SettingsChangeResult } from '../../commands/clinic-settings/change-clinic-settings';
import type { SettingsCommands } from '../../commands/clinic-settings/settings-commands';
import { fromCaseTypeMessage, fromServiceAreaMessage, toClinicSettingsMessage } from '../../contract/settings-mapping';
import type * as api from '../../gen/residentaccess/v1/clinic_settings_service';
import type { SettingsQueries } from '../../queries/settings-queries';
import type { ConsistencyTokens } from '../../views/consistency-token';
import type { UnaryHandler as H } from '../unary';

export interface ClinicSettingsHandlers {
  getClinicSettings: H<api.GetClinicSettingsRequest, api.GetClinicSettingsResponse>;
  putCaseType: H<api.PutCaseTypeRequest, api.PutCaseTypeResponse>;
  removeCaseType: H<api.RemoveCaseTypeRequest, api.RemoveCaseTypeResponse>;
  setServiceArea: H<api.SetServiceAreaRequest, api.SetServiceAreaResponse>;
  clearServiceArea: H<api.ClearServiceAreaRequest, api.ClearServiceAreaResponse>;
}

export function clinicSettingsHandlers(commands: SettingsCommands, queries: SettingsQueries, tokens: ConsistencyTokens): ClinicSettingsHandlers {
  const changeResponse = (result: SettingsChangeResult) => ({
    settings: toClinicSettingsMessage(result.settings),
    changed: result.changed,
    consistencyToken: tokens.forSettings(result.settings),
  });
  return {
    getClinicSettings: async (r, { principal }) => ({ settings: toClinicSettingsMessage(await queries.getClinicSettings(principal, r.clinicId)) }),
    putCaseType: async (r, { principal }) =>
      changeResponse(await commands.putCaseType({ ...r, principal, caseType: fromCaseTypeMessage(r.caseType) })),
    removeCaseType: async (r, { principal }) => changeResponse(await commands.removeCaseType({ ...r, principal })),
    setServiceArea: async (r, { principal }) =>
      changeResponse(await commands.setServiceArea({ ...r, principal, serviceArea: fromServiceAreaMessage(r.serviceArea) })),
    clearServiceArea: async (r, { principal }) => changeResponse(await commands.clearServiceArea({ ...r, principal })),
  };
}
