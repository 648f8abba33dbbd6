import { removeApproval } from '../../domain/access/approve';
import { runAccessCommand, type AccessCommandDeps, type AccessCommandInput } from '../shared/access-command';

/** Removes one resident's approval; removing what is not there changes nothing. */
export function makeRemoveApproval(deps: AccessCommandDeps) {
  return (input: AccessCommandInput) =>
    runAccessCommand(deps, input, {
      operation: 'RemoveApproval',
      read: () => ({}),
      meaning: () => ({}),
      decide: (current, _extra, stamp, eventId) => removeApproval(current, stamp, eventId),
    });
}

export type RemoveApproval = ReturnType<typeof makeRemoveApproval>;
