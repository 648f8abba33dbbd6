import { changedTo, unchanged, type Decision } from './decision';
import type { ChangeStamp, ResidentAccess } from './resident-access';

/**
 * The same state one version on, announced with cause REPUBLISHED: consumers drop what is not newer
 * than they saw, so a republished state must be newer to reach those that still hold the old one.
 * An access never stored has nothing to republish.
 */
export function republish(current: ResidentAccess, stamp: ChangeStamp, eventId: string): Decision {
  if (current.version === 0) return unchanged(current);
  return changedTo(current, current, 'REPUBLISHED', stamp, eventId);
}
