/** Who made a change, when, and under which request id. */
export interface ChangeStamp {
  actor: string;
  at: Date;
  requestId: string;
}

/** The whole access of one resident at one clinic: the unit that changes atomically. */
export interface ResidentAccess {
  clinicId: string;
  /** 12-digit personal identity number or coordination number. */
  resident: string;
  approval: ChangeStamp | null;
  /** Grows by one per change; 0 means nothing has ever been stored. */
  version: number;
}

export type AccessChangeCause = 'APPROVED';

/** What the relay publishes: the whole access after one change. */
export interface AccessChanged {
  eventId: string;
  cause: AccessChangeCause;
  access: ResidentAccess;
  version: number;
  actor: string;
  requestId: string;
  occurredAt: Date;
}

export function emptyAccess(clinicId: string, resident: string): ResidentAccess {
  return { clinicId, resident, approval: null, version: 0 };
}

/** An etag names one stored state of one resident at one clinic (AIP-154). */
export function etagOf(access: ResidentAccess): string {
  return `W/"${access.version}"`;
}
