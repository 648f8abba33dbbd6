import { requestIdViolation } from '../domain/access/request-id';
import { clinicIdViolation } from '../domain/clinic/clinic-id';
import type { Violations } from '../domain/errors/domain-error';
import { readPersonalIdentityNumber } from '../domain/identity/resident-number-input';
import type { PersonalIdentityNumber } from '../domain/identity/personal-identity-number';

/** Reads the fields most requests share, adding every problem to `violations`. */
export function readCommon(
  input: { clinicId?: string; personalIdentityNumber?: string; requestId?: string },
  today: string,
  violations: Violations,
): { number: PersonalIdentityNumber | null } {
  if (input.clinicId !== undefined) violations.add(clinicIdViolation(input.clinicId));
  const number = input.personalIdentityNumber === undefined ? null : readResidentNumber(input.personalIdentityNumber, today, violations);
  if (input.requestId !== undefined) violations.add(requestIdViolation(input.requestId));
  return { number };
}

/** Reads a personal identity number field: null, with the problem in `violations` (never repeating the input), when it is none. */
export function readResidentNumber(written: string, today: string, violations: Violations, field?: string): PersonalIdentityNumber | null {
  const read = readPersonalIdentityNumber(written, today, field);
  if ('value' in read) return read.value;
  violations.add(read.violation);
  return null;
}
