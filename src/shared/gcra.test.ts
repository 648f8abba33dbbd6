import { leaseTokens } from './gcra';

describe('leaseTokens (GCRA)', () => {
  const rule = { burst: 4, perSecond: 2 }; // a token every 500 ms
  const now = 1_000_000;

  it('a new bucket is full: up to the burst at once, then the time until the next token', () => {
    const first = leaseTokens(null, rule, 3, now);
    expect(first).toEqual({ granted: 3, tat: now + 1500, retryAfterMs: 0 });
    const second = leaseTokens(first.tat, rule, 3, now);
    expect(second).toEqual({ granted: 1, tat: now + 2000, retryAfterMs: 0 });
    expect(leaseTokens(second.tat, rule, 1, now)).toEqual({ granted: 0, tat: now + 2000, retryAfterMs: 500 });
    expect(leaseTokens(second.tat, rule, 1, now + 200)).toEqual({ granted: 0, tat: now + 2000, retryAfterMs: 300 });
  });

  it('refills one token per interval and never above the burst', () => {
    const empty = now + 2000;
    expect(leaseTokens(empty, rule, 10, now + 1000).granted).toBe(2);
    expect(leaseTokens(empty, rule, 10, now + 60_000)).toEqual({ granted: 4, tat: now + 62_000, retryAfterMs: 0 });
  });

  it('a fractional rate (30 a minute) still counts whole tokens', () => {
    const slow = { burst: 20, perSecond: 0.5 };
    let tat: number | null = null;
    for (let i = 0; i < 20; i++) {
      const lease = leaseTokens(tat, slow, 1, now);
      expect(lease.granted).toBe(1);
      tat = lease.tat;
    }
    expect(leaseTokens(tat, slow, 1, now)).toEqual({ granted: 0, tat, retryAfterMs: 2000 });
  });
});
