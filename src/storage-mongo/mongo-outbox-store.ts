import type { Collection } from 'mongodb';
import type { ClaimedEvents, OutboxStore } from '../relay/ports';
import type { AccessDocument } from './access-document';
import type { DocumentWriteLock } from './document-write-lock';
import { withStorageErrors } from './mongo-errors';

/**
 * The outbox lives inside each access document. A relay claims one document with a lease (a
 * single-document conditional update), so only one instance publishes a document's events at a
 * time and per-key order holds even with several instances.
 */
export class MongoOutboxStore implements OutboxStore {
  constructor(
    private readonly collection: Collection<AccessDocument>,
    private readonly writeLock: DocumentWriteLock,
  ) {}

  claim(documentId: string, owner: string, now: Date, leaseUntil: Date): Promise<ClaimedEvents | null> {
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

  markPublished(claimed: ClaimedEvents, owner: string): Promise<{ morePending: boolean }> {
    return this.locked(claimed.documentId, async () => {
      // Common case: nothing new arrived since the claim, so the whole outbox is published.
      const cleared = await this.collection.updateOne(
        { _id: claimed.documentId, version: claimed.version, 'relayLease.owner': owner },
        { $set: { outbox: [], outboxPending: false, relayLease: null } },
      );
      if (cleared.matchedCount === 1) return { morePending: false };
      // Newer events arrived meanwhile: drop only what was published and keep the rest pending.
      const newest = claimed.events[claimed.events.length - 1]?.version ?? 0;
      await this.collection.updateOne(
        { _id: claimed.documentId, 'relayLease.owner': owner },
        { $pull: { outbox: { version: { $lte: newest } } }, $set: { relayLease: null } },
      );
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

  private locked<T>(documentId: string, write: () => Promise<T>): Promise<T> {
    return withStorageErrors(() => this.writeLock.run(documentId, write));
  }
}
