import { InMemoryBucketStore } from '../../test/support/in-memory-bucket-store';
import { SharedTokenBuckets } from './shared-token-buckets';

describe('SharedTokenBuckets', () => {
  let now = 1_000_000;
  const clock = () => now;
  const buckets = (store: InMemoryBucketStore, rule: { burst: number; perSecond: number }, storeFailed: (error: unknown) => void = () => undefined) =>
    new SharedTokenBuckets(store, { name: 'limit', rule, maxKeys: 100, now: clock, storeFailed });

  it('leases at most a second of refill and a tenth of the burst at a time, so most calls ask the store nothing', async () => {
    const store = new InMemoryBucketStore();
    const limit = buckets(store, { burst: 1000, perSecond: 50 });
    for (let i = 0; i < 500; i++) expect((await limit.take('caller')).taken).toBe(true);
    expect(store.leases).toBe(10); // 500 calls, leases of 50
  });

  it('concurrent calls of one caller wait for one lease instead of each asking the store', async () => {
    const store = new InMemoryBucketStore();
    const limit = buckets(store, { burst: 100, perSecond: 10 });
    const results = await Promise.all(Array.from({ length: 10 }, () => limit.take('caller')));
    expect(results.every((r) => r.taken)).toBe(true);
    expect(store.leases).toBe(1);
  });

  it('refuses with the time until the shared bucket has a token again', async () => {
    const store = new InMemoryBucketStore();
    const limit = buckets(store, { burst: 2, perSecond: 0.5 });
    expect([(await limit.take('caller')).taken, (await limit.take('caller')).taken]).toEqual([true, true]);
    expect(await limit.take('caller')).toEqual({ taken: false, retryAfterMs: 2000 });
    now += 2000;
    expect((await limit.take('caller')).taken).toBe(true);
  });

  it('when the store fails, the bucket in memory limits the caller instead, and the failure is reported', async () => {
    const store = new InMemoryBucketStore();
    store.failing = new Error('database unreachable');
    const failures: unknown[] = [];
    const limit = buckets(store, { burst: 2, perSecond: 0.5 }, (error) => void failures.push(error));
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push((await limit.take('caller')).taken);
    expect(taken).toEqual([true, true, false]);
    expect(failures).toEqual([store.failing, store.failing, store.failing]);
  });
});
