import type { AccessChanged, ResidentAccess } from '../access/resident-access';

/**
 * What a command answered, kept so that a retry with the same request id gets the same answer: the
 * access at `version` (the current one, or the one the event of that version recorded).
 */
export interface RequestOutcome {
  requestId: string;
  /** A digest of the request's meaning; the same id with another fingerprint is refused. */
  fingerprint: string;
  changed: boolean;
  /** The access version the request answered with. */
  version: number;
  /** From then on the outcome is no longer replayed (the request id's retention); absent for jobs' own ids. */
  expiresAt?: Date;
}

export interface StoredAccess {
  access: ResidentAccess;
  recentRequests: readonly RequestOutcome[];
  /** Counts every write of the document, also those that only record a request; the compare-and-set token (0: not stored). */
  revision: number;
}

/** One change: the read it was decided on (revision 0: nothing stored yet), and what to store. */
export interface AccessChange {
  stored: StoredAccess;
  access: ResidentAccess;
  event: AccessChanged | null;
  outcome: RequestOutcome;
}

/** Which of a clinic's accesses a sweep changes. */
export type AccessSelection =
  | { clinicId: string; approvedBefore: Date }
  | { clinicId: string; withGrantOf: string }
  | { clinicId: string; residents: readonly string[] }
  /** Every stored access of the clinic (republish). */
  | { clinicId: string; everyStored: true }
  /** Every stored access at every clinic (republish). */
  | { everyClinic: true };

export type SaveResult = 'saved' | 'conflict';

/** Retries of one request come within minutes: each document keeps this many latest outcomes. */
export const RECENT_REQUESTS_KEPT = 20;

/**
 * Storage of one resident's access at one clinic. Every save is one atomic single-document write
 * that stores the new state, its event (outbox) and the recent request outcomes (the last
 * RECENT_REQUESTS_KEPT) together, and succeeds only if the stored revision is still the one read
 * (compare-and-set; an insert when nothing was stored).
 */
export interface AccessRepository {
  find(clinicId: string, resident: string): Promise<StoredAccess | null>;
  /**
   * The access as the change to `version` left it, from that change's event (still in the outbox,
   * or in the audit trail); null when no record of it is kept.
   */
  stateAt(clinicId: string, resident: string, version: number): Promise<ResidentAccess | null>;
  save(change: AccessChange): Promise<SaveResult>;
  /** Many changes, each as `save` would store it, all in flight together. */
  saveAll(changes: readonly AccessChange[]): Promise<SaveResult[]>;
  /** Up to `limit` accesses with a dated grant whose end, or a pending grant whose start, has come by `now`, in one read. */
  findDue(now: Date, limit: number): Promise<StoredAccess[]>;
  /**
   * The selected accesses, `pageSize` at a time, one read per page: memory stays bounded. A listed
   * resident with no document comes as their empty access at revision 0 (not stored).
   */
  pages(selection: AccessSelection, pageSize: number): AsyncIterable<StoredAccess[]>;
}
