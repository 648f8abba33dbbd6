import { removeGrant } from '../../domain/access/grants';
import { caseTypeIdViolation } from '../../domain/clinic/settings-validation';
import { runAccessCommand, type AccessCommandDeps, type AccessCommandInput } from '../shared/access-command';

/** Removes a grant; removing one that is not held changes nothing. */
export function makeRemoveGrant(deps: AccessCommandDeps) {
  return (input: AccessCommandInput & { caseTypeId: string }) =>
    runAccessCommand(deps, input, {
      operation: 'RemoveGrant',
      read: (violations) => {
        violations.add(caseTypeIdViolation(input.caseTypeId));
        return { caseTypeId: input.caseTypeId };
      },
      meaning: (extra) => extra,
      decide: (current, extra, stamp, eventId) => removeGrant(current, extra.caseTypeId, stamp, eventId),
    });
}

export type RemoveGrant = ReturnType<typeof makeRemoveGrant>;
