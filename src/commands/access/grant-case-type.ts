import { grantCaseType } from '../../domain/access/grants';
import { Violations } from '../../domain/errors/domain-error';
import type { AccessChangeResult } from '../../application/change-resident-access';
import { changeAccess, readAccessCall, staffClinic, type AccessCommandDeps, type AccessCommandInput } from './access-command';
import { readGrant, type GrantInput } from './grant-input';
import { requireRestrictedCaseType } from './restricted-case-type';

/** Hands one of the clinic's restricted case types to a resident, until a date or further notice. */
export function makeGrantCaseType(deps: AccessCommandDeps) {
  return async (input: AccessCommandInput & GrantInput): Promise<AccessChangeResult> => {
    const violations = new Violations();
    const call = readAccessCall(deps.clock, input, violations);
    const grant = readGrant(input, violations, call.today);
    violations.throwIfAny();
    const { caseTypeId, end } = grant!;
    const settings = await staffClinic(deps, input);
    requireRestrictedCaseType(settings, caseTypeId);
    return changeAccess(deps, input, call, 'GrantCaseType', { caseTypeId, end }, (current, stamp, eventId) => grantCaseType(current, caseTypeId, end, stamp, eventId));
  };
}

export type GrantCaseType = ReturnType<typeof makeGrantCaseType>;
