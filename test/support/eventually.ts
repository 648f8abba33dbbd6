/** Waits `ms`: only to pace a load a test generates, never to wait for something to happen (see `eventually`). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Patience {
  /** What the test waits for, named in the failure. */
  what: string;
  /** 30 s unless told. */
  timeoutMs?: number;
  /** 100 ms unless told. */
  intervalMs?: number;
}

/**
 * The one way a test waits for something: calls `probe` until it holds and returns what it
 * returned. A probe holds when it neither throws nor returns `false`, so both a condition
 * (`() => count === 3`), a lookup (`() => found ?? false`) and an assertion
 * (`() => expect(x).toBe(y)`) can be waited for. After `timeoutMs` it fails naming `what`, with the
 * probe's last error if it threw.
 */
export async function eventually<T>(probe: () => T | false | Promise<T | false>, { what, timeoutMs = 30_000, intervalMs = 100 }: Patience): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const result = await probe();
      if (result !== false) return result;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError === undefined ? '' : `; last: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`, { cause: lastError });
    }
    await sleep(intervalMs);
  }
}
