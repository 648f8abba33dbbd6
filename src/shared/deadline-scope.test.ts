import { currentDeadline, runWithDeadline, runWithoutDeadline } from './deadline-scope';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('the deadline scope', () => {
  it('carries the deadline through awaits and timers of the work, and nowhere else', async () => {
    const seen = await runWithDeadline(1234, async () => {
      await tick();
      return new Promise<number | undefined>((resolve) => setTimeout(() => resolve(currentDeadline()), 1));
    });
    expect(seen).toBe(1234);
    expect(currentDeadline()).toBeUndefined();
  });

  it('tells work without a deadline (Infinity) from work outside any scope (undefined)', () => {
    expect(runWithDeadline(Infinity, currentDeadline)).toBe(Infinity);
    expect(currentDeadline()).toBeUndefined();
  });

  it('work started without a deadline inside a scope, and all it starts, has none', async () => {
    const seen = await runWithDeadline(1234, () =>
      runWithoutDeadline(async () => {
        await tick();
        return currentDeadline();
      }),
    );
    expect(seen).toBeUndefined();
  });

  it('two calls in flight at once keep their own deadlines', async () => {
    const seen = await Promise.all([1, 2].map((deadline) => runWithDeadline(deadline, async () => (await tick(), currentDeadline()))));
    expect(seen).toEqual([1, 2]);
  });
});
