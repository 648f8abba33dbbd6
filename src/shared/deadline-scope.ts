import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The deadline of the work in progress, carried through everything that work awaits or starts
 * (an AsyncLocalStorage), so that a layer far below it can bound its own steps by it without every
 * signature in between passing it on. Epoch milliseconds; Infinity: work without a deadline.
 */
const deadlines = new AsyncLocalStorage<number>();

/** Runs `work`, and whatever it awaits or starts, under `deadlineMs`. */
export function runWithDeadline<T>(deadlineMs: number, work: () => T): T {
  return deadlines.run(deadlineMs, work);
}

/**
 * Runs `work` under no deadline: for work that one call starts but that outlives it or serves
 * others too (background jobs), which must not end when that call does.
 */
export function runWithoutDeadline<T>(work: () => T): T {
  return deadlines.exit(work);
}

/** The deadline of the work in progress: undefined outside any, Infinity for work without one. */
export function currentDeadline(): number | undefined {
  return deadlines.getStore();
}
