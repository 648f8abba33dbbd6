import pino from 'pino';
import { currentDeadline, runWithDeadline } from '../shared/deadline-scope';
import type { Sleep } from '../shared/retry';
import { BackgroundRuns } from './background-runs';
import { SweepInterrupted } from './resident-sweep';

const silent = pino({ level: 'silent' });
const NO_JITTER = { initialMs: 100, maxMs: 1000, jitter: 'none' } as const;

/** A sleep that records the delays asked for and ends only when the test lets the time pass (or the wait is cancelled). */
function recordingSleep() {
  const asked: number[] = [];
  const cancelled: boolean[] = [];
  let waits: { end: () => void; ended: Promise<void> }[] = [];
  const sleep: Sleep = (ms, interrupted) => {
    const index = asked.push(ms) - 1;
    cancelled.push(false);
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    interrupted.addEventListener('abort', () => ((cancelled[index] = true), end()), { once: true });
    waits.push({ end, ended });
    return ended;
  };
  /**
   * Ends every wait asked for so far; resolves once their waiters went on (they were told first:
   * a promise calls back in the order it was subscribed to).
   */
  const elapse = async () => {
    const now = waits;
    waits = [];
    now.forEach((w) => w.end());
    await Promise.all(now.map((w) => w.ended));
  };
  return { sleep, asked, cancelled, elapse };
}

/** A promise the test settles. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('BackgroundRuns', () => {
  it('retries a failed run after a doubling delay, capped, until it succeeds; a success starts the delays again', async () => {
    const { sleep, asked, elapse } = recordingSleep();
    const runs = new BackgroundRuns('job', silent, { ...NO_JITTER, maxMs: 500 }, sleep);
    let attempts = 0;
    let failuresLeft = 5;
    const work = async () => {
      attempts++;
      if (failuresLeft-- > 0) throw new Error('database away');
    };

    await runs.start('a', work, {});
    for (let retry = 1; retry <= 5; retry++) {
      // Each failed run asks for exactly one wait, and the retry comes only once it has passed.
      expect({ attempts, waits: asked.length }).toEqual({ attempts: retry, waits: retry });
      await elapse();
      await runs.idle();
    }
    expect(attempts).toBe(6);
    expect(asked).toEqual([100, 200, 400, 500, 500]);

    failuresLeft = 1;
    await runs.start('a', work, {});
    expect(asked.slice(5)).toEqual([100]);
    await elapse();
    await runs.idle();
    expect(attempts).toBe(8);
    expect(asked).toHaveLength(6); // the last run succeeded: no wait after it
    await runs.stop();
  });

  it('keeps the delays of each key apart', async () => {
    const { sleep, asked, elapse } = recordingSleep();
    const runs = new BackgroundRuns('job', silent, NO_JITTER, sleep);
    const failing = async () => {
      throw new Error('database away');
    };
    await runs.start('a', failing, {});
    await elapse();
    await runs.idle();
    await runs.start('b', failing, {});
    expect(asked).toEqual([100, 200, 100]);
    await runs.stop();
  });

  it("a run a call starts is no part of it: it runs, and is retried, outside the call's deadline", async () => {
    const { sleep, elapse } = recordingSleep();
    const runs = new BackgroundRuns('job', silent, NO_JITTER, sleep);
    const deadlines: (number | undefined)[] = [];
    const work = async () => {
      await new Promise(setImmediate); // as I/O would: the deadline scope must hold across it
      deadlines.push(currentDeadline());
      if (deadlines.length < 2) throw new Error('database away');
    };
    await runWithDeadline(Date.now() + 5000, () => runs.start('a', work, {}));
    await elapse();
    await runs.idle();
    expect(deadlines).toEqual([undefined, undefined]);
    await runs.stop();
  });

  it('counts the runs in progress', async () => {
    const runs = new BackgroundRuns('job', silent);
    const finish: (() => void)[] = [];
    const work = () => new Promise<void>((resolve) => finish.push(resolve));
    const both = Promise.all([runs.start('a', work, {}), runs.start('b', work, {})]);
    expect(runs.count).toBe(2);
    finish.forEach((f) => f());
    await both;
    expect(runs.count).toBe(0);
  });

  it('one run per key: a second start while it runs joins the first', async () => {
    const runs = new BackgroundRuns('job', silent);
    const release = deferred();
    let calls = 0;
    const work = async () => {
      calls++;
      await release.promise;
    };
    const first = runs.start('a', work, {});
    const second = runs.start('a', work, {});
    expect(second).toBe(first);
    release.resolve();
    await Promise.all([first, second]);
    expect(calls).toBe(1);
  });

  it('stop aborts the signal, waits for the run, and neither retries it nor starts new ones', async () => {
    const { sleep, asked } = recordingSleep();
    const runs = new BackgroundRuns('job', silent, NO_JITTER, sleep);
    let attempts = 0;
    const work = async () => {
      attempts++;
      if (!runs.signal.aborted) await new Promise((resolve) => runs.signal.addEventListener('abort', resolve, { once: true }));
      throw new SweepInterrupted();
    };
    const run = runs.start('a', work, {});
    expect(runs.isRunning('a')).toBe(true);
    await runs.stop();
    await run;
    expect(runs.isRunning('a')).toBe(false);
    expect(asked).toEqual([]); // no retry was even waited for
    expect(attempts).toBe(1);
    let later = 0;
    await runs.start('b', async () => void later++, {});
    expect(later).toBe(0);
  });

  it('stop cancels a retry that is waiting', async () => {
    const { sleep, asked, cancelled, elapse } = recordingSleep();
    const runs = new BackgroundRuns('job', silent, NO_JITTER, sleep);
    let attempts = 0;
    await runs.start(
      'a',
      async () => {
        attempts++;
        throw new Error('database away');
      },
      {},
    );
    expect(asked).toEqual([100]);
    await runs.stop();
    expect(cancelled).toEqual([true]);
    await elapse(); // whoever waited went on, and did not start the work again
    expect(runs.isRunning('a')).toBe(false);
    expect(attempts).toBe(1);
  });

  it('a new start cancels the retry its key was waiting for, and runs at once', async () => {
    const { sleep, asked, cancelled, elapse } = recordingSleep();
    const runs = new BackgroundRuns('job', silent, NO_JITTER, sleep);
    let attempts = 0;
    let failuresLeft = 1;
    const work = async () => {
      attempts++;
      if (failuresLeft-- > 0) throw new Error('database away');
    };
    await runs.start('a', work, {});
    await runs.start('a', work, {});
    expect({ attempts, asked, cancelled }).toEqual({ attempts: 2, asked: [100], cancelled: [true] });
    await elapse();
    expect(runs.isRunning('a')).toBe(false);
    expect(attempts).toBe(2);
    await runs.stop();
  });
});
