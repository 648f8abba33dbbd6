import type { Db } from 'mongodb';
import { round1, sleep, until } from './common';
import { fixedRate, newHistogram, type LoadResult, type Operation } from './load';

/**
 * Event lag: time from an RPC's answer to its event arriving at the bench's consumer (matched by
 * request id), at a fixed rate. An event not consumed by the end of the wait counts with the time
 * waited, so the figures are then lower bounds (the note says so), never flattered by leaving the
 * slowest events out.
 */
export interface EventLag {
  p50Ms: number | null;
  p99Ms: number | null;
  load: LoadResult;
  rate: number;
  events: number;
  missing: number;
  /** Events the bench's consumer received per second while the relay drained the backlog and the lag run. */
  relayEventsPerS: number;
  note: string | null;
}

export async function measureEventLag(opts: {
  db: Db;
  /** requestId → when its event arrived at the bench's consumer. */
  seen: Map<string, number>;
  consumed: () => number;
  /** The operation, and the request id it sends for operation number i. */
  op: Operation;
  requestIdOf: (i: number) => string;
  rate: number;
  durationMs: number;
  drainMs: number;
  waitMs: number;
}): Promise<EventLag> {
  let note = '';
  // Let the relay drain the closed-loop backlog first, or the lag measures that backlog.
  const from = { at: Date.now(), consumed: opts.consumed() };
  if (!(await drainOutbox(opts.db, opts.drainMs))) note += `outbox (closed-loop backlog) not drained after ${opts.drainMs / 1000} s; `;
  const answered = new Map<string, number>();
  const load = await fixedRate(opts.op, {
    rate: opts.rate,
    durationMs: opts.durationMs,
    maxInFlight: 128,
    onDone: (i, at) => answered.set(opts.requestIdOf(i), at),
  });
  const complete = await until(() => [...answered.keys()].every((id) => opts.seen.has(id)), opts.waitMs);
  const hist = newHistogram();
  let missing = 0;
  const waitedUntil = Date.now();
  for (const [id, at] of answered) {
    const consumed = opts.seen.get(id);
    if (consumed === undefined) missing++;
    hist.recordValue(Math.max(1, ((consumed ?? waitedUntil) - at) * 1000));
  }
  if (!complete) note += `${missing} of ${answered.size} events not consumed within ${Math.round(opts.waitMs / 1000)} s: lag figures are lower bounds; `;
  const relayEventsPerS = round1((opts.consumed() - from.consumed) / ((Date.now() - from.at) / 1000));
  const some = hist.totalCount > 0;
  return {
    p50Ms: some ? hist.getValueAtPercentile(50) / 1000 : null,
    p99Ms: some ? hist.getValueAtPercentile(99) / 1000 : null,
    load,
    rate: opts.rate,
    events: answered.size,
    missing,
    relayEventsPerS,
    note: note.trim() || null,
  };
}

/** Waits until no access document has unpublished events (or the timeout). */
export async function drainOutbox(db: Db, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await db.collection('access').countDocuments({ outboxPending: true });
    if (pending === 0) return true;
    if (Date.now() > deadline) return false;
    await sleep(250);
  }
}
