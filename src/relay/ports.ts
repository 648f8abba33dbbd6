import type { AccessChanged } from '../domain/access/resident-access';

/** One document's unpublished events, claimed by one relay instance until `version` is published. */
export interface ClaimedEvents {
  documentId: string;
  /** The document's version at claim time: the newest claimed event's version. */
  version: number;
  events: AccessChanged[];
}

/** The outbox side of storage, as the relay needs it. */
export interface OutboxStore {
  /** Claims a document's pending events for `owner` until `leaseUntil`; null if none or claimed by another. */
  claim(documentId: string, owner: string, now: Date, leaseUntil: Date): Promise<ClaimedEvents | null>;
  /** Removes the published events and releases the claim; returns true if newer events are waiting. */
  markPublished(claimed: ClaimedEvents, owner: string): Promise<{ morePending: boolean }>;
  /** Releases a claim without publishing, so another attempt (or instance) can take it at once. */
  release(documentId: string, owner: string): Promise<void>;
  /** Recovery scan: documents with pending events, whoever wrote them. */
  findPending(limit: number): Promise<string[]>;
}

/** Publishes events, in the given order, and resolves only once the broker acknowledged them all. */
export interface EventPublisher {
  publish(events: AccessChanged[]): Promise<void>;
}

/** Where the relay reports whether publishing works, for the health service and metrics. */
export interface PublishingObserver {
  published(count: number): void;
  failed(error: unknown): void;
}
