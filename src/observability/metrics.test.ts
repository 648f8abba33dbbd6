import { ServiceMetrics } from './metrics';

const emptyOutbox = async () => ({ pendingDocuments: 0, oldestPendingSince: null });

function metricsWith(overrides: Partial<ConstructorParameters<typeof ServiceMetrics>[0]> = {}): ServiceMetrics {
  return new ServiceMetrics({
    outboxBacklog: { access: emptyOutbox, settings: emptyOutbox },
    bulkJobsRunning: () => ({ removal: 0, withdrawal: 0 }),
    ...overrides,
  });
}

describe('ServiceMetrics', () => {
  it('reads each outbox backlog and the bulk jobs running at scrape time, by kind', async () => {
    const metrics = metricsWith({
      outboxBacklog: {
        access: async () => ({ pendingDocuments: 3, oldestPendingSince: new Date(Date.now() - 120_000) }),
        settings: async () => ({ pendingDocuments: 1, oldestPendingSince: null }),
      },
      bulkJobsRunning: () => ({ removal: 2, withdrawal: 1 }),
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('resident_access_outbox_backlog_documents{kind="access"} 3');
    expect(text).toContain('resident_access_outbox_backlog_documents{kind="settings"} 1');
    expect(text).toMatch(/resident_access_outbox_oldest_event_age_seconds\{kind="access"\} 12\d/);
    expect(text).toContain('resident_access_outbox_oldest_event_age_seconds{kind="settings"} 0');
    expect(text).toContain('resident_access_bulk_jobs_running{kind="removal"} 2');
    expect(text).toContain('resident_access_bulk_jobs_running{kind="withdrawal"} 1');
  });

  it('counts each kind of event apart, with its lag from being written to the ack', async () => {
    const metrics = metricsWith();
    const ackedAt = new Date('2026-06-01T10:00:10Z');
    metrics.relay('access').published([{ occurredAt: new Date('2026-06-01T10:00:00Z') }, { occurredAt: new Date('2026-06-01T10:00:09Z') }], ackedAt);
    metrics.relay('settings').failed();
    const text = await metrics.registry.metrics();
    expect(text).toContain('resident_access_events_published_total{kind="access"} 2');
    expect(text).toContain('resident_access_events_published_total{kind="settings"} 0');
    expect(text).toContain('resident_access_event_publish_failures_total{kind="settings"} 1');
    expect(text).toContain('resident_access_event_publish_lag_seconds_sum{kind="access"} 11');
    expect(text).toContain('resident_access_event_publish_lag_seconds_bucket{le="1",kind="access"} 1');
    expect(text).toContain('resident_access_event_publish_lag_seconds_bucket{le="10",kind="access"} 2');
  });

  it('keeps the register lag of the partitions held now, forgetting them on a reassignment', async () => {
    const metrics = metricsWith();
    metrics.registerConsumer.behind(0, 40);
    metrics.registerConsumer.behind(2, 0);
    let text = await metrics.registry.metrics();
    expect(text).toContain('resident_access_register_consumer_lag_messages{partition="0"} 40');
    expect(text).toContain('resident_access_register_consumer_lag_messages{partition="2"} 0');
    metrics.registerConsumer.reassigned();
    text = await metrics.registry.metrics();
    expect(text).not.toContain('resident_access_register_consumer_lag_messages{');
  });

  it('names the default process metrics without a prefix', async () => {
    const names = (await metricsWith().registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']));
    expect(names.filter((n) => n.startsWith('resident_access_process') || n.startsWith('resident_access_nodejs'))).toEqual([]);
  });
});
