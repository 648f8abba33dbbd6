import { removeGrant } from '../../domain/access/grants';
import { caseTypeIdViolation } from '../../domain/clinic/settings-validation';
import { Violations } from '../../domain/errors/domain-error';
import type { AccessChangeResult } from '../../application/change-resident-access';
import { changeAccess, readAccessCall, staffClinic, type AccessCommandDeps, type AccessCommandInput } from './access-command';

/** Removes a grant; removing one that is not held changes nothing. */
export function makeRemoveGrant(deps: AccessCommandDeps) {
  return async (input: AccessCommandInput & { caseTypeId: string }): Promise<AccessChangeResult> => {
    const violations = new Violations();
    const call = readAccessCall(deps.clock, input, violations);
    violations.add(caseTypeIdViolation(input.caseTypeId));
    violations.throwIfAny();
    const { caseTypeId } = input;
    await staffClinic(deps, input);
    return changeAccess(deps, input, call, 'RemoveGrant', { caseTypeId }, (current, stamp, eventId) => removeGrant(current, caseTypeId, stamp, eventId));
  };
}

export type RemoveGrant = ReturnType<typeof makeRemoveGrant>;
