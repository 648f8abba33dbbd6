/**
 * Serialises this process's writes to one document. FerretDB 1.x runs an update as read, modify
 * in Go, then replace by `_id`, with nothing between: concurrent updates of one document lose
 * writes and several compare-and-set updates can all "match" (measured: docs/ferretdb.md). Real
 * MongoDB makes single-document updates atomic, so there the lock only costs a little queueing;
 * on FerretDB it makes one service instance correct. Several instances need real MongoDB.
 */
export class DocumentWriteLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(documentId: string, write: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(documentId) ?? Promise.resolve();
    const current = previous.then(write, write);
    const tail = current.catch(() => undefined);
    this.tails.set(documentId, tail);
    try {
      return await current;
    } finally {
      // Forget the key once nobody queued behind this write, so the map does not grow.
      if (this.tails.get(documentId) === tail) this.tails.delete(documentId);
    }
  }
}
