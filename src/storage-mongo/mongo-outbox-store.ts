import type { Collection, Filter } from 'mongodb';
import type { OutboxStats } from '../observability/metrics';
import type { ClaimedEvents, OutboxEvent, OutboxStore } from '../relay/ports';
import type { DocumentWriter } from './document-writer';
import { withStorageErrors } from './mongo-errors';

/** What a claim leaves with the relay: the revision it left the document at, and when it read it. */
interface ClaimReceipt {
  revision: number;
  readAtMs: number;
}

const receiptOf = (revision: number, readAtMs: number): ClaimReceipt => ({ revision, readAtMs });

// Other writers (commands, other relays) can win a compare-and-set; a few re-reads settle it.
const MAX_ATTEMPTS = 8;

/** The outbox fields a document (an access, or a clinic's settings) carries beside its state. */
export interface OutboxDocument<E> {
  _id: string;
  version: number;
  revision: number;
  outbox: E[];
  outboxPending: boolean;
  outboxSince?: Date;
  relayLease: { owner: string; until: Date } | null;
}

/**
 * The outbox lives inside each document. A relay claims one document with a lease written into
 * it, so only one instance publishes a document's events at a time and per-key order holds with
 * several instances. Every write here is a DocumentWriter compare-and-set on `revision`, like the
 * commands' writes, so a lease or clean-up never overwrites a change made meanwhile by any process.
 * The conditions are checked in code on a read by `_id` (the only filter FerretDB serves from an
 * index), and the compare-and-set makes the check hold at write time.
 */
export class MongoOutboxStore<E extends OutboxEvent> implements OutboxStore<E> {
  constructor(
    private readonly collection: Collection<OutboxDocument<E>>,
    private readonly writer: DocumentWriter,
  ) {}

  claim(documentId: string, owner: string, now: Date, leaseUntil: Date): Promise<ClaimedEvents<E> | null> {
    return this.exclusive(documentId, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const readAtMs = Date.now();
        const doc = await this.read(documentId);
        if (!doc || !doc.outboxPending || doc.outbox.length === 0) return null;
        const lease = doc.relayLease;
        if (lease && lease.owner !== owner && lease.until >= now) return null;
        // The change that stored the events handed them to this relay (MongoAccessRepository); a
        // lease with at least half its time left is used as it is, without a write.
        if (lease && lease.owner === owner && lease.until.getTime() - now.getTime() >= (leaseUntil.getTime() - now.getTime()) / 2) {
          return { documentId, version: doc.version, receipt: receiptOf(doc.revision, readAtMs), events: doc.outbox };
        }
        const saved = await this.writer.update(this.collection, documentId, doc.revision, { $set: { relayLease: { owner, until: leaseUntil } } }, readAtMs);
        if (saved === 'saved') return { documentId, version: doc.version, receipt: receiptOf(doc.revision + 1, readAtMs), events: doc.outbox };
      }
      return null;
    });
  }

  async markPublished(claimed: readonly ClaimedEvents<E>[], owner: string): Promise<{ morePending: boolean }[]> {
    // Common case: nobody wrote since the claims, so each document is as claimed and its whole
    // outbox was published; compare-and-sets on the claimed revisions prove it, all in one go.
    const cleared = await withStorageErrors(() =>
      this.writer.updateAllFresh(
        this.collection,
        claimed.map((c) => ({
          id: c.documentId,
          expectedRevision: (c.receipt as ClaimReceipt).revision,
          observedAtMs: (c.receipt as ClaimReceipt).readAtMs,
          update: { $set: { outbox: [], outboxPending: false, relayLease: null }, $unset: { outboxSince: '' } },
        })),
      ),
    );
    return Promise.all(claimed.map((c, i) => (cleared[i] === 'saved' ? { morePending: false } : this.markPublishedChanged(c, owner))));
  }

  /** A document written since its claim (new events, say): keep what was not published. */
  private markPublishedChanged(claimed: ClaimedEvents<E>, owner: string): Promise<{ morePending: boolean }> {
    return this.exclusive(claimed.documentId, async () => {
      const newest = claimed.events[claimed.events.length - 1]?.version ?? 0;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const readAtMs = Date.now();
        const doc = await this.read(claimed.documentId);
        // Lease lost (expired and taken): the new holder publishes; at-least-once allows the repeat.
        if (!doc || doc.relayLease?.owner !== owner) return { morePending: true };
        // Events that arrived after the claim stay pending, in order.
        const outbox = doc.outbox.filter((event) => event.version > newest);
        const saved = await this.writer.update(
          this.collection,
          claimed.documentId,
          doc.revision,
          outbox.length > 0
            ? { $set: { outbox, outboxPending: true, relayLease: null, outboxSince: outbox[0]!.occurredAt } }
            : { $set: { outbox, outboxPending: false, relayLease: null }, $unset: { outboxSince: '' } },
          readAtMs,
        );
        if (saved === 'saved') return { morePending: outbox.length > 0 };
      }
      return { morePending: true };
    });
  }

  release(documentId: string, owner: string): Promise<void> {
    return this.exclusive(documentId, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const readAtMs = Date.now();
        const doc = await this.read(documentId);
        if (!doc || doc.relayLease?.owner !== owner) return;
        if ((await this.writer.update(this.collection, documentId, doc.revision, { $set: { relayLease: null } }, readAtMs)) === 'saved') return;
      }
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

  private read(documentId: string): Promise<OutboxDocument<E> | null> {
    return this.collection.findOne({ _id: documentId } as Filter<OutboxDocument<E>>) as Promise<OutboxDocument<E> | null>;
  }

  private exclusive<T>(documentId: string, write: () => Promise<T>): Promise<T> {
    return withStorageErrors(() => this.writer.exclusive(this.collection, documentId, write));
  }
}
