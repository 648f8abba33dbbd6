import { changedTo, unchanged, type Decision } from './decision';
import type { ChangeStamp, ResidentAccess } from './resident-access';

export type { Decision } from './decision';

/** Approving an approved resident is a success that changes nothing (and publishes nothing). */
export function approve(current: ResidentAccess, stamp: ChangeStamp, eventId: string): Decision {
  if (current.approval) return unchanged(current);
  return changedTo(current, { ...current, approval: stamp }, 'APPROVED', stamp, eventId);
}

/** Removing an approval that is not there is a success that changes nothing. */
export function removeApproval(current: ResidentAccess, stamp: ChangeStamp, eventId: string): Decision {
  if (!current.approval) return unchanged(current);
  return changedTo(current, { ...current, approval: null }, 'APPROVAL_REMOVED', stamp, eventId);
}
