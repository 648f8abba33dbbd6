import { removeApproval } from '../../domain/access/approve';
import { Violations } from '../../domain/errors/domain-error';
import type { AccessChangeResult } from '../../application/change-resident-access';
import { changeAccess, readAccessCall, staffClinic, type AccessCommandDeps, type AccessCommandInput } from './access-command';

/** Removes one resident's approval; removing what is not there changes nothing. */
export function makeRemoveApproval(deps: AccessCommandDeps) {
  return async (input: AccessCommandInput): Promise<AccessChangeResult> => {
    const violations = new Violations();
    const call = readAccessCall(deps.clock, input, violations);
    violations.throwIfAny();
    await staffClinic(deps, input);
    return changeAccess(deps, input, call, 'RemoveApproval', {}, removeApproval);
  };
}

export type RemoveApproval = ReturnType<typeof makeRemoveApproval>;
