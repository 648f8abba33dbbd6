import { Kafka as CloudEventsKafka } from 'cloudevents';
import { randomUUID } from 'node:crypto';
import { AccessView, type AccessEvent } from '../../examples/access-view/access-view';
import { aResident } from '../builders/identity';
import type { Api } from '../support/grpc-client';
import type { ConsumedEvent } from '../support/event-consumer';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

describe('what downstream consumers receive', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
    clinicId = await sut.givenClinic({
      caseTypes: [
        { id: 'general', name: 'General', restricted: false },
        { id: 'restricted-1', name: 'Restricted', restricted: true },
      ],
    });
    staff = await sut.staff(clinicId);
  });
  afterAll(async () => {
    await sut.stop();
  });

  const eventsOf = (resident: string) => sut.events.events.filter((e) => (e.value.access as { personalIdentityNumber: string }).personalIdentityNumber === resident);

  it('every published message is a valid CloudEvent 1.0 in Kafka binary mode (official SDK)', async () => {
    const resident = aResident();
    const r = { clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' };
    await staff.approveResident(r);
    const [message] = await sut.events.waitFor((e) => e.value.requestId === r.requestId);

    const event = CloudEventsKafka.toEvent({
      key: message!.key,
      headers: message!.headers,
      body: JSON.stringify(message!.value),
      value: JSON.stringify(message!.value),
      timestamp: String(Date.now()),
    } as never) as unknown as { validate(): boolean; specversion: string; id: string; type: string; subject: string; data: unknown };

    expect(event.validate()).toBe(true);
    expect(event).toMatchObject({ specversion: '1.0', id: message!.value.eventId, type: 'se.residentaccess.v1.AccessChanged' });
    expect(event.subject).not.toContain(resident.slice(2));
  });

  it("the example consumer's view follows staff actions and drops duplicates and stale versions", async () => {
    const resident = aResident();
    const view = new AccessView();
    const feed = (events: ConsumedEvent[]) => events.map((e) => view.apply(e as unknown as AccessEvent));
    const act = async (call: Promise<unknown>, count: number) => {
      await call;
      return feed((await sut.events.waitFor((e) => eventsOf(resident).includes(e), count)).slice(count - 1));
    };

    expect(await act(staff.approveResident({ clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' }), 1)).toEqual(['applied']);
    expect(view.of(resident)).toEqual({ [clinicId]: { approved: true, grants: {}, version: 1 } });

    await act(staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate: '2099-12-31', requestId: randomUUID(), etag: '' }), 2);
    expect(view.of(resident)[clinicId]).toEqual({ approved: true, grants: { 'restricted-1': '2099-12-31' }, version: 2 });

    await act(staff.removeApproval({ clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' }), 3);
    expect(view.of(resident)[clinicId]).toMatchObject({ approved: false, version: 3 });

    await act(staff.removeGrant({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', requestId: randomUUID(), etag: '' }), 4);
    expect(view.of(resident)).toEqual({});

    // Redelivery (at least once): every event again, then an old one re-sent under a new id.
    const all = eventsOf(resident);
    expect(feed(all)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    const replayed = { ...all[0]!, headers: { ...all[0]!.headers, ce_id: randomUUID() } };
    expect(feed([replayed])).toEqual(['stale']);
    expect(view.of(resident)).toEqual({});
  });

  it("the example consumer's view leaves out a pending grant until the event that starts it", async () => {
    const resident = aResident();
    const view = new AccessView();
    const act = async (call: Promise<unknown>, count: number) => {
      await call;
      const events = (await sut.events.waitFor((e) => eventsOf(resident).includes(e), count)).slice(count - 1);
      return events.map((e) => view.apply(e as unknown as AccessEvent));
    };
    const grant = { clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilFurtherNotice: true, etag: '' };

    await act(staff.grantCaseType({ ...grant, firstDay: '2099-01-01', requestId: randomUUID() }), 1);
    expect(view.of(resident)).toEqual({ [clinicId]: { approved: false, grants: {}, version: 1 } });

    await act(staff.changeGrant({ ...grant, startNow: true, requestId: randomUUID() }), 2);
    expect(view.of(resident)).toEqual({ [clinicId]: { approved: false, grants: { 'restricted-1': '' }, version: 2 } });
  });
});
