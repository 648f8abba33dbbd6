/**
 * One read of a resident's personal data. The resident is held only as a keyed pseudonym of the
 * number, so the log itself holds no identity number.
 */
export interface AccessLogEntry {
  at: Date;
  /** The token subject that read. */
  subject: string;
  /** The clinic the read was made for, or null (the e-service's reads across clinics). */
  clinicId: string | null;
  residentPseudonym: string;
  /** The read, by its RPC name (e.g. `LookupResident`). */
  read: string;
  /** What allowed it: `role:<role>` at the clinic, or `scope:<scope>`. */
  authority: string;
  /** When retention lets the entry go. */
  expiresAt: Date;
}

/** A page position: entries are ordered newest first by time, then id. */
export interface AccessLogPosition {
  at: Date;
  id: string;
}

export type StoredAccessLogEntry = AccessLogEntry & { id: string };

export interface AccessLog {
  /**
   * Stores one read's entries (all of one subject) and resolves once they are stored. Rejects
   * with STORAGE_UNAVAILABLE when the log cannot be written, or RATE_LIMITED when too many of the
   * subject's entries wait; then the read must not be answered.
   */
  record(entries: readonly AccessLogEntry[]): Promise<void>;
  /**
   * A resident's entries (optionally those for one clinic), newest first, after `after`. The
   * resident is given by its pseudonyms under every key of the ring: entries made before a key
   * rotation carry an older one.
   */
  list(filter: { residentPseudonyms: readonly string[]; clinicId?: string }, after: AccessLogPosition | null, limit: number): Promise<StoredAccessLogEntry[]>;
}
