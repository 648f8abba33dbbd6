import type { FieldViolation } from '../errors/domain-error';
import { parsePersonalIdentityNumber, type PersonalIdentityNumber } from './personal-identity-number';

/** Reads a personal identity number from a request field; the violation never repeats the input. */
export function readPersonalIdentityNumber(input: string, today: string, field = 'personal_identity_number'): { value: PersonalIdentityNumber } | { violation: FieldViolation } {
  const parsed = parsePersonalIdentityNumber(input, today);
  if (parsed.ok) return { value: parsed.value };
  return { violation: { field, reason: 'INVALID_PERSONAL_IDENTITY_NUMBER', description: parsed.description } };
}
