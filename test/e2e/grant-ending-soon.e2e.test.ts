import { randomUUID } from 'node:crypto';
import { AccessChangeCause } from '../../src/gen/residentaccess/v1/events';
import { aResident } from '../builders/identity';
import type { ConsumedEvent } from '../support/event-consumer';
import type { Api } from '../support/grpc-client';
import { scrapeMetrics } from '../support/metrics-client';
import { startWithClinic, type ServiceUnderTest } from '../support/service-under-test';

/** The service's clock: the test moves it (forward only); the service asks it for "now" everywhere. */
const clock = { current: new Date('2027-03-20T09:00:00Z'), now: () => new Date(clock.current) };
const ENDING_SOON = 'ACCESS_CHANGE_CAUSE_GRANT_ENDING_SOON';
const GRANT_ENDING_SOON_AUDIT_ACTION = AccessChangeCause.ACCESS_CHANGE_CAUSE_GRANT_ENDING_SOON;

/**
 * With 14 days set, a grant "until D" is reminded of once, at 00:00 Europe/Stockholm of D − 14,
 * through the outbox on the resident's key. Cases in time order, as the clock only moves forward.
 */
describe('GRANT_ENDING_SOON reaches Kafka once per grant and end date', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let offClinicId: string;
  let staff: Api;
  let offStaff: Api;
  let admin: Api;
  beforeAll(async () => {
    const restricted = [{ id: 'restricted-1', name: 'Restricted', restricted: true }];
    ({ sut, clinicId, staff } = await startWithClinic(restricted, { clock, env: { EXPIRY_POLL_INTERVAL_MS: '100' } }));
    admin = await sut.admin(clinicId);
    await admin.setGrantEndingSoonDays({ clinicId, grantEndingSoonDays: 14, requestId: randomUUID(), etag: '' });
    // A clinic that left the setting at its default: no reminders.
    offClinicId = await sut.givenClinic({ caseTypes: restricted });
    offStaff = await sut.staff(offClinicId);
  });
  afterAll(async () => {
    await sut.stop();
  });

  const grant = (api: Api, clinic: string, resident: string, untilDate: string) =>
    api.grantCaseType({ clinicId: clinic, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate, requestId: randomUUID(), etag: '' });
  const residentOf = (e: ConsumedEvent) => (e.value.access as { personalIdentityNumber?: string }).personalIdentityNumber;
  const clinicOf = (e: ConsumedEvent) => (e.value.access as { clinicId?: string }).clinicId;
  const eventsOf = (clinic: string, resident: string) => sut.events.events.filter((e) => clinicOf(e) === clinic && residentOf(e) === resident);
  const remindersOf = (clinic: string, resident: string) => eventsOf(clinic, resident).filter((e) => e.value.cause === ENDING_SOON);
  /** The reminder scan names its run by the instant it ran at (and a run id). */
  const remindedAt = (resident: string, instant: Date) =>
    sut.events.waitFor((e) => String(e.value.requestId).startsWith(`ending-soon:${instant.toISOString()}:`) && residentOf(e) === resident);
  /** A marker's reminder at an instant: every scan at that instant has been seen through. */
  const scanSeenAt = async (instant: Date) => {
    const marker = aResident();
    // The marker's grant is due at once (its last day is within 14 days of every instant here).
    await grant(staff, clinicId, marker, addDaysTo(instant, 2));
    await remindedAt(marker, instant);
  };

  it('the spring DST day: the reminder of a grant ending 2027-04-11 comes at 00:00 on 2027-03-28 (UTC+1), once, on the resident key, changing no access', async () => {
    const [resident, residentElsewhere] = [aResident(), aResident()];
    const granted = await grant(staff, clinicId, resident, '2027-04-11');
    await grant(offStaff, offClinicId, residentElsewhere, '2027-04-11');

    // 23:59:59 on 2027-03-27 in Stockholm: the day before the reminder day.
    const lastSecond = new Date('2027-03-27T22:59:59Z');
    clock.current = lastSecond;
    await scanSeenAt(lastSecond);
    expect(remindersOf(clinicId, resident)).toEqual([]);

    const reminderDay = new Date('2027-03-27T23:00:00Z');
    clock.current = reminderDay;
    const [reminder] = await remindedAt(resident, reminderDay);
    expect(reminder!.value).toMatchObject({
      cause: ENDING_SOON,
      version: 2,
      actor: 'system:ending-soon',
      time: reminderDay.toISOString(),
      endingGrant: { caseTypeId: 'restricted-1', untilDate: '2027-04-11', endsAt: '2027-04-11T22:00:00.000Z' },
      access: { clinicId, version: 2, grants: [{ caseTypeId: 'restricted-1', untilDate: '2027-04-11', endsAt: '2027-04-11T22:00:00.000Z' }] },
    });
    const [grantedEvent] = eventsOf(clinicId, resident);
    expect(reminder!.key).toBe(grantedEvent!.key);
    expect(reminder!.partition).toBe(grantedEvent!.partition);
    // The access is what it was, one version on.
    const now = await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident });
    expect(now.access).toEqual({ ...granted.access, version: 2, etag: 'W/"2"' });
    expect((await sut.access.findOne({ _id: `${clinicId}|${resident}` }))?.grants[0]?.endingSoonSentFor).toEqual(['2027-04-11']);
    const { entries } = await admin.listClinicAuditEntries({ clinicId, personalIdentityNumber: resident, pageSize: 0, pageToken: '' });
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      [3, 'staff-1'],
      [GRANT_ENDING_SOON_AUDIT_ACTION, 'system:ending-soon'],
    ]);

    // Later scans (an hour on, the next day) send nothing more; the clinic with the setting off sends none.
    for (const later of [new Date('2027-03-28T00:00:00Z'), new Date('2027-03-29T06:00:00Z')]) {
      clock.current = later;
      await scanSeenAt(later);
    }
    expect(remindersOf(clinicId, resident)).toHaveLength(1);
    expect(remindersOf(offClinicId, residentElsewhere)).toEqual([]);
    // Operators count them: every reminder so far (the markers' too), each once.
    const published = new Set(sut.events.events.filter((e) => e.value.cause === ENDING_SOON).map((e) => e.value.eventId)).size;
    expect((await scrapeMetrics(sut.service.metricsPort)).value('resident_access_grant_reminders_total')).toBe(published);
  });

  it('ChangeGrant re-arms it: a new end date gets its own reminder on its own day; a move into the window reminds at once', async () => {
    const resident = aResident();
    await grant(staff, clinicId, resident, '2027-04-10');
    const first = await remindedAt(resident, clock.current);
    expect(first[0]!.value).toMatchObject({ version: 2, endingGrant: { untilDate: '2027-04-10' } });

    // Moved beyond the window: nothing until 00:00 on 2027-04-16 (CEST) for the end 2027-04-30.
    await staff.changeGrant({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate: '2027-04-30', requestId: randomUUID(), etag: '' });
    const dayBefore = new Date('2027-04-15T21:59:59Z');
    clock.current = dayBefore;
    await scanSeenAt(dayBefore);
    expect(remindersOf(clinicId, resident)).toHaveLength(1);
    const reminderDay = new Date('2027-04-15T22:00:00Z');
    clock.current = reminderDay;
    const [second] = await remindedAt(resident, reminderDay);
    expect(second!.value).toMatchObject({ version: 4, endingGrant: { untilDate: '2027-04-30', endsAt: '2027-04-30T22:00:00.000Z' } });

    // Moved to a date already within 14 days: reminded on the next scan.
    await staff.changeGrant({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate: '2027-04-20', requestId: randomUUID(), etag: '' });
    const [third] = await sut.events.waitFor((e) => residentOf(e) === resident && e.value.cause === ENDING_SOON && Number(e.value.version) === 6);
    expect(third!.value).toMatchObject({ endingGrant: { untilDate: '2027-04-20' } });
    expect(eventsOf(clinicId, resident).map((e) => [e.value.cause, Number(e.value.version)])).toEqual([
      ['ACCESS_CHANGE_CAUSE_GRANTED', 1],
      [ENDING_SOON, 2],
      ['ACCESS_CHANGE_CAUSE_GRANT_CHANGED', 3],
      [ENDING_SOON, 4],
      ['ACCESS_CHANGE_CAUSE_GRANT_CHANGED', 5],
      [ENDING_SOON, 6],
    ]);
  });

  it('a removed grant is never reminded of', async () => {
    const [removed, kept] = [aResident(), aResident()];
    await grant(staff, clinicId, removed, '2027-05-20');
    await grant(staff, clinicId, kept, '2027-05-20');
    await staff.removeGrant({ clinicId, personalIdentityNumber: removed, caseTypeId: 'restricted-1', requestId: randomUUID(), etag: '' });

    const reminderDay = new Date('2027-05-05T22:00:00Z');
    clock.current = reminderDay;
    await remindedAt(kept, reminderDay);
    const later = new Date('2027-05-06T10:00:00Z');
    clock.current = later;
    await scanSeenAt(later);
    expect(remindersOf(clinicId, removed)).toEqual([]);
    expect(eventsOf(clinicId, removed).map((e) => e.value.cause)).toEqual(['ACCESS_CHANGE_CAUSE_GRANTED', 'ACCESS_CHANGE_CAUSE_GRANT_REMOVED']);
  });
});

/** The Stockholm date `days` after the instant's UTC date, as YYYY-MM-DD (close enough for a marker's end). */
function addDaysTo(instant: Date, days: number): string {
  return new Date(instant.getTime() + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}
