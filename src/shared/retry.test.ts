import { Backoff, BackgroundLoop, type NextTurn, type Sleep } from './retry';

/** A sleep that records what was asked and ends only when interrupted or released. */
function controlledSleep() {
  const asked: number[] = [];
  const pending: (() => void)[] = [];
  const sleep: Sleep = (ms, interrupted) => {
    asked.push(ms);
    return new Promise<void>((resolve) => {
      pending.push(resolve);
      interrupted.addEventListener('abort', () => resolve(), { once: true });
    });
  };
  const releaseAll = () => pending.splice(0).forEach((resolve) => resolve());
  return { sleep, asked, releaseAll };
}

/** Settles every promise chain the loop has in hand (no timers involved). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('Backoff', () => {
  it('doubles from the first delay up to the cap, and stays there', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 'none' });
    expect(Array.from({ length: 7 }, () => backoff.next())).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('starts again from the first delay after a reset (a success)', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 'none' });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('full jitter draws between nothing and the delay', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 'full', random: () => 0 });
    const high = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 'full', random: () => 0.999999 });
    expect([low.next(), low.next(), low.next()]).toEqual([0, 0, 0]);
    expect([high.next(), high.next(), high.next()]).toEqual([99, 199, 399]);
  });

  it('equal jitter never goes below half the delay nor above it', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 400, jitter: 'equal', random: () => 0 });
    const high = new Backoff({ initialMs: 100, maxMs: 400, jitter: 'equal', random: () => 0.999999 });
    expect([low.next(), low.next(), low.next(), low.next()]).toEqual([50, 100, 200, 200]);
    expect([high.next(), high.next(), high.next(), high.next()]).toEqual([99, 199, 399, 399]);
  });

  it('never leaves the bounds, whatever the random source says', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const backoff = new Backoff({ initialMs: 10, maxMs: 5000, jitter: 'full', random });
    for (let i = 0; i < 200; i++) {
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(5000);
    }
  });
});

describe('BackgroundLoop', () => {
  const noJitter = { initialMs: 100, maxMs: 400, jitter: 'none' as const };

  it('waits what each turn answers, backs off after failures, and resets after a success', async () => {
    const { sleep, asked, releaseAll } = controlledSleep();
    const answers: (NextTurn | Error)[] = [new Error('away'), new Error('away'), new Error('away'), 30, new Error('away'), 'done'];
    const errors: number[] = [];
    const loop = new BackgroundLoop(
      async () => {
        const answer = answers.shift()!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      { backoff: noJitter, onError: (_error, retryInMs) => errors.push(retryInMs), sleep },
    );
    loop.start();
    while (answers.length > 0) {
      await settle();
      releaseAll();
    }
    await loop.stop();
    expect(errors).toEqual([100, 200, 400, 100]);
    expect(asked).toEqual([100, 200, 400, 30, 100]);
  });

  it('tells a wait after a failure from an ordinary one', async () => {
    const { sleep } = controlledSleep();
    let fail = true;
    const loop = new BackgroundLoop(
      async () => {
        if (fail) throw new Error('away');
        return 1000;
      },
      { backoff: noJitter, onError: () => undefined, sleep },
    );
    loop.start();
    await settle();
    expect(loop.backingOff).toBe(true);
    fail = false;
    loop.wake();
    await settle();
    expect(loop.backingOff).toBe(false);
    await loop.stop();
  });

  it('stop ends a wait at once and runs no further turn', async () => {
    const { sleep } = controlledSleep();
    let turns = 0;
    const loop = new BackgroundLoop(async () => ++turns && 60_000, { backoff: noJitter, onError: () => undefined, sleep });
    loop.start();
    await settle();
    await loop.stop();
    await settle();
    expect(turns).toBe(1);
  });

  it('wake ends a wait early, and a wake during a turn skips the wait after it', async () => {
    const { sleep, asked } = controlledSleep();
    let turns = 0;
    let loop: BackgroundLoop | null = null;
    loop = new BackgroundLoop(
      async () => {
        turns++;
        if (turns === 2) loop!.wake();
        return 60_000;
      },
      { backoff: noJitter, onError: () => undefined, sleep },
    );
    loop.start();
    await settle();
    expect(turns).toBe(1);
    loop.wake();
    await settle();
    // The second turn woke the loop itself: the third came without a wait.
    expect(turns).toBe(3);
    expect(asked).toEqual([60_000, 60_000]);
    await loop.stop();
  });

  it('waits before the first turn when asked to', async () => {
    const { sleep, asked, releaseAll } = controlledSleep();
    let turns = 0;
    const loop = new BackgroundLoop(async () => (++turns, 'done'), { backoff: noJitter, onError: () => undefined, sleep });
    loop.start(500);
    await settle();
    expect(turns).toBe(0);
    releaseAll();
    await settle();
    expect(turns).toBe(1);
    expect(asked).toEqual([500]);
    await loop.stop();
  });
});
