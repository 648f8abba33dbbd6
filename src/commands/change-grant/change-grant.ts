import { changeGrant } from '../../domain/access/grants';
import { runAccessCommand, type AccessCommandDeps, type AccessCommandInput } from '../shared/access-command';
import { readGrant, type GrantInput } from '../shared/grant-input';

/** Changes the end of a grant the resident holds (NOT_FOUND if none). */
export function makeChangeGrant(deps: AccessCommandDeps) {
  return (input: AccessCommandInput & GrantInput) =>
    runAccessCommand(deps, input, {
      operation: 'ChangeGrant',
      read: (violations, today) => readGrant(input, violations, today),
      meaning: (grant) => ({ ...grant }),
      decide: (current, grant, stamp, eventId) => changeGrant(current, grant.caseTypeId, grant.end, stamp, eventId),
    });
}

export type ChangeGrant = ReturnType<typeof makeChangeGrant>;
