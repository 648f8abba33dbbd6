import type { AccessChanged, ChangeStamp, ResidentAccess } from './resident-access';

export type Decision =
  | { changed: false; access: ResidentAccess }
  | { changed: true; access: ResidentAccess; event: AccessChanged };

/** Approving an approved resident is a success that changes nothing (and publishes nothing). */
export function approve(current: ResidentAccess, stamp: ChangeStamp, eventId: string): Decision {
  if (current.approval) return { changed: false, access: current };
  const access: ResidentAccess = { ...current, approval: stamp, version: current.version + 1 };
  return {
    changed: true,
    access,
    event: {
      eventId,
      cause: 'APPROVED',
      access,
      version: access.version,
      actor: stamp.actor,
      requestId: stamp.requestId,
      occurredAt: stamp.at,
    },
  };
}
