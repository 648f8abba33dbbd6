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
    putCaseType: async (r, { principal, signal }) => changeResponse(await commands.putCaseType({ ...r, principal, signal, caseType: fromCaseTypeMessage(r.caseType) })),
    removeCaseType: async (r, { principal, signal }) => changeResponse(await commands.removeCaseType({ ...r, principal, signal })),
    setServiceArea: async (r, { principal, signal }) => changeResponse(await commands.setServiceArea({ ...r, principal, signal, serviceArea: fromServiceAreaMessage(r.serviceArea) })),
    clearServiceArea: async (r, { principal, signal }) => changeResponse(await commands.clearServiceArea({ ...r, principal, signal })),
  };
}
