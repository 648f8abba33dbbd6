import type { ImportedAccess, ImportedGrant } from '../../domain/access/import';
import type { ClinicSettings } from '../../domain/clinic/clinic-settings';
import { DomainError, Violations, type FieldViolation } from '../../domain/errors/domain-error';
import type { PersonalIdentityNumber } from '../../domain/identity/personal-identity-number';
import { readResidentNumber } from '../../application/inputs';
import { readImportedFirstDay, type FirstDayInput } from './first-day-input';
import { readGrant, type GrantInput } from './grant-input';
import { requireRestrictedCaseType } from './restricted-case-type';

/** One row of an import as the API takes it (fields named as in ImportRow). */
export interface ImportRowInput {
  line: number;
  personalIdentityNumber: string;
  approved: boolean;
  grants: readonly (GrantInput & FirstDayInput)[];
}

/** More than this many grants in one row is refused: a clinic has far fewer restricted case types. */
export const MAX_GRANTS_PER_ROW = 100;

export type ReadRow = { number: PersonalIdentityNumber; imported: ImportedAccess } | { violations: readonly FieldViolation[] };

/**
 * Reads one row as ApproveResident and GrantCaseType read theirs: the number, each grant's case
 * type and end (today or later), its first day (any valid day up to the end: see
 * readImportedFirstDay), and each case type restricted at this clinic. Every problem is
 * one violation named by the row's field (`grants[1].until_date`); none repeats the row's values.
 */
export function readImportRow(row: ImportRowInput, settings: ClinicSettings, today: string): ReadRow {
  const violations = new Violations();
  const number = readResidentNumber(row.personalIdentityNumber, today, violations, 'personal_identity_number');
  if (row.grants.length > MAX_GRANTS_PER_ROW) {
    violations.add({ field: 'grants', reason: 'TOO_MANY', description: `at most ${MAX_GRANTS_PER_ROW} grants in one row` });
    return { violations: violations.all };
  }
  if (!row.approved && row.grants.length === 0) {
    violations.add({ field: 'approved', reason: 'NOTHING_TO_IMPORT', description: 'the row neither approves the resident nor grants a case type' });
  }
  const grants: ImportedGrant[] = [];
  const seen = new Set<string>();
  row.grants.forEach((input, i) => {
    const field = `grants[${i}]`;
    const own = new Violations();
    const grant = readGrant(input, own, today);
    const firstDay = readImportedFirstDay(input, grant?.end ?? null, own);
    for (const v of own.all) violations.add({ ...v, field: `${field}.${v.field}` });
    if (!grant || own.all.length > 0) return;
    if (seen.has(grant.caseTypeId)) {
      violations.add({ field: `${field}.case_type_id`, reason: 'DUPLICATE_CASE_TYPE', description: 'the row grants this case type twice' });
      return;
    }
    seen.add(grant.caseTypeId);
    const refused = caseTypeRefusal(settings, grant.caseTypeId);
    if (refused) violations.add({ field: `${field}.case_type_id`, reason: refused.code, description: refused.message });
    else grants.push(firstDay === undefined ? grant : { ...grant, firstDay });
  });
  if (violations.all.length > 0 || !number) return { violations: violations.all };
  return { number, imported: { approve: row.approved, grants } };
}

/** GrantCaseType's check of the case type, as a row's violation instead of the call's error. */
function caseTypeRefusal(settings: ClinicSettings, caseTypeId: string): DomainError | null {
  try {
    requireRestrictedCaseType(settings, caseTypeId);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}
