import { settingsEtag, type CaseType, type ClinicSettings, type ServiceArea } from '../domain/clinic/clinic-settings';
import * as clinic from '../gen/residentaccess/v1/clinic';

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
  };
}
