interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items added while no write is in flight are written at once; items added while
 * one is in flight wait and all go together in the next write. No timer: an idle system writes
 * each item immediately, a busy one writes fewer, bigger batches. Each caller's promise settles
 * with the write that carried its items.
 */
export class GroupCommit<T> {
  private queued: T[] = [];
  private waiters: Waiter[] = [];
  private writing = false;

  constructor(private readonly write: (items: T[]) => Promise<void>) {}

  add(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queued.push(...items);
      this.waiters.push({ resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiters.length > 0) {
      const items = this.queued;
      const waiters = this.waiters;
      this.queued = [];
      this.waiters = [];
      try {
        await this.write(items);
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    }
    this.writing = false;
  }
}
