import { DomainError, Violations } from '../domain/errors/domain-error';
import { readCommon, readResidentNumber } from './inputs';

const TODAY = '2026-05-01';
// The tax agency's long-standing example number (19121212-1212).
const RESIDENT = '191212121212';

/** The fields and reasons of the violations collected, as the validation error names them. */
function problems(violations: Violations): string[] {
  try {
    violations.throwIfAny();
    return [];
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return error.violations.map((v) => `${v.field} ${v.reason}`);
  }
}

describe('readCommon', () => {
  it('reads valid fields without a violation, and the number in any written form', () => {
    const violations = new Violations();
    const { number } = readCommon({ clinicId: 'SE2321000016-1234', personalIdentityNumber: '19121212-1212', requestId: 'r-1' }, TODAY, violations);
    expect(number?.value).toBe(RESIDENT);
    expect(problems(violations)).toEqual([]);
  });

  it('checks only the fields the request has', () => {
    const violations = new Violations();
    expect(readCommon({}, TODAY, violations)).toEqual({ number: null });
    expect(problems(violations)).toEqual([]);
  });

  it('adds every bad field, each by its name, and gives no number for a bad one', () => {
    const violations = new Violations();
    const { number } = readCommon({ clinicId: 'clinic-1', personalIdentityNumber: '191212121213', requestId: '' }, TODAY, violations);
    expect(number).toBeNull();
    expect(problems(violations)).toEqual(['clinic_id INVALID_CLINIC_ID', 'personal_identity_number INVALID_PERSONAL_IDENTITY_NUMBER', 'request_id INVALID_REQUEST_ID']);
  });
});

describe('readResidentNumber', () => {
  it('names the field it was given', () => {
    const violations = new Violations();
    expect(readResidentNumber('12345', TODAY, violations, 'residents[3]')).toBeNull();
    expect(problems(violations)).toEqual(['residents[3] INVALID_PERSONAL_IDENTITY_NUMBER']);
  });

  it('refuses a birth date after today', () => {
    const violations = new Violations();
    expect(readResidentNumber(RESIDENT, '1912-12-11', violations)).toBeNull();
    expect(problems(violations)).toEqual(['personal_identity_number INVALID_PERSONAL_IDENTITY_NUMBER']);
    expect(readResidentNumber(RESIDENT, '1912-12-12', new Violations())?.value).toBe(RESIDENT);
  });
});
