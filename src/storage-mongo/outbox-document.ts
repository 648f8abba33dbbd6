import type { Collection, Filter } from 'mongodb';
import type { OutboxEvent, OutboxStats } from '../relay/ports';
import { withStorageErrors } from './mongo-errors';

/** The outbox fields a document (an access, or a clinic's settings) carries beside its state. */
export interface OutboxDocument<E> {
  _id: string;
  /** The document's version: the version of its newest event, once it has one. */
  version: number;
  revision: number;
  outbox: E[];
  outboxPending: boolean;
  outboxSince?: Date;
  relayLease: { owner: string; until: Date } | null;
}

export type Lease = NonNullable<OutboxDocument<unknown>['relayLease']>;

/** True when `owner` may take the lease: it is free, expired, or already its own. */
export function leaseFreeFor(lease: Lease | null | undefined, owner: string, now: Date): boolean {
  return !lease || lease.owner === owner || lease.until < now;
}

/**
 * A lease the command that stored the events handed to this relay (MongoAccessRepository), with at
 * least half its time left: the relay publishes under it without writing a lease of its own.
 */
export function handedLease(lease: Lease | null | undefined, owner: string, now: Date, leaseUntil: Date): boolean {
  return !!lease && lease.owner === owner && lease.until.getTime() - now.getTime() >= (leaseUntil.getTime() - now.getTime()) / 2;
}

/** The update that leaves `outbox` with only `remaining` (events not yet published), pending or not. */
export function outboxLeftWith<E extends OutboxEvent>(remaining: readonly E[], lease: Lease | null) {
  return remaining.length > 0
    ? { $set: { outbox: [...remaining], outboxPending: true, outboxSince: remaining[0]!.occurredAt, relayLease: lease } }
    : { $set: { outbox: [], outboxPending: false, relayLease: lease }, $unset: { outboxSince: '' as const } };
}

/** The outbox store's reads. */
export class OutboxReads<E extends OutboxEvent> {
  constructor(readonly collection: Collection<OutboxDocument<E>>) {}

  read(documentId: string): Promise<OutboxDocument<E> | null> {
    return this.collection.findOne({ _id: documentId } as Filter<OutboxDocument<E>>);
  }

  /** Documents flagged pending, with their versions (the recovery scan, by the `outbox_pending` index). */
  flagged(limit: number | null): Promise<{ _id: string; version: number }[]> {
    return withStorageErrors(() => {
      const cursor = this.collection.find({ outboxPending: true }, { projection: { _id: 1, version: 1 } });
      return (limit === null ? cursor : cursor.limit(limit)).toArray();
    });
  }

  /** Backlog for operators: a count and the oldest pending event. */
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
}
