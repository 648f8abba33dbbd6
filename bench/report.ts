import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../src/config/config';
import type { LoadResult } from './load';

/**
 * One relay batch: the service's default RELAY_BATCH_SIZE (src/relay/settings.ts), which every
 * service process of the bench runs with (bench/service-process.ts passes the child no other).
 */
export const RELAY_BATCH_SIZE: number = configSchema.shape.RELAY_BATCH_SIZE.parse(undefined);

/**
 * The figures of issues 5, 9 and 10 (each a number, or null when the step did not produce one), and
 * a few more. `entitlements_p99_ms` is at the reads' concurrency (32), as it always was;
 * `entitlements_p99_ms_at_8` is at 8 in flight (issue 9's target), and `entitlements_p99_growth`
 * is `entitlements_p99_ms_at_8_10x` (10× the residents) ÷ `entitlements_p99_ms_at_8`.
 * `relay_vs_write` and `relay_backlog_docs` are defined in bench/relay-rate.ts,
 * `bulk_removal_per_s` and `bulk_removal_vs_raw` in bench/bulk-removal.ts, `import_per_s` and
 * `import_vs_raw` in bench/import.ts.
 */
export const FIGURE_KEYS = [
  'raw_ops_per_s',
  'service_ops_per_s',
  'service_vs_raw',
  'grant_ops_per_s',
  'grant_vs_raw',
  'grpc_floor_ops_per_s',
  'relay_vs_write',
  'relay_backlog_docs',
  'check_ops_per_s',
  'check_vs_raw',
  'check_p99_ms',
  'entitlements_ops_per_s',
  'entitlements_vs_raw',
  'entitlements_p99_ms',
  'entitlements_p99_ms_at_8',
  'entitlements_p99_ms_at_8_10x',
  'entitlements_p99_growth',
  'view_staleness_p99_ms',
  'raw_view_p99_ms_at_8',
  'access_log_entries_per_s',
  'raw_view_p99_growth',
  'event_lag_p50_ms',
  'event_lag_p99_ms',
  'expiry_burst_s',
  'expiry_vs_raw',
  'bulk_removal_per_s',
  'bulk_removal_vs_raw',
  'import_per_s',
  'import_vs_raw',
  'peak_rss_mb',
  'bench_process_peak_rss_mb',
] as const;
export type Figures = Record<(typeof FIGURE_KEYS)[number], number | null>;

/**
 * Issue 19's targets among them: with one conditional `updateOne({_id, revision})` per change on
 * every server, the service's writes reach 0.8 of the raw driver's, the expiry and the bulk
 * removal half of it, and 10 000 grants ending at one midnight are expired (their events consumed)
 * within 30 s (`expiry_burst_s`, full mode; quick mode expires 200).
 */
export const TARGETS: Partial<Record<keyof Figures, { min?: number; max?: number }>> = {
  service_vs_raw: { min: 0.8 },
  relay_vs_write: { min: 1.0 },
  relay_backlog_docs: { max: RELAY_BATCH_SIZE },
  check_vs_raw: { min: 0.5 },
  entitlements_vs_raw: { min: 0.5 },
  entitlements_p99_ms_at_8: { max: 20 },
  entitlements_p99_growth: { max: 1.5 },
  view_staleness_p99_ms: { max: 100 },
  event_lag_p99_ms: { max: 50 },
  expiry_burst_s: { max: 30 },
  expiry_vs_raw: { min: 0.5 },
  bulk_removal_vs_raw: { min: 0.5 },
  import_vs_raw: { min: 0.5 },
  peak_rss_mb: { max: 200 },
};

export function machine() {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu_model: cpus[0]?.model ?? 'unknown',
    cpu_count: cpus.length,
    total_memory_mb: Math.round(os.totalmem() / 1024 / 1024),
    /** The bench's own Node; the service's is `service_node` in the report. */
    node: process.version,
  };
}

/** Writes `report` as bench/results/`name` (git-ignored); answers the file's path. */
export function writeResults(report: object, name = 'latest.json'): string {
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

const fmt = (n: number | null | undefined, digits = 1): string => (n === null || n === undefined ? 'not measured' : n.toFixed(digits));

/** The stdout table: every run, then every figure with its target. */
export function table(opts: { title: string; runs: Array<{ name: string; result: LoadResult }>; figures: Figures; notes: string[] }): string {
  const lines: string[] = [opts.title, ''];
  lines.push('run                             in flight    ops/s   p50 ms   p99 ms p99.9 ms  errors');
  for (const { name, result: r } of opts.runs) {
    lines.push(
      `${name.padEnd(31)} ${String(r.concurrency ?? `${r.targetRate}/s`).padStart(9)} ${r.opsPerS.toFixed(1).padStart(8)} ${r.p50Ms
        .toFixed(2)
        .padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)} ${r.p999Ms.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)}`,
    );
  }
  lines.push('');
  lines.push('figure                       value          target      met');
  for (const key of FIGURE_KEYS) {
    const t = TARGETS[key];
    const v = opts.figures[key];
    const text = !t ? '' : t.min !== undefined ? `>= ${t.min}` : `<= ${t.max}`;
    const met = !t ? '' : v === null ? '-' : (t.min !== undefined ? v >= t.min : v <= (t.max ?? Infinity)) ? 'yes' : 'NO';
    lines.push(`${key.padEnd(28)} ${fmt(v, key.includes('_vs_') || key.endsWith('_growth') ? 2 : key.endsWith('_docs') ? 0 : 1).padEnd(14)} ${text.padEnd(11)} ${met}`.trimEnd());
  }
  return `${[...lines, ...opts.notes].join('\n')}\n`;
}
