import { anApproveResidentRequest } from '../builders/requests';
import { healthClient, waitForHealth } from '../support/health-client';
import { scrapeMetrics } from '../support/metrics-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { ownKafka } from '../support/stack-instance';
import { uniqueName } from '../support/test-env';
import { eventually, eventuallyPasses } from '../support/eventually';
import { viewMismatches } from '../support/views-match-access';

const PUBLISHING = 'residentaccess.v1.EventPublishing';

describe('Kafka down', () => {
  let kafka: Awaited<ReturnType<typeof ownKafka>>;
  let sut: ServiceUnderTest | undefined;

  beforeAll(async () => {
    kafka = await ownKafka(uniqueName('outage'));
    await kafka.start();
  });
  afterAll(async () => {
    await sut?.stop();
    await kafka.destroy();
  });

  it('keeps accepting commands, reports publishing NOT_SERVING, and publishes everything once Kafka is back', async () => {
    sut = await startServiceUnderTest({ env: { KAFKA_BROKERS: kafka.brokers } });
    const health = healthClient(sut.service.port);
    expect(await waitForHealth(health, PUBLISHING, 'SERVING')).toBe('SERVING');
    await sut.events.stop();

    // SIGKILL: no controlled shutdown, no leadership handed over; it restarts on the same data.
    await kafka.kill();
    expect(await waitForHealth(health, PUBLISHING, 'NOT_SERVING')).toBe('NOT_SERVING');
    // The service itself stays SERVING: commands are accepted and their events wait in the outbox.
    expect(await waitForHealth(health, '', 'SERVING')).toBe('SERVING');

    const clinicId = await sut.givenClinic();
    const staff = await sut.staff(clinicId);
    const requests = Array.from({ length: 5 }, () => anApproveResidentRequest({ clinicId }));
    for (const r of requests) await expect(staff.approveResident(r)).resolves.toMatchObject({ changed: true });
    for (const r of requests) {
      const doc = await sut.access.findOne({ _id: `${r.clinicId}|${r.personalIdentityNumber}` });
      expect(doc?.outbox).toHaveLength(1);
    }

    // Operators see the backlog and how long it has waited (once the gauges are next sampled).
    const service = sut;
    await eventuallyPasses(
      async () => {
        const during = await scrapeMetrics(service.service.metricsPort);
        expect(during.value('resident_access_outbox_backlog_documents', 'kind="access"')).toBeGreaterThanOrEqual(requests.length);
        expect(during.value('resident_access_outbox_oldest_event_age_seconds', 'kind="access"')).toBeGreaterThan(0);
      },
      { what: 'the backlog and its age in the metrics' },
    );

    // The audit trail is written before publishing, so it is complete even while Kafka is down.
    const audit = sut.db.collection('audit');
    await eventually(async () => (await audit.countDocuments({ clinicId })) >= requests.length, { what: 'an audit entry per change', timeoutMs: 20_000 });
    expect(await audit.countDocuments({ clinicId })).toBe(requests.length);

    await kafka.start();
    expect(await waitForHealth(health, PUBLISHING, 'SERVING', 60000)).toBe('SERVING');
    await sut.events.start();
    await eventually(() => requests.every((r) => service.events.events.some((e) => e.value.requestId === r.requestId)), { what: 'an event for every change', timeoutMs: 60_000 });
    await eventually(async () => (await scrapeMetrics(service.service.metricsPort)).value('resident_access_outbox_backlog_documents', 'kind="access"') === 0, {
      what: 'the backlog gauge back to 0',
    });
    // Every retry while Kafka was down recorded the same entries again: still one per change.
    expect(await sut.db.collection('audit').countDocuments({ clinicId })).toBe(requests.length);
    await eventually(async () => (await sut!.access.countDocuments({ outboxPending: true })) === 0, { what: 'the outbox to drain', timeoutMs: 60_000 });
    expect(await viewMismatches(sut.db)).toEqual([]);
    health.close();
  });

  it('a stop while Kafka is down frees the leases of what is left at once', async () => {
    // The clock stands still: a lease left behind would never end, so only a freed one lets another instance send.
    const stopping = await startServiceUnderTest({ env: { KAFKA_BROKERS: kafka.brokers }, clock: { now: () => new Date('2027-02-01T09:00:00Z') } });
    const clinicId = await stopping.givenClinic();
    await stopping.events.stop();
    await kafka.kill();
    const staff = await stopping.staff(clinicId);
    const requests = Array.from({ length: 5 }, () => anApproveResidentRequest({ clinicId }));
    for (const r of requests) await staff.approveResident(r);
    await eventually(async () => ((await scrapeMetrics(stopping.service.metricsPort)).value('resident_access_event_publish_failures_total', 'kind="access"') ?? 0) > 0, {
      what: 'a failed send',
      timeoutMs: 60_000,
    });

    await stopping.service.stop();
    const access = stopping.db.collection('access');
    expect(await access.countDocuments({ clinicId, outboxPending: true })).toBe(requests.length);
    expect(await access.countDocuments({ clinicId, relayLease: { $ne: null } })).toBe(0);
    await stopping.stop();
    await kafka.start();
  });
});
