/** Who made a change, when, and under which request id. */
export interface ChangeStamp {
  actor: string;
  at: Date;
  requestId: string;
}

/** One restricted case type handed out to one resident. */
export interface Grant {
  caseTypeId: string;
  /** Last valid day in Europe/Stockholm ('YYYY-MM-DD'); null = until further notice. */
  until: string | null;
  /** 00:00 Europe/Stockholm after `until`; null = until further notice. */
  endsAt: Date | null;
  granted: ChangeStamp;
  changed: ChangeStamp | null;
}

/** The whole access of one resident at one clinic: the unit that changes atomically. */
export interface ResidentAccess {
  clinicId: string;
  /** 12-digit personal identity number or coordination number. */
  resident: string;
  approval: ChangeStamp | null;
  /** Ordered by case type id. */
  grants: Grant[];
  /** Grows by one per change; 0 means nothing has ever been stored. */
  version: number;
}

export type AccessChangeCause =
  | 'APPROVED'
  | 'APPROVAL_REMOVED'
  | 'GRANTED'
  | 'GRANT_CHANGED'
  | 'GRANT_REMOVED'
  | 'GRANT_EXPIRED'
  | 'CASE_TYPE_WITHDRAWN'
  /** An operator republished the state unchanged, for consumers that rebuild theirs. */
  | 'REPUBLISHED'
  /** A clinic administrator's import: approval and grants of one row, in one change. */
  | 'IMPORTED';

/** What the relay publishes: the whole access after one change. */
export interface AccessChanged {
  eventId: string;
  cause: AccessChangeCause;
  access: ResidentAccess;
  /** The access before the change: kept for the audit trail, not published. */
  before: ResidentAccess;
  version: number;
  actor: string;
  requestId: string;
  occurredAt: Date;
}

export function emptyAccess(clinicId: string, resident: string): ResidentAccess {
  return { clinicId, resident, approval: null, grants: [], version: 0 };
}

/** An etag names one stored state of one resident at one clinic (AIP-154). */
export function etagOf(access: ResidentAccess): string {
  return `W/"${access.version}"`;
}

export function hasAnyAccess(access: ResidentAccess): boolean {
  return access.approval !== null || access.grants.length > 0;
}
