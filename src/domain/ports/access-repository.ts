import type { AccessChanged, ResidentAccess } from '../access/resident-access';

/** What a command answered, kept so that a retry with the same request id gets the same answer. */
export interface RequestOutcome {
  requestId: string;
  /** A digest of the request's meaning; the same id with another fingerprint is refused. */
  fingerprint: string;
  changed: boolean;
  access: ResidentAccess;
}

export interface StoredAccess {
  access: ResidentAccess;
  recentRequests: readonly RequestOutcome[];
  /** Counts every write of the document, also those that only record a request; the compare-and-set token. */
  revision: number;
}

export type SaveResult = 'saved' | 'conflict';

/** Retries of one request come within minutes: each document keeps this many latest outcomes. */
export const RECENT_REQUESTS_KEPT = 20;

/**
 * Storage of one resident's access at one clinic. Every save is one atomic single-document write
 * that stores the new state, its event (outbox) and the recent request outcomes together, and
 * succeeds only if the stored revision is still `expectedRevision` (compare-and-set; null = not
 * stored yet).
 */
export interface AccessRepository {
  find(clinicId: string, resident: string): Promise<StoredAccess | null>;
  save(
    access: ResidentAccess,
    expectedRevision: number | null,
    event: AccessChanged | null,
    /** Recorded with the change; the document keeps the last RECENT_REQUESTS_KEPT. */
    outcome: RequestOutcome,
  ): Promise<SaveResult>;
}
