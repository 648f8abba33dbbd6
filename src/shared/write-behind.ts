export interface WriteBehindLimits {
  /** Pending items are written at least this often. */
  flushIntervalMs: number;
  /** A batch this big is written at once; more than this many waiting refuse new items. */
  batchSize: number;
  maxPending: number;
  /** While closing, a failing store is tried again this often (or every flushIntervalMs, if shorter). */
  closeRetryMs: number;
}

/** New items are refused: the store is failing, or too much waits for it. */
export class WriteBehindRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'WriteBehindRefused';
  }
}

/**
 * Collects items and writes them in batches behind the caller's back: every `flushIntervalMs`,
 * or at once when a batch is full. One write at a time. A failed batch stays at the front and is
 * tried again, and until a write succeeds new items are refused, as they are when `maxPending`
 * wait: callers learn at once that their item would not be stored.
 */
export class WriteBehind<T> {
  private pending: T[] = [];
  private writing: Promise<void> | null = null;
  private failing = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly limits: WriteBehindLimits,
  ) {}

  /** Queues `items`, or throws WriteBehindRefused (queuing nothing). */
  add(items: readonly T[]): void {
    if (this.closed) throw new WriteBehindRefused('closed');
    if (this.failing) throw new WriteBehindRefused('the store is failing');
    if (this.pending.length + items.length > this.limits.maxPending) throw new WriteBehindRefused('too many items wait');
    this.pending.push(...items);
    if (this.pending.length >= this.limits.batchSize) void this.flushOnce().catch(() => undefined);
    else this.schedule();
  }

  /** Writes everything queued until now; rejects if a write fails. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
    while (this.pending.length > 0) await this.flushOnce();
  }

  /** Refuses new items and writes what waits (trying a failing store until `deadlineMs`). */
  async close(deadlineMs: number): Promise<void> {
    this.closed = true;
    const giveUp = Date.now() + deadlineMs;
    for (;;) {
      try {
        return await this.flush();
      } catch (error) {
        if (Date.now() >= giveUp) throw error;
        await new Promise((r) => setTimeout(r, Math.min(this.limits.flushIntervalMs, this.limits.closeRetryMs)));
      }
    }
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flushOnce().catch(() => undefined);
    }, this.limits.flushIntervalMs);
    this.timer.unref();
  }

  private flushOnce(): Promise<void> {
    if (this.writing) return this.writing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return Promise.resolve();
    const batch = this.pending.splice(0, this.limits.batchSize);
    this.writing = this.write(batch).then(
      () => {
        this.failing = false;
      },
      (error: unknown) => {
        this.failing = true;
        this.pending.unshift(...batch);
        throw error;
      },
    );
    void this.writing
      .finally(() => {
        this.writing = null;
        if (this.pending.length >= this.limits.batchSize && !this.failing) void this.flushOnce().catch(() => undefined);
        else if (this.pending.length > 0) this.schedule();
      })
      .catch(() => undefined);
    return this.writing;
  }
}
