import type { PersonalIdentityNumber } from '../identity/personal-identity-number';
import type { ResidentHome } from '../identity/registered-resident';
import type { ServiceArea } from './clinic-settings';

/**
 * A resident is in a clinic's service area when registered in its region (and one of its
 * municipalities, if any are named), of its sex (if set) and within its age range (if set), with
 * sex and age taken from the personal identity number. Unregistered residents are in no area.
 */
export function inServiceArea(area: ServiceArea, number: PersonalIdentityNumber, registered: ResidentHome | null, today: string): boolean {
  if (!registered) return false;
  if (registered.regionCode !== area.regionCode) return false;
  if (area.municipalityCodes.length > 0 && !area.municipalityCodes.includes(registered.municipalityCode)) return false;
  if (area.sex && number.sex !== area.sex) return false;
  const age = number.ageOn(today);
  if (area.minAge !== null && age < area.minAge) return false;
  if (area.maxAge !== null && age > area.maxAge) return false;
  return true;
}
