import { Kafka as CloudEventsKafka } from 'cloudevents';
import { randomUUID } from 'node:crypto';
import { EventConsumer } from '../support/event-consumer';
import { eventuallyPasses } from '../support/eventually';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

describe('clinic-settings-changed events', () => {
  let sut: ServiceUnderTest;
  let settingsEvents: EventConsumer;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
    settingsEvents = await new EventConsumer(sut.env.KAFKA_BROKERS!, sut.env.KAFKA_SETTINGS_TOPIC!).start();
  });
  afterAll(async () => {
    await settingsEvents.stop();
    await sut.stop();
  });

  it('publishes the whole settings after each change, keyed by clinic, in version order; no-ops publish nothing', async () => {
    const clinicId = await sut.givenClinic({ caseTypes: [{ id: 'general', name: 'General', restricted: false }] });
    const admin = await sut.admin(clinicId);
    const area = { regionCode: '01', municipalityCodes: ['0180'], sex: 0, minAge: 0, maxAge: 0 };
    await admin.setServiceArea({ clinicId, serviceArea: area, requestId: randomUUID(), etag: '' });
    await admin.setServiceArea({ clinicId, serviceArea: area, requestId: randomUUID(), etag: '' }); // no-op
    await admin.removeCaseType({ clinicId, caseTypeId: 'general', requestId: randomUUID(), etag: '' });

    const events = await settingsEvents.waitFor((e) => e.key === clinicId, 3);
    expect(events.map((e) => [e.value.cause, Number(e.value.version)])).toEqual([
      ['CLINIC_SETTINGS_CHANGE_CAUSE_CASE_TYPE_PUT', 1],
      ['CLINIC_SETTINGS_CHANGE_CAUSE_SERVICE_AREA_SET', 2],
      ['CLINIC_SETTINGS_CHANGE_CAUSE_CASE_TYPE_REMOVED', 3],
    ]);
    expect(events[1]!.value).toMatchObject({ actor: 'admin-1', settings: { clinicId, serviceArea: { regionCode: '01', municipalityCodes: ['0180'] } } });
    expect(events[2]!.headers).toMatchObject({ ce_type: 'se.residentaccess.v1.ClinicSettingsChanged', ce_subject: `clinics/${clinicId}` });
    const cloudEvent = CloudEventsKafka.toEvent({
      key: events[2]!.key,
      headers: events[2]!.headers,
      body: JSON.stringify(events[2]!.value),
      value: JSON.stringify(events[2]!.value),
    } as never) as unknown as { validate(): boolean };
    expect(cloudEvent.validate()).toBe(true);

    // One more change: its event comes after any the no-op could have published, on the same key.
    await admin.putCaseType({ clinicId, caseType: { id: 'marker', name: 'Marker', restricted: false }, requestId: randomUUID(), etag: '' });
    const withMarker = await settingsEvents.waitFor((e) => e.key === clinicId && e.value.cause === 'CLINIC_SETTINGS_CHANGE_CAUSE_CASE_TYPE_PUT' && Number(e.value.version) === 4);
    expect(withMarker).toHaveLength(1);
    expect(settingsEvents.events.filter((e) => e.key === clinicId).map((e) => Number(e.value.version))).toEqual([1, 2, 3, 4]);
    await eventuallyPasses(
      async () => expect(await sut.db.collection('clinics').findOne({ _id: clinicId as never })).toMatchObject({ outbox: [], outboxPending: false, lastChange: { actor: 'admin-1' } }),
      {
        what: "the clinic's outbox emptied",
      },
    );
  });
});
