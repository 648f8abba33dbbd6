import type { AccessChangeCause, AccessChanged, ChangeStamp, ResidentAccess } from './resident-access';

export type Decision = { changed: false; access: ResidentAccess } | { changed: true; access: ResidentAccess; event: AccessChanged };

export function unchanged(access: ResidentAccess): Decision {
  return { changed: false, access };
}

/** A new state one version on, with the event that announces it. */
export function changedTo(current: ResidentAccess, next: Omit<ResidentAccess, 'version'>, cause: AccessChangeCause, stamp: ChangeStamp, eventId: string): Decision {
  const access: ResidentAccess = { ...next, version: current.version + 1 };
  return {
    changed: true,
    access,
    event: { eventId, cause, access, before: current, version: access.version, actor: stamp.actor, requestId: stamp.requestId, occurredAt: stamp.at },
  };
}
