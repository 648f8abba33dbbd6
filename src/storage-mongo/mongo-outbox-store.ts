import type { Collection } from 'mongodb';
import type { LeasedEvents, OutboxEvent, OutboxStats, OutboxStore } from '../relay/ports';
import { withStorageErrors } from './mongo-errors';
import { handedLease, leaseFreeFor, OutboxReads, outboxLeftWith, type OutboxDocument } from './outbox-document';
import { STORAGE_TUNING } from './settings';

/**
 * The outbox inside each document: the relay's writes (its lease, clearing what it
 * published) are single conditional `updateOne`s with update operators, which MongoDB applies
 * atomically, and they leave `revision` alone. So the relay never makes a command's
 * compare-and-set fail: a command's `$push` onto the outbox lands before or after the relay's
 * clean-up, and the clean-up's condition on `version` (the newest event's) makes it keep events
 * written after the lease. Per-key order across instances rests on the lease.
 */
export class MongoOutboxStore<E extends OutboxEvent> implements OutboxStore<E> {
  private readonly reads: OutboxReads<E>;

  constructor(
    private readonly collection: Collection<OutboxDocument<E>>,
    /** Commands and other relays can move a document between a read and a write; a few re-reads settle it. */
    private readonly writeAttempts = STORAGE_TUNING.mongo.outboxWriteAttempts,
  ) {
    this.reads = new OutboxReads(collection);
  }

  lease(documentId: string, owner: string, now: Date, leaseUntil: Date): Promise<LeasedEvents<E> | null> {
    return withStorageErrors(async () => {
      for (let attempt = 0; attempt < this.writeAttempts; attempt++) {
        const doc = await this.reads.read(documentId);
        if (!doc || !doc.outboxPending || doc.outbox.length === 0) return null;
        const leased = { documentId, version: doc.version, events: doc.outbox };
        if (handedLease(doc.relayLease, owner, now, leaseUntil)) return leased;
        if (!leaseFreeFor(doc.relayLease, owner, now)) return null;
        const result = await this.collection.updateOne(
          { _id: documentId, version: doc.version, $or: [{ relayLease: null }, { 'relayLease.owner': owner }, { 'relayLease.until': { $lt: now } }] },
          { $set: { relayLease: { owner, until: leaseUntil } } },
        );
        if (result.matchedCount === 1) return leased;
      }
      return null;
    });
  }

  markPublished(leased: readonly LeasedEvents<E>[], owner: string): Promise<{ morePending: boolean }[]> {
    return withStorageErrors(async () => {
      if (leased.length === 0) return [];
      // Common case: no event was written since the lease, so the whole outbox went out.
      const result = await this.collection.bulkWrite(
        leased.map((c) => ({
          updateOne: {
            filter: { _id: c.documentId, version: c.version },
            update: outboxLeftWith<E>([], null),
          },
        })),
        { ordered: false },
      );
      if (result.matchedCount === leased.length) return leased.map(() => ({ morePending: false }));
      return Promise.all(leased.map((c) => this.keepNewer(c, owner)));
    });
  }

  /** A document written since its lease: only what was published goes; newer events stay pending. */
  private async keepNewer(leased: LeasedEvents<E>, owner: string): Promise<{ morePending: boolean }> {
    for (let attempt = 0; attempt < this.writeAttempts; attempt++) {
      const doc = await this.reads.read(leased.documentId);
      if (!doc) return { morePending: false };
      const remaining = doc.outbox.filter((event) => event.version > leased.version);
      if (doc.version === leased.version && remaining.length === 0 && !doc.outboxPending) return { morePending: false };
      const lease = doc.relayLease?.owner === owner ? null : doc.relayLease;
      const result = await this.collection.updateOne({ _id: leased.documentId, version: doc.version }, outboxLeftWith(remaining, lease));
      if (result.matchedCount === 1) return { morePending: remaining.length > 0 };
    }
    return { morePending: true };
  }

  release(documentId: string, owner: string): Promise<void> {
    return withStorageErrors(async () => {
      await this.collection.updateOne({ _id: documentId, 'relayLease.owner': owner }, { $set: { relayLease: null } });
    });
  }

  async findPending(limit: number): Promise<string[]> {
    return (await this.reads.flagged(limit)).map((d) => d._id);
  }

  stats(): Promise<OutboxStats> {
    return this.reads.stats();
  }
}
