/** What every outbox event has: an id, and the version of its document it announces. */
export interface OutboxEvent {
  eventId: string;
  version: number;
  occurredAt: Date;
}

/** One document's unpublished events, leased by one relay instance until `version` is published. */
export interface LeasedEvents<E extends OutboxEvent = OutboxEvent> {
  documentId: string;
  /** The document's version at lease time: the newest leased event's version. */
  version: number;
  events: E[];
}

/** The outbox side of storage, as the relay needs it. */
export interface OutboxStore<E extends OutboxEvent> {
  /** Leases a document's pending events for `owner` until `leaseUntil`; null if none or leased by another. */
  lease(documentId: string, owner: string, now: Date, leaseUntil: Date): Promise<LeasedEvents<E> | null>;
  /**
   * Records that the leased events were published (removes them from their documents), so no
   * relay publishes them again. Tells, per document, whether newer events wait.
   */
  markPublished(leased: readonly LeasedEvents<E>[], owner: string): Promise<{ morePending: boolean }[]>;
  /** Releases a lease without publishing, so another attempt (or instance) can take it at once. */
  release(documentId: string, owner: string): Promise<void>;
  /** Recovery scan: documents with pending events, whoever wrote them. */
  findPending(limit: number): Promise<string[]>;
}

/** Publishes events, in the given order, and resolves only once the broker acknowledged them all. */
export interface EventPublisher<E> {
  publish(events: E[]): Promise<void>;
}

/** Records events durably before they are published (the audit trail); may do nothing. */
export interface EventRecorder<E> {
  record(events: readonly E[]): Promise<void>;
}

/** Where the relay reports whether publishing works, for the health service and metrics. */
export interface PublishingObserver {
  /** The broker acknowledged `events` at `ackedAt` (the relay's clock, like the events' `occurredAt`). */
  published(events: readonly OutboxEvent[], ackedAt: Date): void;
  failed(error: unknown): void;
  /** The relay's loop came round (working, idle or backing off): it has not stopped. */
  alive?(): void;
}

/** An outbox's backlog, for operators. */
export interface OutboxStats {
  pendingDocuments: number;
  /** When the oldest unpublished event was written; null when nothing waits. */
  oldestPendingSince: Date | null;
}
