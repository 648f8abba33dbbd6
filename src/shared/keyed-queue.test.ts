import { KeyedQueue } from './keyed-queue';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedQueue', () => {
  it('runs tasks with one key one at a time, in arrival order, and others in parallel', async () => {
    const lock = new KeyedQueue();
    const log: string[] = [];
    const write = (doc: string, name: string) =>
      lock.run(doc, async () => {
        log.push(`start ${name}`);
        await tick();
        log.push(`end ${name}`);
        return name;
      });

    const results = await Promise.all([write('a', 'a1'), write('a', 'a2'), write('b', 'b1')]);

    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('a failed task does not block the next one, and its error reaches its caller', async () => {
    const lock = new KeyedQueue();
    const failing = lock.run('a', async () => {
      throw new Error('boom');
    });
    const next = lock.run('a', async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
  });
});
