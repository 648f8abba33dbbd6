import type { FieldViolation } from '../errors/domain-error';

/**
 * A clinic's HSA-id: the country code SE, the issuing organisation's 10-digit number, a dash, and
 * an alphanumeric serial (for example `SE2321000016-1234`).
 */
const HSA_ID = /^SE\d{10}-[A-Za-z0-9]{1,31}$/;

export function clinicIdViolation(clinicId: string, field = 'clinic_id'): FieldViolation | null {
  if (HSA_ID.test(clinicId)) return null;
  return {
    field,
    reason: 'INVALID_CLINIC_ID',
    description: 'must be an HSA-id such as SE2321000016-1234',
  };
}
