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
  /** First day in Europe/Stockholm ('YYYY-MM-DD') when the grant was given one; absent otherwise. */
  firstDay?: string;
  /**
   * 00:00 Europe/Stockholm of `firstDay` while the grant is pending: present from a grant with a
   * future first day until the scheduler's GRANT_STARTED change removes it (absent: active).
   */
  startsAt?: Date;
  granted: ChangeStamp;
  changed: ChangeStamp | null;
  /**
   * The end dates (`until`) whose GRANT_ENDING_SOON was published, those not yet past; absent when
   * none was. A new end is not among them, so it gets its own reminder.
   */
  endingSoonSentFor?: string[];
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
  /** A pending grant's first day began (00:00 Europe/Stockholm). */
  | 'GRANT_STARTED'
  | 'CASE_TYPE_WITHDRAWN'
  /** An operator republished the state unchanged, for consumers that rebuild theirs. */
  | 'REPUBLISHED'
  /** A reminder that `endingGrant` ends soon; no access changed. */
  | 'GRANT_ENDING_SOON'
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
  /** Only with GRANT_ENDING_SOON: the grant that ends soon. */
  endingGrant?: EndingGrant;
}

/** The grant a GRANT_ENDING_SOON event reminds of: once per grant and end date. */
export interface EndingGrant {
  caseTypeId: string;
  until: string;
  endsAt: Date;
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
