import { abortableSleep, waitAtMost } from './abortable-wait';

describe('abortable waits', () => {
  it('waitAtMost ends when the signal aborts, though the work goes on', async () => {
    const controller = new AbortController();
    const waiting = waitAtMost(new Promise(() => undefined), 60_000, controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).resolves.toBeUndefined();
  });

  it('waitAtMost passes the work failure on', async () => {
    await expect(waitAtMost(Promise.reject(new Error('broken')), 60_000)).rejects.toThrow('broken');
  });

  it('abortableSleep rejects with the reason, before or during the sleep', async () => {
    const reason = new Error('deadline');
    await expect(abortableSleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
  });
});
