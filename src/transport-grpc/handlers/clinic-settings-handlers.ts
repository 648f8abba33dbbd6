import type { SettingsChangeResult } from '../../commands/clinic-settings/change-clinic-settings';
import type { SettingsCommands } from '../../commands/clinic-settings/settings-commands';
import { fromCaseTypeMessage, fromServiceAreaMessage, toClinicSettingsMessage } from '../../contract/settings-mapping';
import type { ClinicSettingsServiceService } from '../../gen/residentaccess/v1/clinic_settings_service';
import type { SettingsQueries } from '../../queries/settings-queries';
import type { ConsistencyTokens } from '../../views/consistency-token';
import type { UseCaseHandlers } from '../use-case-handlers';

/** One handler per RPC of the service, typed from its generated definition. */
export type ClinicSettingsHandlers = UseCaseHandlers<ClinicSettingsServiceService>;

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
    setGrantEndingSoonDays: async (r, { principal, signal }) => changeResponse(await commands.setGrantEndingSoonDays({ ...r, principal, signal })),
  };
}
