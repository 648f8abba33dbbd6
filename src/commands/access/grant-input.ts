import { readGrantEnd, type GrantEnd } from '../../domain/access/grant-end';
import { caseTypeIdViolation } from '../../domain/clinic/settings-validation';
import type { Violations } from '../../domain/errors/domain-error';

export interface GrantInput {
  caseTypeId: string;
  untilDate?: string;
  untilFurtherNotice?: boolean;
}

/** Case type id and end, as GrantCaseType and ChangeGrant take them. */
export function readGrant(input: GrantInput, violations: Violations, today: string): { caseTypeId: string; end: GrantEnd } | null {
  violations.add(caseTypeIdViolation(input.caseTypeId));
  const read = readGrantEnd(input.untilDate, input.untilFurtherNotice, today);
  if ('violation' in read) {
    violations.add(read.violation);
    return null;
  }
  return { caseTypeId: input.caseTypeId, end: read.end };
}
