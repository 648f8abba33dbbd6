import pino from 'pino';
import { currentDeadline, runWithDeadline } from '../shared/deadline-scope';
import { BackgroundRuns } from './background-runs';
import { SweepInterrupted } from './resident-sweep';

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('BackgroundRuns', () => {
  it('retries a failed run after a growing delay until it succeeds', async () => {
    const runs = new BackgroundRuns('job', silent, { initialMs: 5, maxMs: 20 });
    let attempts = 0;
    const work = async () => {
      attempts++;
      if (attempts < 4) throw new Error('database away');
    };
    await runs.start('a', work, {});
    while (attempts < 4) await sleep(5);
    await runs.idle();
    expect(attempts).toBe(4);
    await runs.stop();
  });

  it("a run a call starts is no part of it: it runs, and is retried, outside the call's deadline", async () => {
    const runs = new BackgroundRuns('job', silent, { initialMs: 1, maxMs: 1 });
    const deadlines: (number | undefined)[] = [];
    const work = async () => {
      await sleep(1);
      deadlines.push(currentDeadline());
      if (deadlines.length < 2) throw new Error('database away');
    };
    await runWithDeadline(Date.now() + 5000, () => runs.start('a', work, {}));
    while (deadlines.length < 2) await sleep(2);
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
    let calls = 0;
    const work = async () => {
      calls++;
      await sleep(10);
    };
    await Promise.all([runs.start('a', work, {}), runs.start('a', work, {})]);
    expect(calls).toBe(1);
  });

  it('stop aborts the signal, waits for the run, and neither retries it nor starts new ones', async () => {
    const runs = new BackgroundRuns('job', silent, { initialMs: 5, maxMs: 5 });
    let attempts = 0;
    const work = async () => {
      attempts++;
      while (!runs.signal.aborted) await sleep(2);
      throw new SweepInterrupted();
    };
    const run = runs.start('a', work, {});
    await sleep(10);
    await runs.stop();
    await run;
    await sleep(20);
    expect(attempts).toBe(1);
    let later = 0;
    await runs.start('b', async () => void later++, {});
    expect(later).toBe(0);
  });

  it('stop cancels a retry that is waiting', async () => {
    const runs = new BackgroundRuns('job', silent, { initialMs: 30, maxMs: 30 });
    let attempts = 0;
    await runs.start(
      'a',
      async () => {
        attempts++;
        throw new Error('database away');
      },
      {},
    );
    await runs.stop();
    await sleep(60);
    expect(attempts).toBe(1);
  });

  /** Runs whose log lines are kept, with a backoff without jitter so the delays can be read. */
  function loggedRuns(initialMs: number, maxMs: number) {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    return { runs: new BackgroundRuns('bulk removal', logger, { initialMs, maxMs, jitter: 'none' }), lines };
  }

  it('logs each failure with its fields and the wait before the retry, and starts the wait afresh after a success', async () => {
    const { runs, lines } = loggedRuns(2, 100);
    let attempts = 0;
    const failTwice = async () => {
      attempts++;
      if (attempts % 3 !== 0) throw new Error('database away');
    };
    await runs.start('a', failTwice, { jobId: 'job-1' });
    while (attempts < 3) await sleep(2);
    await runs.idle();
    await runs.start('a', failTwice, { jobId: 'job-1' });
    while (attempts < 6) await sleep(2);
    await runs.idle();
    const failures = lines.filter((l) => l.msg === 'bulk removal failed; retrying');
    expect(failures.map((l) => [l.jobId, l.retryInMs, (l.err as { message: string }).message])).toEqual([
      ['job-1', 2, 'database away'],
      ['job-1', 4, 'database away'],
      ['job-1', 2, 'database away'],
      ['job-1', 4, 'database away'],
    ]);
    await runs.stop();
  });

  it('an interrupted sweep pauses without a retry, and says it resumes at the next start', async () => {
    const { runs, lines } = loggedRuns(1, 1);
    let attempts = 0;
    await runs.start(
      'a',
      async () => {
        attempts++;
        throw new SweepInterrupted();
      },
      { jobId: 'job-2' },
    );
    await sleep(20);
    expect(attempts).toBe(1);
    expect(lines.map((l) => [l.level, l.msg, l.jobId])).toEqual([[30, 'bulk removal paused for shutdown; resumes at the next start', 'job-2']]);
  });

  it('idle waits for every run in progress', async () => {
    const runs = new BackgroundRuns('job', silent);
    let done = false;
    void runs.start(
      'a',
      async () => {
        await sleep(20);
        done = true;
      },
      {},
    );
    await runs.idle();
    expect(done).toBe(true);
  });
});
