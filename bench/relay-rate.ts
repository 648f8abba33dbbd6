import type { Db, Document } from 'mongodb';
import { round1, until } from './common';
import { startEventConsumer } from './events';
import type { LoadResult } from './load';

/**
 * Whether the relay keeps up with the writers, in the writes phase (issue 10):
 *
 * - `relay_vs_write`: at the ApproveResident step at its best concurrency, events published per
 *   second ÷ approvals accepted per second, over that step's measured window. Accepted: the calls
 *   answered in the window (the step's ops/s). Published: the messages on the phase's access
 *   topic whose Kafka timestamp (set by the service's producer when it sends) lies in the same
 *   window, whatever change they carry (the relay also drains earlier steps' events then). The
 *   window's length cancels out: published ÷ accepted. A relay that keeps up gives about 1.0; one
 *   that lags gives its own rate ÷ the accept rate.
 * - `relay_backlog_docs`: access documents with unpublished events when the write steps end: each
 *   call of the write steps makes one new access document with one event, so the backlog is the
 *   phase's access documents less those whose event is on the topic with a Kafka timestamp up to
 *   that moment (counted once the consumer has read past it). Not `outboxPending: true`: the
 *   relay clears that flag some time after publishing (in a batched clean-up), so the flag also
 *   counts documents whose events went out. The flagged count is kept beside it, for context.
 */
export interface RelayWatch {
  /** Messages whose Kafka timestamp lies in [fromMs, toMs]; waits (at most 5 s) until the consumer has seen one past toMs. */
  publishedBetween(fromMs: number, toMs: number): Promise<number>;
  /** Distinct access documents (clinic|resident) with an event whose Kafka timestamp is at most atMs; waits as publishedBetween. */
  documentsPublishedBy(atMs: number): Promise<number>;
  /** Events consumed that name no clinic and resident (the event format changed). */
  unkeyed(): number;
  stop(): Promise<void>;
}

/** The bench's consumer of the writes phase's access topic; start it before the service. */
export async function watchRelay(brokers: string, topic: string): Promise<RelayWatch> {
  const timestamps: number[] = [];
  let latest = 0;
  let unkeyed = 0;
  /** Each document's first event's Kafka timestamp. */
  const documents = new Map<string, number>();
  const consumer = await startEventConsumer(brokers, topic, (value, _arrivedAt, kafkaTimestampMs) => {
    timestamps.push(kafkaTimestampMs);
    latest = Math.max(latest, kafkaTimestampMs);
    const { clinicId, personalIdentityNumber } = value.access ?? {};
    if (!clinicId || !personalIdentityNumber) unkeyed++;
    const key = `${clinicId}|${personalIdentityNumber}`;
    documents.set(key, Math.min(documents.get(key) ?? Infinity, kafkaTimestampMs));
  });
  const consumedPast = (atMs: number) => until(() => latest > atMs, 5000, 100);
  return {
    async publishedBetween(fromMs, toMs) {
      await consumedPast(toMs);
      return timestamps.filter((t) => t >= fromMs && t <= toMs).length;
    },
    async documentsPublishedBy(atMs) {
      await consumedPast(atMs);
      let n = 0;
      for (const t of documents.values()) if (t <= atMs) n++;
      return n;
    },
    unkeyed: () => unkeyed,
    stop: () => consumer.stop(),
  };
}

export interface RelayKeepingUp {
  concurrency: number | null;
  acceptedPerS: number;
  publishedPerS: number;
  accepted: number;
  published: number;
  /** published ÷ accepted over the approve step's window (null: no approval accepted). */
  ratio: number | null;
}

export async function relayKeepingUp(watch: RelayWatch, approve: LoadResult): Promise<RelayKeepingUp> {
  const published = await watch.publishedBetween(approve.windowStartMs, approve.windowEndMs);
  return {
    concurrency: approve.concurrency,
    acceptedPerS: approve.opsPerS,
    publishedPerS: round1(published / Math.max(0.001, approve.durationS)),
    accepted: approve.ops,
    published,
    ratio: approve.ops > 0 ? Math.round((published / approve.ops) * 100) / 100 : null,
  };
}

export interface RelayBacklog {
  /** Access documents whose event was not published when the write steps ended; null when the events no longer say whose they are. */
  docs: number | null;
  accessDocuments: number;
  /** Access documents still flagged `outboxPending` then (includes published events not yet tidied). */
  flaggedPending: number;
  note: string | null;
}

/** The backlog at this moment: call it when the write steps end. */
export async function relayBacklog(db: Db, watch: RelayWatch): Promise<RelayBacklog> {
  const at = Date.now();
  const access = db.collection<Document>('access');
  const [accessDocuments, flaggedPending] = await Promise.all([access.countDocuments({}), access.countDocuments({ outboxPending: true })]);
  const published = await watch.documentsPublishedBy(at);
  if (watch.unkeyed() > 0) {
    const note = `${watch.unkeyed()} events name no clinic and resident (access.clinicId, access.personalIdentityNumber): update bench/relay-rate.ts`;
    return { docs: null, accessDocuments, flaggedPending, note };
  }
  return { docs: Math.max(0, accessDocuments - published), accessDocuments, flaggedPending, note: null };
}
