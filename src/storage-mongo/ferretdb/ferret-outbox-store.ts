import type { Collection } from 'mongodb';
import type { ClaimedEvents, OutboxEvent, OutboxStats, OutboxStore, TidyResult } from '../../domain/ports/publishing';
import type { BatchedUpdate, DocumentUpdate, DocumentWriter } from '../document-writer';
import { withStorageErrors } from '../mongo-errors';
import { handedLease, leaseFreeFor, OutboxReads, outboxLeftWith, type OutboxDocument } from '../outbox-document';
import { PUBLISHED_VERSIONS_COLLECTION, PublishedVersions, type PublishedRetention, type PublishedVersionDocument } from './published-versions';
import { TUNING } from '../../config/config';

export interface FerretOutboxLimits {
  /** Other writers (commands, other relays) can win a compare-and-set; a few re-reads settle it. */
  outboxWriteAttempts: number;
  /** Documents remembered for tidying; past this, the recovery scan and the progress rows find them. */
  maxUntidied: number;
  publishedVersions: PublishedRetention;
}

/**
 * The outbox for FerretDB 1.x, where every document write must go through the claims writer
 * (its conditional updates are not atomic, docs/ferretdb.md), and each such write costs a claim
 * insert and a whole-document rewrite. So publishing writes nothing to the documents: the relay's
 * progress goes to `outbox_published` in one insert per batch, and the documents are tidied
 * (published events removed, the pending flag and the lease cleared) when the relay has nothing
 * to publish. Claims read the document and skip the events known published.
 */
export class FerretOutboxStore<E extends OutboxEvent> implements OutboxStore<E> {
  private readonly reads: OutboxReads<E>;
  private readonly published: PublishedVersions;
  /** Published but not yet tidied: document id → newest published version (insertion order = age). */
  private readonly untidied = new Map<string, number>();

  constructor(
    private readonly collection: Collection<OutboxDocument<E>>,
    private readonly writer: DocumentWriter,
    progress: Collection<PublishedVersionDocument>,
    private readonly limits: FerretOutboxLimits,
  ) {
    this.reads = new OutboxReads(collection);
    this.published = new PublishedVersions(progress, collection.collectionName, limits.publishedVersions);
  }

  static in<E extends OutboxEvent>(collection: Collection<OutboxDocument<E>>, writer: DocumentWriter, limits: FerretOutboxLimits = TUNING.ferretdb): FerretOutboxStore<E> {
    return new FerretOutboxStore(collection, writer, collection.db.collection<PublishedVersionDocument>(PUBLISHED_VERSIONS_COLLECTION), limits);
  }

  claim(documentId: string, owner: string, now: Date, leaseUntil: Date): Promise<ClaimedEvents<E> | null> {
    return this.exclusive(documentId, async () => {
      for (let attempt = 0; attempt < this.limits.outboxWriteAttempts; attempt++) {
        const readAtMs = Date.now();
        const doc = await this.reads.read(documentId);
        if (!doc || !doc.outboxPending || doc.outbox.length === 0) return null;
        const handed = handedLease(doc.relayLease, owner, now, leaseUntil);
        if (!handed && !leaseFreeFor(doc.relayLease, owner, now)) return null;
        const events = await this.unpublished(doc, handed);
        if (events.length === 0) return null;
        const claimed = { documentId, version: doc.version, receipt: null, events };
        if (handed) return claimed;
        const saved = await this.writer.update(this.collection, documentId, doc.revision, { $set: { relayLease: { owner, until: leaseUntil } } }, readAtMs);
        if (saved === 'saved') return claimed;
      }
      return null;
    });
  }

  /** The outbox's events not yet published; a document found with none is remembered for tidying. */
  private async unpublished(doc: OutboxDocument<E>, handed: boolean): Promise<E[]> {
    let published = this.untidied.get(doc._id) ?? null;
    // Under a lease just handed over, a lone event is the command's own: nobody published it yet.
    if (published === null && !(handed && doc.outbox.length === 1)) {
      published = await this.published.newestOf(
        doc._id,
        doc.outbox.map((e) => e.version),
      );
      if (published !== null) this.remember(doc._id, published);
    }
    const newest = published ?? -1;
    return doc.outbox.filter((event) => event.version > newest);
  }

  async markPublished(claimed: readonly ClaimedEvents<E>[]): Promise<{ morePending: boolean }[]> {
    await withStorageErrors(() => this.published.record(claimed.map((c) => ({ documentId: c.documentId, version: c.version }))));
    for (const c of claimed) this.remember(c.documentId, c.version);
    // Events stored since the claim were signalled to their instance's relay; those of another
    // instance under this relay's lease turn up when the document is tidied.
    return claimed.map(() => ({ morePending: false }));
  }

  /**
   * Removes published events from up to `limit` documents, and clears their pending flag and this
   * relay's lease: compare-and-sets in two round trips (claims, writes). Answers the documents that
   * hold newer events, for the relay to publish.
   */
  tidy(limit: number, owner: string): Promise<TidyResult> {
    return withStorageErrors(async () => {
      const batch = [...this.untidied].slice(0, limit);
      if (batch.length === 0) return { tidied: 0, morePending: [] };
      const readAtMs = Date.now();
      const docs = await Promise.all(batch.map(([id]) => this.reads.read(id)));
      const updates: (BatchedUpdate<OutboxDocument<E>> & { version: number })[] = [];
      const morePending: string[] = [];
      for (const [i, doc] of docs.entries()) {
        const [id, version] = batch[i]!;
        if (!doc) {
          this.untidied.delete(id);
          continue;
        }
        const remaining = doc.outbox.filter((event) => event.version > version);
        if (remaining.length > 0) morePending.push(id);
        const lease = doc.relayLease?.owner === owner ? null : doc.relayLease;
        updates.push({ id, version, expectedRevision: doc.revision, observedAtMs: readAtMs, update: outboxLeftWith(remaining, lease) });
      }
      const results = await this.writer.updateAllFresh(this.collection, updates);
      for (const [i, result] of results.entries()) {
        const { id, version } = updates[i]!;
        // A lost race, or a claim left by a write that never landed (an outage): the single way
        // re-reads, and takes an abandoned claim over.
        const tidied = result === 'saved' || (await this.tidyOne(id, version, owner));
        if (tidied && this.untidied.get(id) === version) this.untidied.delete(id);
      }
      return { tidied: batch.length, morePending };
    });
  }

  private tidyOne(documentId: string, version: number, owner: string): Promise<boolean> {
    return this.exclusive(documentId, async () => {
      for (let attempt = 0; attempt < this.limits.outboxWriteAttempts; attempt++) {
        const readAtMs = Date.now();
        const doc = await this.reads.read(documentId);
        if (!doc) return true;
        const remaining = doc.outbox.filter((event) => event.version > version);
        const lease = doc.relayLease?.owner === owner ? null : doc.relayLease;
        const update = outboxLeftWith(remaining, lease) as DocumentUpdate<OutboxDocument<E>>;
        if ((await this.writer.update(this.collection, documentId, doc.revision, update, readAtMs)) === 'saved') return true;
      }
      return false;
    });
  }

  release(documentId: string, owner: string): Promise<void> {
    return this.exclusive(documentId, async () => {
      for (let attempt = 0; attempt < this.limits.outboxWriteAttempts; attempt++) {
        const readAtMs = Date.now();
        const doc = await this.reads.read(documentId);
        if (!doc || doc.relayLease?.owner !== owner) return;
        if ((await this.writer.update(this.collection, documentId, doc.revision, { $set: { relayLease: null } }, readAtMs)) === 'saved') return;
      }
    });
  }

  /** Flagged documents with events not known published here (FerretDB scans for the flag in any case). */
  async findPending(limit: number): Promise<string[]> {
    const flagged = await this.reads.flagged(null);
    return flagged
      .filter((d) => (this.untidied.get(d._id) ?? -1) < d.version)
      .slice(0, limit)
      .map((d) => d._id);
  }

  stats(): Promise<OutboxStats> {
    return this.reads.stats();
  }

  private remember(documentId: string, version: number): void {
    if ((this.untidied.get(documentId) ?? -1) >= version) return;
    this.untidied.delete(documentId);
    if (this.untidied.size >= this.limits.maxUntidied) return;
    this.untidied.set(documentId, version);
  }

  private exclusive<T>(documentId: string, write: () => Promise<T>): Promise<T> {
    return withStorageErrors(() => this.writer.exclusive(this.collection, documentId, write));
  }
}
