import { approve } from '../../domain/access/approve';
import { runAccessCommand, type AccessCommandDeps, type AccessCommandInput } from '../shared/access-command';

/** Approves a resident for communication with a clinic (idempotent by request id). */
export function makeApproveResident(deps: AccessCommandDeps) {
  return (input: AccessCommandInput) =>
    runAccessCommand(deps, input, {
      operation: 'ApproveResident',
      read: () => ({}),
      meaning: () => ({}),
      decide: (current, _extra, stamp, eventId) => approve(current, stamp, eventId),
    });
}

export type ApproveResident = ReturnType<typeof makeApproveResident>;
