import { WriteBehind, WriteBehindRefused } from './write-behind';

/** A write that stays in flight until released, recording each batch it was given. */
function heldWrites() {
  const batches: string[][] = [];
  const releases: ((error?: Error) => void)[] = [];
  const write = (items: string[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      releases.push((error) => (error ? reject(error) : resolve()));
    });
  return { batches, releases, write };
}

const limits = { flushIntervalMs: 20, batchSize: 3, maxPending: 5, closeRetryMs: 200 };
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
};

describe('WriteBehind', () => {
  it('answers at once and writes what arrived together after the interval', async () => {
    const { batches, releases, write } = heldWrites();
    const log = new WriteBehind(write, limits);
    log.add(['a']);
    log.add(['b']);
    expect(batches).toEqual([]);
    await until(() => batches.length === 1);
    expect(batches).toEqual([['a', 'b']]);
    releases[0]!();
    await log.flush();
  });

  it('writes a full batch at once', async () => {
    const { batches, releases, write } = heldWrites();
    const log = new WriteBehind(write, { ...limits, flushIntervalMs: 60_000 });
    log.add(['a', 'b', 'c', 'd']);
    expect(batches).toEqual([['a', 'b', 'c']]);
    releases[0]!();
    const flushed = log.flush(); // the rest waits for the interval, or a flush
    await until(() => batches.length === 2);
    expect(batches[1]).toEqual(['d']);
    releases[1]!();
    await flushed;
  });

  it('refuses new items while the store fails, keeps the failed batch and stores it once the store answers', async () => {
    const { batches, releases, write } = heldWrites();
    const log = new WriteBehind(write, limits);
    log.add(['a']);
    await until(() => batches.length === 1);
    releases[0]!(new Error('down'));
    await new Promise((r) => setImmediate(r));
    expect(() => log.add(['b'])).toThrow(WriteBehindRefused);

    await until(() => batches.length === 2); // tried again after the interval
    releases[1]!(new Error('down'));
    await until(() => batches.length === 3);
    releases[2]!();
    await until(() => {
      try {
        log.add(['c']);
        return true;
      } catch {
        return false;
      }
    });
    await until(() => batches.length === 4);
    releases[3]!();
    await log.flush();
    expect(batches.map((b) => b.join(''))).toEqual(['a', 'a', 'a', 'c']);
  });

  it('refuses items beyond maxPending, queuing none of them', async () => {
    const { batches, releases, write } = heldWrites();
    const log = new WriteBehind(write, { ...limits, batchSize: 100, flushIntervalMs: 60_000 });
    log.add(['a', 'b', 'c', 'd']);
    expect(() => log.add(['e', 'f'])).toThrow(WriteBehindRefused);
    log.add(['e']);
    const flushed = log.flush();
    releases[0]!();
    await flushed;
    expect(batches).toEqual([['a', 'b', 'c', 'd', 'e']]);
  });

  it('close writes everything that waits and refuses more', async () => {
    const { batches, releases, write } = heldWrites();
    const log = new WriteBehind(write, { ...limits, flushIntervalMs: 60_000 });
    log.add(['a', 'b']);
    const closed = log.close(1000);
    expect(() => log.add(['c'])).toThrow(WriteBehindRefused);
    await until(() => batches.length === 1);
    releases[0]!();
    await closed;
    expect(batches).toEqual([['a', 'b']]);
  });
});
