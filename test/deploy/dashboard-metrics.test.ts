import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ServiceMetrics } from '../../src/observability/metrics';
import { exprsIn, metricNamesIn } from '../support/promql-metric-names';
import { promtool, promtoolPath } from '../support/go-tools';

const deploy = join(__dirname, '..', '..', 'deploy');
const dashboard = JSON.parse(readFileSync(join(deploy, 'grafana', 'resident-access.json'), 'utf8')) as unknown;
const alerts = parse(readFileSync(join(deploy, 'prometheus', 'alerts.yaml'), 'utf8')) as unknown;

const emptyOutbox = async () => ({ pendingDocuments: 0, oldestPendingSince: null });

/** Every name the service's registry exports, with a histogram's series suffixes. */
async function exportedNames(): Promise<Set<string>> {
  const metrics = new ServiceMetrics({ outboxBacklog: { access: emptyOutbox, settings: emptyOutbox }, bulkJobsRunning: () => ({ removal: 0, withdrawal: 0 }) });
  const described = await metrics.registry.getMetricsAsJSON();
  return new Set(described.flatMap((m) => (m.type.toString() === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => `${m.name}${s}`) : [m.name])));
}

const sources = [
  ['deploy/grafana/resident-access.json', exprsIn(dashboard)],
  ['deploy/prometheus/alerts.yaml', exprsIn(alerts)],
] as const;

describe('dashboard and alert expressions', () => {
  it('reads metric names from PromQL (the helper the checks below rely on)', () => {
    expect(metricNamesIn('histogram_quantile(0.99, sum by (kind, le) (rate(a_bucket{job=~"$job",x="y z"}[$__rate_interval]))) / on (kind) b_total > bool 0 and time() - c')).toEqual([
      'a_bucket',
      'b_total',
      'c',
    ]);
  });

  it.each(sources.map(([file, exprs]) => [file, exprs] as const))('%s uses only metrics the service exports', async (_file, exprs) => {
    const exported = await exportedNames();
    expect(exprs.length).toBeGreaterThan(0);
    const unknown = exprs.flatMap(metricNamesIn).filter((name) => !exported.has(name));
    expect(unknown).toEqual([]);
  });

  it('the dashboard shows RPCs, outbox, relay, expiry, register lag, bulk jobs and process memory and CPU', () => {
    const used = new Set(exprsIn(dashboard).flatMap(metricNamesIn));
    for (const name of [
      'grpc_server_handled_total',
      'grpc_server_handling_seconds_bucket',
      'resident_access_outbox_backlog_documents',
      'resident_access_outbox_oldest_event_age_seconds',
      'resident_access_events_published_total',
      'resident_access_event_publish_lag_seconds_bucket',
      'resident_access_expiry_lag_seconds_bucket',
      'resident_access_register_consumer_lag_messages',
      'resident_access_bulk_jobs_running',
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
    ])
      expect(used).toContain(name);
  });

  it(
    'every dashboard expression is valid PromQL (`promtool check rules` on them as recording rules)',
    () => {
      const bin = promtoolPath();
      const dir = mkdtempSync(join(tmpdir(), 'dashboard-promql-'));
      try {
        // Grafana's variables as Prometheus would see them once Grafana filled them in.
        const rules = exprsIn(dashboard).map((expr, i) => ({ record: `dashboard:expr_${i}`, expr: expr.replaceAll('$__rate_interval', '5m').replaceAll('$job', '.+') }));
        writeFileSync(join(dir, 'dashboard.yaml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
        const run = promtool(bin, ['check', 'rules', 'dashboard.yaml'], dir);
        expect(run.output).toContain('SUCCESS');
        expect(run.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    20 * 60_000,
  );
});
