import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import { scrapeMetrics } from '../support/metrics-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

describe('operator metrics on /metrics', () => {
  let sut: ServiceUnderTest;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
  });
  afterAll(async () => {
    await sut.stop();
  });

  it('counts published events and RPCs, shows an empty outbox once published, and holds no personal data', async () => {
    const clinicId = await sut.givenClinic();
    const staff = await sut.staff(clinicId);
    const resident = aResident();
    const before = (await scrapeMetrics(sut.service.metricsPort)).value('resident_access_events_published_total') ?? 0;

    const r = { clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' };
    await staff.approveResident(r);
    await sut.events.waitFor((e) => e.value.requestId === r.requestId);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the 1 s cache of outbox stats

    const metrics = await scrapeMetrics(sut.service.metricsPort);
    expect(metrics.value('resident_access_events_published_total')).toBeGreaterThanOrEqual(before + 1);
    expect(metrics.value('resident_access_rpc_duration_seconds_count', 'method="ApproveResident",code="OK"')).toBeGreaterThanOrEqual(1);
    expect(metrics.value('resident_access_outbox_backlog_documents')).toBe(0);
    expect(metrics.value('resident_access_outbox_oldest_event_age_seconds')).toBe(0);
    expect(metrics.text).toContain('resident_access_grants_expired_total');
    expect(metrics.text).toContain('resident_access_process_resident_memory_bytes');
    expect(metrics.text).not.toContain(resident.slice(2));
    expect(metrics.text).not.toContain(clinicId);
  });
});
