import { status, type ServiceError } from '@grpc/grpc-js';
import { Kafka, logLevel } from 'kafkajs';
import { EventConsumer, type ConsumedEvent } from './event-consumer';
import { errorDetails } from './grpc-client';
import { eventually } from './eventually';

/**
 * Jepsen-style bookkeeping for fault tests: what the clients were told about each request, what
 * reached Kafka, and whether the two agree.
 */

/** How one call ended, as the client saw it. */
export type Outcome =
  | { kind: 'ok' }
  /** The service's own answer (a status with ErrorInfo): the change was not made. */
  | { kind: 'failed'; code: string; reason: string; error: ServiceError }
  /** No answer, a lost connection, a deadline, or INTERNAL: the change may or may not have been made. */
  | { kind: 'indeterminate'; code: string; error: unknown };

/** The request ids of the operations a test made, by how they ended. */
export class History {
  /** OK answers that reported a change (each must be published). */
  readonly acknowledged = new Set<string>();
  /** Definite errors: request id → `CODE/REASON`. */
  readonly failed = new Map<string, string>();
  readonly indeterminate = new Set<string>();
  /** OK answers that changed nothing (no event is expected or allowed). */
  readonly unchanged = new Set<string>();

  /** Runs one call and records how it ended. `changed` tells whether an OK answer reported a change. */
  async run<T>(requestId: string, call: () => Promise<T>, changed: (response: T) => boolean = () => true): Promise<Outcome> {
    try {
      const response = await call();
      (changed(response) ? this.acknowledged : this.unchanged).add(requestId);
      return { kind: 'ok' };
    } catch (error) {
      const definite = definiteFailure(error);
      if (definite) {
        this.failed.set(requestId, `${definite.code}/${definite.reason}`);
        return { kind: 'failed', ...definite, error: error as ServiceError };
      }
      this.indeterminate.add(requestId);
      const code = typeof (error as ServiceError).code === 'number' ? status[(error as ServiceError).code] : 'NO_ANSWER';
      return { kind: 'indeterminate', code: code ?? 'UNKNOWN', error };
    }
  }

  failedByCode(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const code of this.failed.values()) counts[code] = (counts[code] ?? 0) + 1;
    return counts;
  }
}

/** A status the service itself sent with its ErrorInfo; INTERNAL and an unknown outcome are not definite (they may follow a write). */
function definiteFailure(error: unknown): { code: string; reason: string } | null {
  const e = error as ServiceError;
  if (typeof e?.code !== 'number' || !e.metadata) return null;
  if (e.code === status.INTERNAL || e.code === status.UNKNOWN || e.code === status.DEADLINE_EXCEEDED || e.code === status.CANCELLED) return null;
  const details = errorDetails(e);
  if (!details.domain?.startsWith('residentaccess.v1.') || !details.reason) return null;
  // The change may be stored (outcome unknown) or is stored with its answer withheld: a retry settles both.
  if (details.reason === 'STORAGE_OUTCOME_UNKNOWN' || details.reason === 'ANSWER_WITHHELD') return null;
  return { code: status[e.code] ?? String(e.code), reason: details.reason };
}

/** One published event, as the accounting needs it. */
export interface ObservedEvent {
  requestId: string;
  /** ce_id */
  eventId: string;
  key: string;
  version: number;
  partition: number;
  offset: string;
}

export function observedEvents(consumed: readonly ConsumedEvent[]): ObservedEvent[] {
  return consumed.map((e) => ({
    requestId: typeof e.value.requestId === 'string' ? e.value.requestId : '',
    eventId: e.headers.ce_id ?? (typeof e.value.eventId === 'string' ? e.value.eventId : ''),
    key: e.key,
    version: Number(e.value.version),
    partition: e.partition,
    offset: e.offset,
  }));
}

export interface OrderViolation {
  key: string;
  /** The highest version seen on the key before. */
  after: number;
  version: number;
  eventId: string;
}

export interface Accounting {
  acknowledged: number;
  failed: number;
  indeterminate: number;
  /** Distinct acknowledged requests seen as events. */
  published: number;
  /** Event ids seen more than once (at different offsets). */
  duplicated: number;
  /** Acknowledged, never published. */
  lost: number;
  /** Events of requests that failed with a definite error. */
  unexpected: number;
  orderViolations: number;
  lostIds: string[];
  unexpectedIds: string[];
  violations: OrderViolation[];
  line: string;
}

/**
 * Compares what clients were told with what Kafka holds. Re-reads of one message (same partition
 * and offset) count once; the same event id at two offsets is a duplicate (allowed: at least once).
 * Per key, events are taken in log order; an event whose id was seen before is a duplicate and
 * skipped, any other must carry a higher version than every earlier one on its key.
 */
export function account(history: History, events: readonly ObservedEvent[]): Accounting {
  const messages = new Map<string, ObservedEvent>();
  for (const e of events) messages.set(`${e.partition}:${e.offset}`, e);
  const inLogOrder = [...messages.values()].sort((a, b) => a.partition - b.partition || compareOffsets(a.offset, b.offset));

  const copiesById = new Map<string, number>();
  const requestsSeen = new Set<string>();
  for (const e of inLogOrder) {
    copiesById.set(e.eventId, (copiesById.get(e.eventId) ?? 0) + 1);
    requestsSeen.add(e.requestId);
  }
  const duplicated = [...copiesById.values()].filter((n) => n > 1).length;

  const highest = new Map<string, number>();
  const seenIds = new Set<string>();
  const violations: OrderViolation[] = [];
  for (const e of inLogOrder) {
    if (seenIds.has(e.eventId)) continue;
    seenIds.add(e.eventId);
    const before = highest.get(e.key);
    if (before !== undefined && e.version <= before) violations.push({ key: e.key, after: before, version: e.version, eventId: e.eventId });
    highest.set(e.key, Math.max(before ?? 0, e.version));
  }

  const acknowledged = [...history.acknowledged];
  const lostIds = acknowledged.filter((id) => !requestsSeen.has(id));
  const unexpectedIds = [...history.failed.keys()].filter((id) => requestsSeen.has(id));
  const result = {
    acknowledged: acknowledged.length,
    failed: history.failed.size,
    indeterminate: history.indeterminate.size,
    published: acknowledged.length - lostIds.length,
    duplicated,
    lost: lostIds.length,
    unexpected: unexpectedIds.length,
    orderViolations: violations.length,
    lostIds,
    unexpectedIds,
    violations,
  };
  const line =
    `accounting: acknowledged=${result.acknowledged} failed=${result.failed} indeterminate=${result.indeterminate} ` +
    `published=${result.published} duplicated=${result.duplicated} lost=${result.lost} unexpected=${result.unexpected} ` +
    `order-violations=${result.orderViolations}`;
  return { ...result, line };
}

function compareOffsets(a: string, b: string): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Prints the accounting line (and, after it, what the test adds in brackets). */
export function printAccounting(accounting: Accounting, extra?: string): void {
  process.stdout.write(`${accounting.line}${extra ? ` [${extra}]` : ''}\n`);
}

/**
 * Every message of `topic` from the beginning, read by a fresh consumer until it has reached the
 * end offsets taken when it started (call it once the producer side is quiet).
 */
export async function readWholeTopic(brokers: string, topic: string, timeoutMs = 60_000): Promise<ConsumedEvent[]> {
  const kafka = new Kafka({ clientId: 'test-accounting', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const consumer = await new EventConsumer(brokers, topic).start();
  try {
    const caughtUp = () =>
      ends.every(({ partition, high, low }) => {
        if (BigInt(high) <= BigInt(low)) return true;
        // The last record may be a tombstone (kept apart from the events).
        return [...consumer.events, ...consumer.tombstones].some((e) => e.partition === partition && BigInt(e.offset) >= BigInt(high) - 1n);
      });
    await eventually(caughtUp, { what: `topic ${topic} read to its end offsets`, timeoutMs });
    return [...consumer.events];
  } finally {
    await consumer.stop();
  }
}
