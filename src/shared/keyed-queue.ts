/**
 * Runs tasks with the same key one at a time, in arrival order; other keys run in parallel. Used
 * to queue this process's work on one document, so that it does not race itself: writers in
 * other processes are kept apart by the storage's compare-and-set (DocumentWriter).
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      // Forget the key once nobody queued behind this task, so the map does not grow.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
