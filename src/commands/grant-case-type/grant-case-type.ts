import { grantCaseType } from '../../domain/access/grants';
import { runAccessCommand, type AccessCommandDeps, type AccessCommandInput } from '../shared/access-command';
import { readGrant, type GrantInput } from '../shared/grant-input';
import { requireRestrictedCaseType } from '../shared/restricted-case-type';

/** Hands one of the clinic's restricted case types to a resident, until a date or further notice. */
export function makeGrantCaseType(deps: AccessCommandDeps) {
  return (input: AccessCommandInput & GrantInput) =>
    runAccessCommand(deps, input, {
      operation: 'GrantCaseType',
      read: (violations, today) => readGrant(input, violations, today),
      meaning: (grant) => ({ ...grant }),
      check: (settings, grant) => requireRestrictedCaseType(settings, grant.caseTypeId),
      decide: (current, grant, stamp, eventId) => grantCaseType(current, grant.caseTypeId, grant.end, stamp, eventId),
    });
}

export type GrantCaseType = ReturnType<typeof makeGrantCaseType>;
