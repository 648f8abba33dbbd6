/** What the population register says of one resident, as this service needs it. */
export interface RegisteredResident {
  /** 12 digits. */
  personalIdentityNumber: string;
  /** Empty for a protected identity: such a name is never stored. */
  givenName: string;
  familyName: string;
  /** Protected identity (skyddad identitet): the name must never be revealed, nor kept. */
  protectedIdentity: boolean;
  /** Two-digit region (county) code where the resident is registered, e.g. "01". */
  regionCode: string;
  /** Four-digit municipality code, e.g. "0180". */
  municipalityCode: string;
}

/** Where a resident is registered: all that the service-area rules need of the register. */
export type ResidentHome = Pick<RegisteredResident, 'regionCode' | 'municipalityCode'>;

export function homeOf(resident: ResidentHome | null): ResidentHome | null {
  return resident ? { regionCode: resident.regionCode, municipalityCode: resident.municipalityCode } : null;
}

/** The register read model (fed from the population-register topic). */
export interface ResidentRegister {
  find(personalIdentityNumber: string): Promise<RegisteredResident | null>;
  findMany(personalIdentityNumbers: readonly string[]): Promise<Map<string, RegisteredResident>>;
}
