import { approve } from '../../domain/access/approve';
import { Violations } from '../../domain/errors/domain-error';
import type { AccessChangeResult } from '../../application/change-resident-access';
import { changeAccess, readAccessCall, staffClinic, type AccessCommandDeps, type AccessCommandInput } from './access-command';

/** Approves a resident for communication with a clinic (idempotent by request id). */
export function makeApproveResident(deps: AccessCommandDeps) {
  return async (input: AccessCommandInput): Promise<AccessChangeResult> => {
    const violations = new Violations();
    const call = readAccessCall(deps.clock, input, violations);
    violations.throwIfAny();
    await staffClinic(deps, input);
    return changeAccess(deps, input, call, 'ApproveResident', {}, approve);
  };
}

export type ApproveResident = ReturnType<typeof makeApproveResident>;
