/** One outbox's backlog, for operators. */
export interface OutboxBacklog {
  pendingDocuments: number;
  /** When the oldest unpublished event was written; null when nothing waits. */
  oldestPendingSince: Date | null;
}

/** The outboxes by name ("access", "settings"). */
export type OutboxBacklogs = Record<string, () => Promise<OutboxBacklog>>;

/** One resident's events not yet published, over every clinic. */
export interface UnpublishedOfResident {
  count: number;
  oldest: Date | null;
}

export interface UnpublishedEvents {
  /** Reads the access documents of these clinics for the resident (one read by id each). */
  ofResident(resident: string, clinicIds: readonly string[]): Promise<UnpublishedOfResident>;
}
