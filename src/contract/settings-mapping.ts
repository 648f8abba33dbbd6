import { settingsEtag, type CaseType, type ClinicSettings, type ServiceArea } from '../domain/clinic/clinic-settings';
import type { ClinicSettingsChanged } from '../domain/clinic/settings-changed';
import * as clinic from '../gen/residentaccess/v1/clinic';
import * as events from '../gen/residentaccess/v1/events';

const sexToDomain = { [clinic.Sex.SEX_FEMALE]: 'female', [clinic.Sex.SEX_MALE]: 'male' } as const;

export function toServiceAreaMessage(area: ServiceArea): clinic.ServiceArea {
  return {
    regionCode: area.regionCode,
    municipalityCodes: area.municipalityCodes,
    sex: area.sex === 'female' ? clinic.Sex.SEX_FEMALE : area.sex === 'male' ? clinic.Sex.SEX_MALE : clinic.Sex.SEX_UNSPECIFIED,
    minAge: area.minAge ?? 0,
    maxAge: area.maxAge ?? 0,
  };
}

/** proto3 has no "unset" for scalars: 0 ages mean no bound, SEX_UNSPECIFIED means either sex. */
export function fromServiceAreaMessage(area: clinic.ServiceArea | undefined): ServiceArea | undefined {
  if (!area) return undefined;
  return {
    regionCode: area.regionCode,
    municipalityCodes: area.municipalityCodes,
    sex: sexToDomain[area.sex as keyof typeof sexToDomain] ?? null,
    minAge: area.minAge === 0 ? null : area.minAge,
    maxAge: area.maxAge === 0 ? null : area.maxAge,
  };
}

export function fromCaseTypeMessage(caseType: clinic.CaseType | undefined): CaseType | undefined {
  return caseType ? { id: caseType.id, name: caseType.name, restricted: caseType.restricted } : undefined;
}

export function toClinicSettingsMessage(settings: ClinicSettings): clinic.ClinicSettings {
  return {
    clinicId: settings.clinicId,
    caseTypes: settings.caseTypes.map((c) => ({ id: c.id, name: c.name, restricted: c.restricted })),
    serviceArea: settings.serviceArea ? toServiceAreaMessage(settings.serviceArea) : undefined,
    version: settings.version,
    etag: settingsEtag(settings),
    grantEndingSoonDays: settings.grantEndingSoonDays,
  };
}

const settingsCauses = {
  CASE_TYPE_PUT: events.ClinicSettingsChangeCause.CLINIC_SETTINGS_CHANGE_CAUSE_CASE_TYPE_PUT,
  CASE_TYPE_REMOVED: events.ClinicSettingsChangeCause.CLINIC_SETTINGS_CHANGE_CAUSE_CASE_TYPE_REMOVED,
  SERVICE_AREA_SET: events.ClinicSettingsChangeCause.CLINIC_SETTINGS_CHANGE_CAUSE_SERVICE_AREA_SET,
  SERVICE_AREA_CLEARED: events.ClinicSettingsChangeCause.CLINIC_SETTINGS_CHANGE_CAUSE_SERVICE_AREA_CLEARED,
  GRANT_ENDING_SOON_DAYS_SET: events.ClinicSettingsChangeCause.CLINIC_SETTINGS_CHANGE_CAUSE_GRANT_ENDING_SOON_DAYS_SET,
} as const;

/** The event's data as published: the protobuf JSON mapping of ClinicSettingsChangedEvent. */
export function settingsChangedJson(event: ClinicSettingsChanged): string {
  return JSON.stringify(
    events.ClinicSettingsChangedEvent.toJSON({
      eventId: event.eventId,
      cause: settingsCauses[event.cause],
      settings: toClinicSettingsMessage(event.settings),
      version: event.version,
      actor: event.actor,
      requestId: event.requestId,
      time: event.occurredAt,
    }),
  );
}
