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

/** A probe that answered something its kind of wait cannot read: a mistake in the test, not "not yet". */
class ProbeMisuse extends Error {}

/**
 * Calls `probe` until `ready` reads a value out of its answer; a probe that throws is not ready
 * yet. After `timeoutMs` it fails naming `what`, with the probe's last error if it threw.
 */
async function poll<A, T>(probe: () => A | Promise<A>, ready: (answer: A) => { value: T } | null, { what, timeoutMs = 30_000, intervalMs = 100 }: Patience): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const read = ready(await probe());
      if (read) return read.value;
    } catch (error) {
      if (error instanceof ProbeMisuse) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError === undefined ? '' : `; last: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`, { cause: lastError });
    }
    await sleep(intervalMs);
  }
}

/**
 * Waits until `condition` answers `true`. Any answer but a boolean is a mistake in the test and
 * fails at once: a condition cannot hold by answering `undefined`, `null` or `0`.
 */
export function eventually(condition: () => boolean | Promise<boolean>, patience: Patience): Promise<void> {
  return poll(
    condition,
    (answer: unknown) => {
      if (typeof answer !== 'boolean') throw new ProbeMisuse(`the condition for ${patience.what} answered ${typeof answer}, not true or false`);
      return answer ? { value: undefined } : null;
    },
    patience,
  );
}

/** Waits until `lookup` finds something (anything but `undefined` or `null`) and returns it. */
export function eventuallyFound<T>(lookup: () => T | null | undefined | Promise<T | null | undefined>, patience: Patience): Promise<T> {
  return poll(lookup, (answer) => (answer === undefined || answer === null ? null : { value: answer }), patience);
}

/**
 * Waits until `assertion` returns without throwing (an `expect` that passes). It must return
 * nothing: a value it returned would be ignored, so that is a mistake in the test and fails at once.
 */
export function eventuallyPasses(assertion: () => void | Promise<void>, patience: Patience): Promise<void> {
  return poll(
    assertion,
    (answer: unknown) => {
      if (answer !== undefined) throw new ProbeMisuse(`the assertion for ${patience.what} returned ${typeof answer}; an assertion returns nothing`);
      return { value: undefined };
    },
    patience,
  );
}
