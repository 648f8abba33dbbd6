import type { FieldViolation } from '../errors/domain-error';
import type { CaseType, ServiceArea } from './clinic-settings';

const CASE_TYPE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const REGION_CODE = /^(0[1-9]|1\d|2[0-5])$/;
const MUNICIPALITY_CODE = /^\d{4}$/;
const MAX_AGE = 130;
/** A reminder further ahead than about a quarter is no longer "soon". */
export const MAX_GRANT_ENDING_SOON_DAYS = 90;

export function caseTypeIdViolation(id: string, field = 'case_type_id'): FieldViolation | null {
  return CASE_TYPE_ID.test(id) ? null : { field, reason: 'INVALID_CASE_TYPE_ID', description: 'must be 1 to 64 letters, digits, - or _' };
}

export function caseTypeViolations(caseType: CaseType | undefined, field = 'case_type'): FieldViolation[] {
  if (!caseType) return [{ field, reason: 'REQUIRED', description: 'is required' }];
  const violations: FieldViolation[] = [];
  const idProblem = caseTypeIdViolation(caseType.id, `${field}.id`);
  if (idProblem) violations.push(idProblem);
  const name = caseType.name.trim();
  if (name.length === 0 || name.length > 200) {
    violations.push({ field: `${field}.name`, reason: 'INVALID_CASE_TYPE_NAME', description: 'must be 1 to 200 characters' });
  }
  return violations;
}

/** A region is required; municipalities must lie in it; ages are whole years with min ≤ max. */
export function serviceAreaViolations(area: ServiceArea | undefined, field = 'service_area'): FieldViolation[] {
  if (!area) return [{ field, reason: 'REQUIRED', description: 'is required' }];
  const violations: FieldViolation[] = [];
  if (!REGION_CODE.test(area.regionCode)) {
    violations.push({ field: `${field}.region_code`, reason: 'INVALID_REGION_CODE', description: 'is required: a two-digit region code 01 to 25' });
  }
  area.municipalityCodes.forEach((code, i) => {
    if (!MUNICIPALITY_CODE.test(code) || !code.startsWith(area.regionCode)) {
      violations.push({
        field: `${field}.municipality_codes[${i}]`,
        reason: 'INVALID_MUNICIPALITY_CODE',
        description: 'must be a four-digit municipality code in the region (starting with the region code)',
      });
    }
  });
  for (const [name, age] of [
    ['min_age', area.minAge],
    ['max_age', area.maxAge],
  ] as const) {
    if (age !== null && (!Number.isInteger(age) || age < 0 || age > MAX_AGE)) {
      violations.push({ field: `${field}.${name}`, reason: 'INVALID_AGE', description: `must be 0 to ${MAX_AGE}` });
    }
  }
  if (area.minAge !== null && area.maxAge !== null && area.minAge > area.maxAge) {
    violations.push({ field: `${field}.max_age`, reason: 'INVALID_AGE_RANGE', description: 'must not be below min_age' });
  }
  return violations;
}

/** 0 (off) or 1 to MAX_GRANT_ENDING_SOON_DAYS whole days. */
export function grantEndingSoonDaysViolation(days: number, field = 'grant_ending_soon_days'): FieldViolation | null {
  if (Number.isInteger(days) && days >= 0 && days <= MAX_GRANT_ENDING_SOON_DAYS) return null;
  return { field, reason: 'INVALID_DAYS', description: `must be 0 (off) or 1 to ${MAX_GRANT_ENDING_SOON_DAYS} days` };
}
