import { GroupCommit } from './group-commit';

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

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('writes at once when idle, and everything that arrives meanwhile in the one next write', async () => {
    const { batches, releases, write } = heldWrites();
    const commit = new GroupCommit(write);
    const first = commit.add(['a']);
    expect(batches).toEqual([['a']]);

    const second = commit.add(['b', 'c']);
    const third = commit.add(['d']);
    await tick();
    expect(batches).toEqual([['a']]);

    releases[0]!();
    await first;
    await tick();
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    releases[1]!();
    await Promise.all([second, third]);
  });

  it("a failed write rejects exactly its callers; the next batch is written", async () => {
    const { batches, releases, write } = heldWrites();
    const commit = new GroupCommit(write);
    const first = commit.add(['a']);
    const second = commit.add(['b']);
    releases[0]!(new Error('boom'));
    await expect(first).rejects.toThrow('boom');
    await tick();
    expect(batches).toEqual([['a'], ['b']]);
    releases[1]!();
    await expect(second).resolves.toBeUndefined();
  });

  it('nothing to add writes nothing', async () => {
    const { batches, write } = heldWrites();
    await new GroupCommit(write).add([]);
    expect(batches).toEqual([]);
  });
});
