import type { ClinicSettings } from './clinic-settings';

export type SettingsChangeCause = 'CASE_TYPE_PUT' | 'CASE_TYPE_REMOVED' | 'SERVICE_AREA_SET' | 'SERVICE_AREA_CLEARED' | 'GRANT_ENDING_SOON_DAYS_SET';

/** Published for every change of a clinic's settings: the whole settings after it. */
export interface ClinicSettingsChanged {
  eventId: string;
  cause: SettingsChangeCause;
  settings: ClinicSettings;
  version: number;
  actor: string;
  requestId: string;
  occurredAt: Date;
}
