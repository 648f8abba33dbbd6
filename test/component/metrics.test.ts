import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { aResident } from '../builders/identity';
import { scrapeMetrics, type Scrape } from '../support/metrics-client';
import { exprsIn, metricNamesIn } from '../support/promql-metric-names';
import { registerResidents } from '../support/population-register';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { eventually } from '../support/eventually';

const STAFF_SERVICE = 'residentaccess.v1.ResidentAccessService';
const SETTINGS_SERVICE = 'residentaccess.v1.ClinicSettingsService';
const deploy = join(__dirname, '..', '..', 'deploy');

describe('operator metrics on /metrics', () => {
  let sut: ServiceUnderTest;
  const scrape = () => scrapeMetrics(sut.service.metricsPort);
  /** Polls /metrics until `holds` does, and answers that scrape. */
  const scrapeUntil = async (what: string, holds: (m: Scrape) => boolean): Promise<Scrape> => {
    let last = await scrape();
    await eventually(async () => holds((last = await scrape())), { what: what, timeoutMs: 20_000 });
    return last;
  };

  beforeAll(async () => {
    sut = await startServiceUnderTest();
  });
  afterAll(async () => {
    await sut.stop();
  });

  it('counts RPCs by full service, method and status name (go-grpc-prometheus names)', async () => {
    const clinicId = await sut.givenClinic();
    const staff = await sut.staff(clinicId);
    const rpc = { grpc_service: STAFF_SERVICE, grpc_method: 'ApproveResident', grpc_type: 'unary' };
    const before = await scrape();

    await staff.approveResident({ clinicId, personalIdentityNumber: aResident(), requestId: randomUUID(), etag: '' });
    await expect(staff.approveResident({ clinicId, personalIdentityNumber: 'not-a-number', requestId: randomUUID(), etag: '' })).rejects.toMatchObject({ code: 3 });

    const after = await scrape();
    const grew = (name: string, labels: Record<string, string>) => (after.sum(name, labels) ?? 0) - (before.sum(name, labels) ?? 0);
    expect(grew('grpc_server_started_total', rpc)).toBe(2);
    expect(grew('grpc_server_handled_total', { ...rpc, grpc_code: 'OK' })).toBe(1);
    expect(grew('grpc_server_handled_total', { ...rpc, grpc_code: 'INVALID_ARGUMENT' })).toBe(1);
    expect(grew('grpc_server_handling_seconds_count', rpc)).toBe(2);
    expect(after.sum('grpc_server_handling_seconds_bucket', { ...rpc, le: '+Inf' })).toBe(after.sum('grpc_server_handling_seconds_count', rpc));
    expect(after.sum('grpc_server_handled_total', { grpc_service: SETTINGS_SERVICE, grpc_method: 'PutCaseType', grpc_code: 'OK' })).toBeGreaterThanOrEqual(1);
    expect(after.names()).not.toContain('resident_access_rpc_duration_seconds');
  });

  it('counts published events and their lag by kind, shows empty outboxes once published, and a live relay of each kind', async () => {
    const before = await scrape();
    const clinicId = await sut.givenClinic(); // a settings change: one clinic-settings-changed event
    const staff = await sut.staff(clinicId);
    const r = { clinicId, personalIdentityNumber: aResident(), requestId: randomUUID(), etag: '' };
    await staff.approveResident(r);
    await sut.events.waitFor((e) => e.value.requestId === r.requestId);

    const grew = (m: Scrape, name: string, kind: string) => (m.sum(name, { kind }) ?? 0) - (before.sum(name, { kind }) ?? 0);
    const after = await scrapeUntil(
      'both events published and both outboxes empty',
      (m) =>
        grew(m, 'resident_access_events_published_total', 'access') >= 1 &&
        grew(m, 'resident_access_events_published_total', 'settings') >= 1 &&
        m.sum('resident_access_outbox_backlog_documents', { kind: 'access' }) === 0 &&
        m.sum('resident_access_outbox_backlog_documents', { kind: 'settings' }) === 0,
    );
    for (const kind of ['access', 'settings']) {
      expect(grew(after, 'resident_access_event_publish_lag_seconds_count', kind)).toBe(grew(after, 'resident_access_events_published_total', kind));
      expect(after.sum('resident_access_outbox_oldest_event_age_seconds', { kind })).toBe(0);
      expect(after.sum('resident_access_event_publish_failures_total', { kind })).toBe(0);
      // Unix seconds of the relay's last turn: within the last minute of this machine's clock.
      expect(after.sum('resident_access_relay_heartbeat_timestamp_seconds', { kind })).toBeGreaterThan(Date.now() / 1000 - 60);
    }
    expect(after.names()).toContain('resident_access_grants_expired_total');
    expect(after.names()).toContain('resident_access_expiry_lag_seconds');
  });

  it('shows how far behind the population-register topic the consumer is, per partition', async () => {
    const residents = [aResident(), aResident()].map((personalIdentityNumber) => ({ personalIdentityNumber, regionCode: '01', municipalityCode: '0180' }));
    await registerResidents(sut.env, sut.db, residents);

    const after = await scrapeUntil('a register lag sample', (m) => m.sum('resident_access_register_consumer_lag_messages') !== undefined);
    // Every message read (the views hold them): nothing is behind.
    expect(after.sum('resident_access_register_consumer_lag_messages')).toBe(0);
    expect(after.text).toMatch(/^resident_access_register_consumer_lag_messages\{partition="\d+"\} 0$/m);
  });

  it('shows bulk jobs running by kind, default process metrics under their conventional names, and no personal data', async () => {
    const clinicId = await sut.givenClinic();
    const resident = aResident();
    await (await sut.staff(clinicId)).approveResident({ clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' });

    const metrics = await scrape();
    expect(metrics.sum('resident_access_bulk_jobs_running', { kind: 'removal' })).toBe(0);
    expect(metrics.sum('resident_access_bulk_jobs_running', { kind: 'withdrawal' })).toBe(0);
    expect(metrics.names()).toContain('process_cpu_seconds_total');
    expect(metrics.names()).toContain('process_resident_memory_bytes');
    expect(metrics.names()).toContain('nodejs_heap_size_used_bytes');
    expect(metrics.text).not.toContain('resident_access_process_');
    expect(metrics.text).not.toContain('resident_access_nodejs_');
    expect(metrics.text).not.toContain(resident.slice(2));
    expect(metrics.text).not.toContain(clinicId);
  });

  it('exports every metric the dashboard and the alert rules read', async () => {
    const exprs = [
      ...exprsIn(JSON.parse(readFileSync(join(deploy, 'grafana', 'resident-access.json'), 'utf8'))),
      ...exprsIn(parse(readFileSync(join(deploy, 'prometheus', 'alerts.yaml'), 'utf8'))),
    ];
    const exported = (await scrape()).names();
    // A histogram is described once, by its base name; its series add _bucket, _sum and _count.
    const missing = exprs.flatMap(metricNamesIn).filter((name) => !exported.has(name) && !exported.has(name.replace(/_(bucket|sum|count)$/, '')));
    expect(missing).toEqual([]);
  });
});
