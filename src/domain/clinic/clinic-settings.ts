import type { Sex } from '../identity/personal-identity-number';

/** One e-service of a clinic. */
export interface CaseType {
  id: string;
  name: string;
  /** Only residents it was granted to may use it. */
  restricted: boolean;
}

/** Where the clinic is open to every resident registered there, without approval. */
export interface ServiceArea {
  regionCode: string;
  /** Empty = the whole region. */
  municipalityCodes: string[];
  sex: Sex | null;
  minAge: number | null;
  maxAge: number | null;
}

export interface ClinicSettings {
  clinicId: string;
  /** Ordered by id. */
  caseTypes: CaseType[];
  serviceArea: ServiceArea | null;
  /** Days before a dated grant's last day its GRANT_ENDING_SOON is published; 0 = off. */
  grantEndingSoonDays: number;
  /** Grows by one per change; 0 = never stored. */
  version: number;
}

export function emptySettings(clinicId: string): ClinicSettings {
  return { clinicId, caseTypes: [], serviceArea: null, grantEndingSoonDays: 0, version: 0 };
}

export function settingsEtag(settings: ClinicSettings): string {
  return `W/"${settings.version}"`;
}

export function findCaseType(settings: ClinicSettings, caseTypeId: string): CaseType | undefined {
  return settings.caseTypes.find((c) => c.id === caseTypeId);
}
