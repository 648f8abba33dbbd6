import { runWithoutDeadline } from './deadline-scope';

export interface GroupCommitLimits {
  /** Items per write; a single group bigger than this is written whole. */
  batchSize: number;
  /** Writes in flight at once: a group that arrives while fewer are in flight is written at once. */
  maxWritesInFlight: number;
  /** Items one caller may have waiting; past it, that caller's new groups are refused (others' are not). */
  maxWaitingPerCaller: number;
}

/** A group was not taken: the committer is closed, or its caller has too much waiting. */
export class GroupCommitRefused extends Error {
  constructor(readonly reason: 'closed' | 'caller-backlog') {
    super(reason === 'closed' ? 'closed' : 'too many of this caller’s items wait');
    this.name = 'GroupCommitRefused';
  }
}

interface Group<T> {
  caller: string;
  items: readonly T[];
  stored: () => void;
  failed: (error: unknown) => void;
}

/**
 * Stores groups of items durably before their callers go on: each `add` resolves when the write
 * that carried its items is acknowledged, and rejects when that write fails. Groups that arrive
 * while writes are in flight are written together in the next write (group commit), so a burst
 * costs a few writes, not one per group. The next write takes one group per caller in turn, so a
 * caller with a flood waiting delays the others by at most one batch. A write serves many callers,
 * so it runs outside the deadline scope of whichever call happened to start it.
 */
export class GroupCommit<T> {
  /** Waiting groups per caller, callers in the order they are served next. */
  private readonly waiting = new Map<string, Group<T>[]>();
  private readonly waitingItemsOf = new Map<string, number>();
  private writesInFlight = 0;
  private closed = false;
  private drained: (() => void) | null = null;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly limits: GroupCommitLimits,
  ) {}

  /** Stores `items` for `caller`; rejects with GroupCommitRefused (storing nothing) or the write's error. */
  add(caller: string, items: readonly T[]): Promise<void> {
    if (this.closed) return Promise.reject(new GroupCommitRefused('closed'));
    if (items.length === 0) return Promise.resolve();
    const waitingItems = this.waitingItemsOf.get(caller) ?? 0;
    // A caller with nothing waiting is always taken, however big its group.
    if (waitingItems > 0 && waitingItems + items.length > this.limits.maxWaitingPerCaller) return Promise.reject(new GroupCommitRefused('caller-backlog'));
    return new Promise<void>((stored, failed) => {
      const groups = this.waiting.get(caller);
      if (groups) groups.push({ caller, items, stored, failed });
      else this.waiting.set(caller, [{ caller, items, stored, failed }]);
      this.waitingItemsOf.set(caller, waitingItems + items.length);
      this.startWrites();
    });
  }

  /** Takes no more groups and resolves once every group taken is written (or failed). */
  close(): Promise<void> {
    this.closed = true;
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => (this.drained = resolve));
  }

  private isIdle(): boolean {
    return this.writesInFlight === 0 && this.waiting.size === 0;
  }

  private startWrites(): void {
    while (this.writesInFlight < this.limits.maxWritesInFlight && this.waiting.size > 0) {
      const batch = this.nextBatch();
      this.writesInFlight += 1;
      const settle = (each: (group: Group<T>) => void) => {
        // The next write starts before these callers go on, so what waits is not held up by them.
        this.writesInFlight -= 1;
        this.startWrites();
        batch.forEach(each);
        if (this.drained && this.isIdle()) this.drained();
      };
      runWithoutDeadline(() => this.write(batch.flatMap((group) => group.items))).then(
        () => settle((group) => group.stored()),
        (error: unknown) => settle((group) => group.failed(error)),
      );
    }
  }

  /** One group per caller in turn until the batch is full; a caller still waiting goes to the back. */
  private nextBatch(): Group<T>[] {
    const batch: Group<T>[] = [];
    let size = 0;
    while (this.waiting.size > 0) {
      const [caller, groups] = this.waiting.entries().next().value as [string, Group<T>[]];
      const group = groups[0]!;
      if (batch.length > 0 && size + group.items.length > this.limits.batchSize) break;
      groups.shift();
      this.waiting.delete(caller);
      if (groups.length > 0) this.waiting.set(caller, groups);
      const left = this.waitingItemsOf.get(caller)! - group.items.length;
      if (left > 0) this.waitingItemsOf.set(caller, left);
      else this.waitingItemsOf.delete(caller);
      batch.push(group);
      size += group.items.length;
    }
    return batch;
  }
}
