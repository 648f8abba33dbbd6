import { changeGrant } from '../../domain/access/grants';
import { Violations } from '../../domain/errors/domain-error';
import type { AccessChangeResult } from '../../application/change-resident-access';
import { changeAccess, readAccessCall, staffClinic, type AccessCommandDeps, type AccessCommandInput } from './access-command';
import { readGrant, type GrantInput } from './grant-input';

/** Changes the end of a grant the resident holds (NOT_FOUND if none). */
export function makeChangeGrant(deps: AccessCommandDeps) {
  return async (input: AccessCommandInput & GrantInput): Promise<AccessChangeResult> => {
    const violations = new Violations();
    const call = readAccessCall(deps.clock, input, violations);
    const grant = readGrant(input, violations, call.today);
    violations.throwIfAny();
    const { caseTypeId, end } = grant!;
    await staffClinic(deps, input);
    return changeAccess(deps, input, call, 'ChangeGrant', { caseTypeId, end }, (current, stamp, eventId) => changeGrant(current, caseTypeId, end, stamp, eventId));
  };
}

export type ChangeGrant = ReturnType<typeof makeChangeGrant>;
