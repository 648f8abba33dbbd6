import { grantCaseType } from '../../domain/access/grants';
import { Violations } from '../../domain/errors/domain-error';
import type { AccessChangeResult } from '../../application/change-resident-access';
import { changeAccess, readAccessCall, staffClinic, type AccessCommandDeps, type AccessCommandInput } from './access-command';
import { readFirstDay, type FirstDayInput } from './first-day-input';
import { readGrant, type GrantInput } from './grant-input';
import { requireRestrictedCaseType } from './restricted-case-type';

/** Hands one of the clinic's restricted case types to a resident, from now or a first day, until a date or further notice. */
export function makeGrantCaseType(deps: AccessCommandDeps) {
  return async (input: AccessCommandInput & GrantInput & FirstDayInput): Promise<AccessChangeResult> => {
    const violations = new Violations();
    const call = readAccessCall(deps.clock, input, violations);
    const grant = readGrant(input, violations, call.today);
    const firstDay = readFirstDay(input, grant?.end ?? null, call.today, violations);
    violations.throwIfAny();
    const { caseTypeId, end } = grant!;
    const settings = await staffClinic(deps, input);
    requireRestrictedCaseType(settings, caseTypeId);
    // A first day only joins the fingerprint when given, so retries of grants without one keep theirs.
    const meaning = firstDay === undefined ? { caseTypeId, end } : { caseTypeId, end, firstDay };
    return changeAccess(deps, input, call, 'GrantCaseType', meaning, (current, stamp, eventId) => grantCaseType(current, caseTypeId, end, stamp, eventId, firstDay));
  };
}

export type GrantCaseType = ReturnType<typeof makeGrantCaseType>;
