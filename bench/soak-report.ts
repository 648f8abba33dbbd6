import { round1 } from './common';

/** One minute of the soak (bench/soak.ts). */
export interface SoakMinute {
  minute: number;
  rssMb: number;
  heapUsedMb: number;
  readP99Ms: number;
  readsPerS: number;
  commandP99Ms: number;
  commandsPerS: number;
  errors: number;
  /** Access documents still flagged with unpublished events at the minute's end. */
  outboxBacklog: number;
  /** When this minute's midnight came (epoch ms, the bench's clock). */
  midnightAt: number;
  /** Grants ending at this minute's midnight, and their GRANT_EXPIRED events consumed in the 30 s after it. */
  expiriesDue: number;
  expiriesConsumed: number;
  lastExpiryAfterMidnightS: number | null;
  /** From a command's answer to its event at the bench's consumer; filled in at the end. */
  eventLagP99Ms: number | null;
  eventsMissing: number;
}

export interface SoakVerdict {
  warmUpMinutes: number;
  rssGrowthMbPer10Min: number | null;
  readP99RiseMs: number | null;
  eventLagP99RiseMs: number | null;
  errors: number;
  eventsMissing: number;
  maxOutboxBacklog: number;
  expiriesMissed: number;
  /** Each rule and whether it held. */
  held: Record<string, boolean>;
}

/** Least-squares slope of y over x (per unit of x); null with fewer than 3 points. */
function slope(points: Array<[number, number]>): number | null {
  if (points.length < 3) return null;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? null : points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * The soak's rules, judged on the minutes after the warm-up (the first 5, or the first third of a
 * shorter soak): RSS grows by at most 1 MB per 10 minutes (the fitted line's slope); read and
 * event-lag p99 do not trend upward (the fitted line rises over those minutes by at most a fifth
 * of their median, or 2 ms); no errors and no event missing; the outbox backlog at each minute's
 * end at most one relay batch; every expiry due at a midnight consumed within the 30 s after it.
 */
export function soakVerdict(minutes: SoakMinute[], relayBatchSize: number): SoakVerdict {
  const warmUpMinutes = Math.min(5, Math.floor(minutes.length / 3));
  const after = minutes.slice(warmUpMinutes);
  const rise = (value: (m: SoakMinute) => number | null): number | null => {
    const points = after.flatMap((m): Array<[number, number]> => (value(m) === null ? [] : [[m.minute, value(m)!]]));
    const s = slope(points);
    return s === null ? null : round1(s * (points.length - 1));
  };
  const rssSlope = slope(after.map((m) => [m.minute, m.rssMb]));
  const rssGrowthMbPer10Min = rssSlope === null ? null : round1(rssSlope * 10);
  const readP99RiseMs = rise((m) => m.readP99Ms);
  const eventLagP99RiseMs = rise((m) => m.eventLagP99Ms);
  const allowedRise = (values: Array<number | null>) => Math.max(2, median(values.filter((v): v is number => v !== null)) / 5);
  const errors = minutes.reduce((a, m) => a + m.errors, 0);
  const eventsMissing = minutes.reduce((a, m) => a + m.eventsMissing, 0);
  const maxOutboxBacklog = Math.max(0, ...minutes.map((m) => m.outboxBacklog));
  const expiriesMissed = minutes.reduce((a, m) => a + Math.max(0, m.expiriesDue - m.expiriesConsumed), 0);
  return {
    warmUpMinutes,
    rssGrowthMbPer10Min,
    readP99RiseMs,
    eventLagP99RiseMs,
    errors,
    eventsMissing,
    maxOutboxBacklog,
    expiriesMissed,
    held: {
      'rss_growth ≤ 1 MB / 10 min': rssGrowthMbPer10Min !== null && rssGrowthMbPer10Min <= 1,
      'read p99 not rising': readP99RiseMs !== null && readP99RiseMs <= allowedRise(after.map((m) => m.readP99Ms)),
      'event lag p99 not rising': eventLagP99RiseMs !== null && eventLagP99RiseMs <= allowedRise(after.map((m) => m.eventLagP99Ms)),
      'no errors, no event missing': errors === 0 && eventsMissing === 0,
      [`outbox backlog ≤ ${relayBatchSize}`]: maxOutboxBacklog <= relayBatchSize,
      'every expiry within 30 s of its midnight': expiriesMissed === 0,
    },
  };
}

/** The per-minute table (Markdown, for docs/performance.md) and the verdict. */
export function soakTable(minutes: SoakMinute[], verdict: SoakVerdict): string {
  const cell = (v: number | null) => (v === null ? '–' : String(v));
  const lines = [
    '| minute | RSS MB | read p99 ms | reads/s | command p99 ms | commands/s | event lag p99 ms | errors | outbox backlog | expiries (due) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...minutes
      .map((m) =>
        [
          m.minute,
          m.rssMb,
          m.readP99Ms,
          m.readsPerS,
          m.commandP99Ms,
          m.commandsPerS,
          cell(m.eventLagP99Ms),
          m.errors + m.eventsMissing,
          m.outboxBacklog,
          `${m.expiriesConsumed} (${m.expiriesDue})`,
        ].join(' | '),
      )
      .map((row) => `| ${row} |`),
    '',
    `after ${verdict.warmUpMinutes} warm-up minutes: RSS ${cell(verdict.rssGrowthMbPer10Min)} MB / 10 min, read p99 rise ${cell(verdict.readP99RiseMs)} ms, ` +
      `event lag p99 rise ${cell(verdict.eventLagP99RiseMs)} ms, ${verdict.errors} errors, ${verdict.eventsMissing} events missing, ` +
      `outbox backlog at most ${verdict.maxOutboxBacklog}, ${verdict.expiriesMissed} expiries late`,
    ...Object.entries(verdict.held).map(([rule, held]) => `${held ? 'held' : 'MISSED'}: ${rule}`),
    '',
  ];
  return lines.join('\n');
}
