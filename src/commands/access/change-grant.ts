import { changeGrant } from '../../domain/access/grants';
import { Violations } from '../../domain/errors/domain-error';
import type { AccessChangeResult } from '../../application/change-resident-access';
import { changeAccess, readAccessCall, staffClinic, type AccessCommandDeps, type AccessCommandInput } from './access-command';
import { readStartChange, type FirstDayInput } from './first-day-input';
import { readGrant, type GrantInput } from './grant-input';

/** Changes the end of a grant the resident holds, and its first day while pending (NOT_FOUND if none). */
export function makeChangeGrant(deps: AccessCommandDeps) {
  return async (input: AccessCommandInput & GrantInput & FirstDayInput & { startNow?: boolean }): Promise<AccessChangeResult> => {
    const violations = new Violations();
    const call = readAccessCall(deps.clock, input, violations);
    const grant = readGrant(input, violations, call.today);
    const start = readStartChange(input, violations);
    violations.throwIfAny();
    const { caseTypeId, end } = grant!;
    await staffClinic(deps, input);
    // Keeping the first day leaves the fingerprint as it was before first days existed.
    const meaning = 'keep' in start ? { caseTypeId, end } : { caseTypeId, end, start };
    return changeAccess(deps, input, call, 'ChangeGrant', meaning, (current, stamp, eventId) => changeGrant(current, caseTypeId, end, stamp, eventId, start));
  };
}

export type ChangeGrant = ReturnType<typeof makeChangeGrant>;
