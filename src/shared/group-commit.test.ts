import { GroupCommit, GroupCommitRefused } from './group-commit';

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

/** Whether `promise` has settled, after pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<'stored' | 'failed' | 'waiting'> {
  const state = await Promise.race([
    promise.then(
      () => 'stored' as const,
      () => 'failed' as const,
    ),
    new Promise<'waiting'>((resolve) => setImmediate(() => resolve('waiting'))),
  ]);
  return state;
}

const limits = { batchSize: 4, maxWritesInFlight: 1, maxWaitingPerCaller: 6 };

describe('GroupCommit', () => {
  it('answers a caller only once the write carrying its items is acknowledged', async () => {
    const { batches, releases, write } = heldWrites();
    const commit = new GroupCommit(write, limits);
    const first = commit.add('a', ['a1']);
    expect(batches).toEqual([['a1']]);
    expect(await settled(first)).toBe('waiting');
    releases[0]!();
    expect(await settled(first)).toBe('stored');
  });

  it('writes the groups that arrive during a write together in the next one', async () => {
    const { batches, releases, write } = heldWrites();
    const commit = new GroupCommit(write, limits);
    const first = commit.add('a', ['a1']);
    const later = [commit.add('b', ['b1']), commit.add('c', ['c1', 'c2'])];
    expect(batches).toHaveLength(1);
    releases[0]!();
    await first;
    expect(batches[1]).toEqual(['b1', 'c1', 'c2']);
    expect(await settled(later[0]!)).toBe('waiting');
    releases[1]!();
    await Promise.all(later);
  });

  it('starts a write at once while fewer than the limit are in flight', () => {
    const { batches, write } = heldWrites();
    const commit = new GroupCommit(write, { ...limits, maxWritesInFlight: 2 });
    void commit.add('a', ['a1']);
    void commit.add('b', ['b1']);
    void commit.add('c', ['c1']);
    expect(batches).toEqual([['a1'], ['b1']]);
  });

  it('fails every caller whose items were in a failed write, and stores later groups', async () => {
    const { releases, write } = heldWrites();
    const commit = new GroupCommit(write, limits);
    const first = commit.add('a', ['a1']);
    const second = commit.add('b', ['b1']);
    releases[0]!(new Error('down'));
    await expect(first).rejects.toThrow('down');
    releases[1]!();
    await expect(second).resolves.toBeUndefined();
  });

  it('takes one group per caller in turn, so a flood delays another caller by one batch at most', async () => {
    const { batches, releases, write } = heldWrites();
    const commit = new GroupCommit(write, { ...limits, batchSize: 2, maxWaitingPerCaller: 100 });
    void commit.add('first', ['x']);
    for (let i = 0; i < 5; i++) void commit.add('flood', [`f${i}`]);
    void commit.add('other', ['o1']);
    releases[0]!();
    await new Promise((r) => setImmediate(r));
    expect(batches[1]).toEqual(['f0', 'o1']);
  });

  it("refuses a caller's group past its waiting bound and still takes other callers'", async () => {
    const { releases, write } = heldWrites();
    const commit = new GroupCommit(write, limits);
    void commit.add('flood', ['in flight']);
    void commit.add('flood', ['w1', 'w2', 'w3', 'w4', 'w5']);
    await expect(commit.add('flood', ['w6', 'w7'])).rejects.toEqual(new GroupCommitRefused('caller-backlog'));
    const other = commit.add('other', ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7']);
    releases[0]!();
    await new Promise((r) => setImmediate(r));
    releases[1]!();
    await new Promise((r) => setImmediate(r));
    releases[2]!();
    await expect(other).resolves.toBeUndefined();
  });

  it('takes a group bigger than the bound from a caller with nothing waiting, in one write', () => {
    const { batches, write } = heldWrites();
    const commit = new GroupCommit(write, limits);
    void commit.add('lister', ['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(batches).toEqual([['1', '2', '3', '4', '5', '6', '7', '8']]);
  });

  it('on close refuses new groups and resolves when the groups taken are written', async () => {
    const { releases, write } = heldWrites();
    const commit = new GroupCommit(write, limits);
    const taken = [commit.add('a', ['a1']), commit.add('b', ['b1'])];
    const closed = commit.close();
    await expect(commit.add('c', ['c1'])).rejects.toEqual(new GroupCommitRefused('closed'));
    releases[0]!();
    expect(await settled(closed)).toBe('waiting');
    await new Promise((r) => setImmediate(r));
    releases[1]!();
    await closed;
    await Promise.all(taken);
  });
});
