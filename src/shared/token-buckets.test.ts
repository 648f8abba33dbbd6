import { TokenBuckets } from './token-buckets';

describe('TokenBuckets', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('gives a burst, then refuses with the time until the next token', () => {
    const buckets = new TokenBuckets({ burst: 3, perSecond: 0.5 }, 10_000, clock);
    expect([1, 2, 3].map(() => buckets.take('a').taken)).toEqual([true, true, true]);
    expect(buckets.take('a')).toEqual({ taken: false, retryAfterMs: 2000 });
    now += 1500;
    expect(buckets.take('a')).toEqual({ taken: false, retryAfterMs: 500 });
    now += 500;
    expect(buckets.take('a').taken).toBe(true);
  });

  it('keeps keys apart', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1 }, 10_000, clock);
    expect(buckets.take('a').taken).toBe(true);
    expect(buckets.take('a').taken).toBe(false);
    expect(buckets.take('b').taken).toBe(true);
  });

  it('forgets refilled keys and never holds more than maxKeys', () => {
    const buckets = new TokenBuckets({ burst: 2, perSecond: 1 }, 100, clock);
    for (let i = 0; i < 100; i++) buckets.take(`idle-${i}`);
    now += 2000;
    buckets.take('a');
    buckets.take('b');
    expect(buckets.size).toBe(2);
    for (let i = 0; i < 500; i++) buckets.take(`busy-${i}`);
    expect(buckets.size).toBeLessThanOrEqual(100);
  });
});
