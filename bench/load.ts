import { build, type Histogram } from 'hdr-histogram-js';

/**
 * Load generator: closed-loop (N workers, each sends the next operation when the previous one
 * answered) and fixed-rate (operations started on a schedule; latency measured from the intended
 * send time, so a stall is charged to every operation it delayed: no coordinated omission).
 * Latencies are recorded in microseconds.
 */

/** One operation; `i` is a unique sequence number within the run. Throw to count an error. */
export type Operation = (i: number) => Promise<unknown>;

export interface LoadResult {
  mode: 'closed' | 'fixed-rate';
  concurrency: number | null;
  targetRate: number | null;
  ops: number;
  errors: number;
  durationS: number;
  /** The measured window (after the warm-up) in epoch ms: from its first recorded call to the run's end. */
  windowStartMs: number;
  windowEndMs: number;
  opsPerS: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** First error message seen, if any. */
  firstError: string | null;
}

export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

function summarise(
  h: Histogram,
  base: Pick<LoadResult, 'mode' | 'concurrency' | 'targetRate' | 'errors' | 'firstError' | 'windowStartMs' | 'windowEndMs'>,
  ops: number,
  durationS: number,
): LoadResult {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    ...base,
    ops,
    durationS,
    opsPerS: durationS > 0 ? Math.round((ops / durationS) * 10) / 10 : 0,
    p50Ms: ms(h.getValueAtPercentile(50)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    p999Ms: ms(h.getValueAtPercentile(99.9)),
    maxMs: ms(h.maxValue),
  };
}

let sequence = 0;
/** Unique operation numbers across every run of this process. */
function next(): number {
  return sequence++;
}

/**
 * Closed loop: `concurrency` workers for `durationMs` (after `warmupMs` not recorded), each stopping
 * at the deadline; `maxOps` bounds the run regardless of time.
 */
export async function closedLoop(op: Operation, opts: { concurrency: number; durationMs: number; warmupMs?: number; maxOps?: number }): Promise<LoadResult> {
  const h = newHistogram();
  const maxOps = opts.maxOps ?? 1_000_000;
  let errors = 0;
  let ops = 0;
  let firstError: string | null = null;
  const warmupEnd = Date.now() + (opts.warmupMs ?? 0);
  let measureStart = 0;
  let measureStartMs = 0;
  let deadline = Number.POSITIVE_INFINITY;

  const worker = async (): Promise<void> => {
    for (;;) {
      const now = Date.now();
      if (now >= deadline || ops >= maxOps) return;
      const measuring = now >= warmupEnd;
      if (measuring && measureStart === 0) {
        measureStart = nowUs();
        measureStartMs = Date.now();
        deadline = now + opts.durationMs;
      }
      const start = nowUs();
      try {
        await op(next());
        if (measuring) {
          h.recordValue(Math.max(1, nowUs() - start));
          ops++;
        }
      } catch (error) {
        if (measuring) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const durationS = measureStart === 0 ? 0 : (nowUs() - measureStart) / 1e6;
  const window = { windowStartMs: measureStartMs || Date.now(), windowEndMs: Date.now() };
  return summarise(h, { mode: 'closed', concurrency: opts.concurrency, targetRate: null, errors, firstError, ...window }, ops, durationS);
}

/**
 * Fixed rate: operation k is intended to start at start + k/rate; latency is from that intended
 * time to the answer. At most `maxInFlight` operations are outstanding; when the limit is reached
 * the schedule keeps running and the late operations are charged their waiting time.
 * `onDone` sees every successful operation with its answer time (for event-lag bookkeeping).
 */
export async function fixedRate(op: Operation, opts: { rate: number; durationMs: number; maxInFlight?: number; onDone?: (i: number, answeredAtMs: number) => void }): Promise<LoadResult> {
  const h = newHistogram();
  const total = Math.max(1, Math.floor((opts.rate * opts.durationMs) / 1000));
  const maxInFlight = opts.maxInFlight ?? 256;
  const intervalUs = 1e6 / opts.rate;
  const start = nowUs();
  const startMs = Date.now();
  let errors = 0;
  let ops = 0;
  let inFlight = 0;
  let firstError: string | null = null;
  const pending = new Set<Promise<void>>();
  let freed: (() => void) | null = null;

  for (let k = 0; k < total; k++) {
    const intended = start + k * intervalUs;
    const wait = intended - nowUs();
    if (wait > 1000) await new Promise((r) => setTimeout(r, Math.floor(wait / 1000)));
    while (inFlight >= maxInFlight) await new Promise<void>((r) => (freed = r));
    inFlight++;
    const i = next();
    const p = op(i)
      .then(
        () => {
          h.recordValue(Math.max(1, nowUs() - intended));
          ops++;
          opts.onDone?.(i, Date.now());
        },
        (error: unknown) => {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        inFlight--;
        pending.delete(p);
        const f = freed;
        freed = null;
        f?.();
      });
    pending.add(p);
  }
  await Promise.all([...pending]);
  const durationS = (nowUs() - start) / 1e6;
  return summarise(h, { mode: 'fixed-rate', concurrency: null, targetRate: opts.rate, errors, firstError, windowStartMs: startMs, windowEndMs: Date.now() }, ops, durationS);
}
