import type { Collection } from 'mongodb';
import type { OutboxStats } from '../observability/metrics';
import type { ClaimedEvents, OutboxEvent, OutboxStore } from '../relay/ports';
import type { DocumentWriteLock } from './document-write-lock';
import { withStorageErrors } from './mongo-errors';

/** The outbox fields a document (an access, or a clinic's settings) carries beside its state. */
export interface OutboxDocument<E> {
  _id: string;
  version: number;
  outbox: E[];
  outboxPending: boolean;
  outboxSince?: Date;
  relayLease: { owner: string; until: Date } | null;
}

/**
 * The outbox lives inside each document. A relay claims one document with a lease (a
 * single-document conditional update), so only one instance publishes a document's events at a
 * time and per-key order holds even with several instances (on MongoDB; see docs/ferretdb.md).
 */
export class MongoOutboxStore<E extends OutboxEvent> implements OutboxStore<E> {
  constructor(
    private readonly collection: Collection<OutboxDocument<E>>,
    private readonly writeLock: DocumentWriteLock,
    /** The write-lock key of a document, as its repository names it. */
    private readonly lockKey: (documentId: string) => string = (id) => id,
  ) {}

  claim(documentId: string, owner: string, now: Date, leaseUntil: Date): Promise<ClaimedEvents<E> | null> {
    return this.locked(documentId, async () => {
      const doc = await this.collection.findOneAndUpdate(
        {
          _id: documentId,
          outboxPending: true,
          $or: [{ relayLease: null }, { 'relayLease.until': { $lt: now } }, { 'relayLease.owner': owner }],
        },
        { $set: { relayLease: { owner, until: leaseUntil } } },
        // No projection: FerretDB 1.x does not implement one on findAndModify.
        { returnDocument: 'after' },
      );
      if (!doc || doc.outbox.length === 0) return null;
      return { documentId, version: doc.version, events: doc.outbox };
    });
  }

  markPublished(claimed: ClaimedEvents<E>, owner: string): Promise<{ morePending: boolean }> {
    return this.locked(claimed.documentId, async () => {
      // Common case: nothing new arrived since the claim, so the whole outbox is published.
      const cleared = await this.collection.updateOne(
        { _id: claimed.documentId, version: claimed.version, 'relayLease.owner': owner },
        { $set: { outbox: [], outboxPending: false, relayLease: null }, $unset: { outboxSince: '' } },
      );
      if (cleared.matchedCount === 1) return { morePending: false };
      // Newer events arrived meanwhile: drop only what was published and keep the rest pending.
      // Filtered in code and written with $set: FerretDB 1.x silently ignores a $pull whose
      // condition matches fields of array documents, which republished every claimed event. The
      // version in the filter makes it a compare-and-set against events added in between.
      const newest = claimed.events[claimed.events.length - 1]?.version ?? 0;
      for (let attempt = 0; attempt < 8; attempt++) {
        const doc = await this.collection.findOne({ _id: claimed.documentId, 'relayLease.owner': owner }, { projection: { outbox: 1, version: 1 } });
        if (!doc) break;
        const outbox = doc.outbox.filter((event) => event.version > newest);
        const kept = await this.collection.updateOne(
          { _id: claimed.documentId, version: doc.version, 'relayLease.owner': owner },
          outbox.length > 0
            ? { $set: { outbox, outboxPending: true, relayLease: null, outboxSince: outbox[0]!.occurredAt } }
            : { $set: { outbox, outboxPending: false, relayLease: null }, $unset: { outboxSince: '' } },
        );
        if (kept.matchedCount === 1) return { morePending: outbox.length > 0 };
      }
      return { morePending: true };
    });
  }

  release(documentId: string, owner: string): Promise<void> {
    return this.locked(documentId, async () => {
      await this.collection.updateOne({ _id: documentId, 'relayLease.owner': owner }, { $set: { relayLease: null } });
    });
  }

  findPending(limit: number): Promise<string[]> {
    return withStorageErrors(async () => {
      const docs = await this.collection.find({ outboxPending: true }, { projection: { _id: 1 } }).limit(limit).toArray();
      return docs.map((d) => d._id);
    });
  }

  /** Backlog for operators: a count and the oldest pending event (scans on FerretDB; indexed on MongoDB). */
  stats(): Promise<OutboxStats> {
    return withStorageErrors(async () => {
      const pendingDocuments = await this.collection.countDocuments({ outboxPending: true });
      const [oldest] = await this.collection
        .find({ outboxPending: true, outboxSince: { $exists: true } }, { projection: { outboxSince: 1 } })
        .sort({ outboxSince: 1 })
        .limit(1)
        .toArray();
      return { pendingDocuments, oldestPendingSince: oldest?.outboxSince ?? null };
    });
  }

  private locked<T>(documentId: string, write: () => Promise<T>): Promise<T> {
    return withStorageErrors(() => this.writeLock.run(this.lockKey(documentId), write));
  }
}
