import type { AccessChanged } from '../access/resident-access';

/** One page position in the audit trail: entries are ordered by time, then event id. */
export interface AuditPosition {
  at: Date;
  eventId: string;
}

export interface AuditQueries {
  list(filter: { clinicId?: string; resident?: string }, after: AuditPosition | null, limit: number): Promise<AccessChanged[]>;
  /** The resident's latest `limit` entries, newest first (operators). */
  latestOf(resident: string, limit: number): Promise<AccessChanged[]>;
}

/** Durable record of every access change; recording an event twice keeps one entry. */
export interface AuditTrail {
  record(events: readonly AccessChanged[]): Promise<void>;
}
