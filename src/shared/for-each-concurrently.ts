/**
 * Runs `work` for every item of a (possibly huge, streamed) iterable with at most `concurrency`
 * in flight, so memory stays bounded by the concurrency, not by the number of items. Once `signal`
 * aborts, no new item starts; the call resolves when those in flight are done.
 */
export async function forEachConcurrently<T>(items: AsyncIterable<T>, concurrency: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  // Boxed, so that a rejection with a falsy value (undefined, null, '') still stops the run.
  let failure = null as { error: unknown } | null;
  for await (const item of items) {
    if (failure || signal?.aborted) break;
    const task = work(item).catch((error: unknown) => {
      failure ??= { error };
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
}
