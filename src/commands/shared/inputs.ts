import { requestIdViolation } from '../../domain/access/request-id';
import { clinicIdViolation } from '../../domain/clinic/clinic-id';
import type { Violations } from '../../domain/errors/domain-error';
import { readPersonalIdentityNumber } from '../../domain/identity/resident-number-input';
import type { PersonalIdentityNumber } from '../../domain/identity/personal-identity-number';

/** Reads the fields most requests share, adding every problem to `violations`. */
export function readCommon(
  input: { clinicId?: string; personalIdentityNumber?: string; requestId?: string },
  today: string,
  violations: Violations,
): { number: PersonalIdentityNumber | null } {
  if (input.clinicId !== undefined) violations.add(clinicIdViolation(input.clinicId));
  let number: PersonalIdentityNumber | null = null;
  if (input.personalIdentityNumber !== undefined) {
    const read = readPersonalIdentityNumber(input.personalIdentityNumber, today);
    if ('violation' in read) violations.add(read.violation);
    else number = read.value;
  }
  if (input.requestId !== undefined) violations.add(requestIdViolation(input.requestId));
  return { number };
}
