import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { ResidentAccess } from '../../src/gen/residentaccess/v1/access';
import type { ChangeGrantRequest, GrantCaseTypeRequest } from '../../src/gen/residentaccess/v1/resident_access_service';
import { aResident } from '../builders/identity';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { relayCaughtUp } from '../support/relay-caught-up';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

/** A clock the test moves; the service asks it for "now" everywhere. Starts on 2027-01-10 (winter, UTC+1). */
const clock = { current: new Date('2027-01-10T09:00:00Z'), now: () => new Date(clock.current) };
type Published = { personalIdentityNumber: string; grants?: { caseTypeId: string; firstDay?: string; pending?: boolean; startsAt?: string }[] };

describe('grants with a first day: pending until 00:00 Europe/Stockholm that day', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  let eservice: Api;
  beforeAll(async () => {
    sut = await startServiceUnderTest({ clock, env: { EXPIRY_POLL_INTERVAL_MS: '100' } });
    clinicId = await sut.givenClinic({ caseTypes: [{ id: 'restricted-1', name: 'Restricted', restricted: true }] });
    staff = await sut.staff(clinicId);
    eservice = await sut.eservice();
  });
  afterAll(async () => {
    await sut.stop();
  });

  const grant = (resident: string, overrides: Partial<GrantCaseTypeRequest> = {}) =>
    staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilFurtherNotice: true, requestId: randomUUID(), etag: '', ...overrides });
  const change = (resident: string, overrides: Partial<ChangeGrantRequest> = {}) =>
    staff.changeGrant({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilFurtherNotice: true, requestId: randomUUID(), etag: '', ...overrides });
  const allowed = async (resident: string) => (await eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: 'restricted-1' })).allowed;
  const listed = async (resident: string) => (await eservice.listEntitlements({ personalIdentityNumber: resident })).clinics.flatMap((c) => c.caseTypes.map((e) => e.caseTypeId));
  const eventsOf = (resident: string, cause?: string) =>
    sut.events.events.filter((e) => (e.value.access as Published).personalIdentityNumber === resident && (cause === undefined || e.value.cause === cause));
  const documentOf = (resident: string) => sut.access.findOne({ _id: `${clinicId}|${resident}` });
  const resetClock = () => (clock.current = new Date('2027-01-10T09:00:00Z'));

  it('is pending in the answer, GetResidentAccess, the GRANTED event and the entitlements; at its start one GRANT_STARTED event makes it active', async () => {
    resetClock();
    const resident = aResident();
    const startsAt = new Date('2027-01-14T23:00:00Z'); // 00:00 on 2027-01-15 in Stockholm (UTC+1)
    const granted = await grant(resident, { firstDay: '2027-01-15', untilDate: '2027-02-28', untilFurtherNotice: undefined });
    expect(granted.access?.grants).toEqual([expect.objectContaining({ caseTypeId: 'restricted-1', firstDay: '2027-01-15', pending: true, startsAt, untilDate: '2027-02-28' })]);
    expect((await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident })).access?.grants[0]).toMatchObject({ firstDay: '2027-01-15', pending: true, startsAt });
    expect(await documentOf(resident)).toMatchObject({ nextStartsAt: startsAt, nextEndsAt: new Date('2027-02-28T23:00:00Z') });
    const [grantedEvent] = await sut.events.waitFor((e) => eventsOf(resident, 'ACCESS_CHANGE_CAUSE_GRANTED').includes(e));
    expect((grantedEvent!.value.access as Published).grants).toEqual([expect.objectContaining({ firstDay: '2027-01-15', pending: true, startsAt: startsAt.toISOString() })]);
    expect(await allowed(resident)).toBe(false);
    expect(await listed(resident)).toEqual([]);

    clock.current = new Date(startsAt.getTime() - 1000);
    expect(await allowed(resident)).toBe(false);

    clock.current = startsAt;
    // The entitlement follows the clock, whether or not the worker has run yet.
    expect(await allowed(resident)).toBe(true);
    expect(await listed(resident)).toEqual(['restricted-1']);
    const [started] = await sut.events.waitFor((e) => eventsOf(resident, 'ACCESS_CHANGE_CAUSE_GRANT_STARTED').includes(e));
    expect(started!.value).toMatchObject({ actor: 'system:grant-start', version: 2, requestId: `start:${startsAt.toISOString()}`, time: startsAt.toISOString() });
    const publishedGrant = (started!.value.access as Published).grants![0]!;
    // The protobuf JSON mapping leaves out false and unset: no `pending`, no `startsAt`.
    expect(publishedGrant).toMatchObject({ caseTypeId: 'restricted-1', firstDay: '2027-01-15' });
    expect(publishedGrant).not.toHaveProperty('pending');
    expect(publishedGrant).not.toHaveProperty('startsAt');
    const after = await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident });
    expect(after.access).toMatchObject({ version: 2, grants: [{ firstDay: '2027-01-15', pending: false, startsAt: undefined }] });
    expect(started!.value.access).toEqual(ResidentAccess.toJSON(after.access!));
    expect(await documentOf(resident)).toMatchObject({ nextStartsAt: null, version: 2 });

    // Later scans start nothing twice.
    clock.current = new Date(startsAt.getTime() + 24 * 3_600_000);
    await relayCaughtUp(sut, staff, clinicId);
    expect(eventsOf(resident, 'ACCESS_CHANGE_CAUSE_GRANT_STARTED')).toHaveLength(1);
  });

  it('with today as its first day is active at once; a first day in the past, after the last day or not a date is refused, naming the field, and nothing is stored', async () => {
    resetClock();
    const today = aResident();
    const response = await grant(today, { firstDay: '2027-01-10' });
    expect(response.access?.grants[0]).toMatchObject({ firstDay: '2027-01-10', pending: false, startsAt: undefined });
    expect(await allowed(today)).toBe(true);

    for (const [overrides, violation] of [
      [{ firstDay: '2027-01-09' }, 'first_day:DATE_IN_PAST'],
      [{ firstDay: '2027-02-01', untilDate: '2027-01-31', untilFurtherNotice: undefined }, 'first_day:AFTER_LAST_DAY'],
      [{ firstDay: '2027-02-30' }, 'first_day:INVALID_DATE'],
    ] as const) {
      const resident = aResident();
      const error = await failureOf(grant(resident, overrides));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => `${v.field}:${v.reason}`)).toEqual([violation]);
      expect(await documentOf(resident)).toBeNull();
    }
  });

  it('ChangeGrant keeps the first day when left out, moves it, or starts the grant now; once begun the first day cannot move', async () => {
    resetClock();
    const resident = aResident();
    await grant(resident, { firstDay: '2027-01-20' });

    const endOnly = await change(resident, { untilDate: '2027-06-30', untilFurtherNotice: undefined });
    expect(endOnly.access?.grants[0]).toMatchObject({ untilDate: '2027-06-30', firstDay: '2027-01-20', pending: true });

    const moved = await change(resident, { untilDate: '2027-06-30', untilFurtherNotice: undefined, firstDay: '2027-02-01' });
    expect(moved.access?.grants[0]).toMatchObject({ firstDay: '2027-02-01', pending: true, startsAt: new Date('2027-01-31T23:00:00Z') });
    expect(await documentOf(resident)).toMatchObject({ nextStartsAt: new Date('2027-01-31T23:00:00Z') });

    const past = await failureOf(change(resident, { firstDay: '2027-01-09' }));
    expect([past.code, errorDetails(past).violations.map((v) => `${v.field}:${v.reason}`)]).toEqual([status.INVALID_ARGUMENT, ['first_day:DATE_IN_PAST']]);
    const endBeforeStart = await failureOf(change(resident, { untilDate: '2027-01-31', untilFurtherNotice: undefined }));
    expect(errorDetails(endBeforeStart).violations.map((v) => `${v.field}:${v.reason}`)).toEqual(['until_date:BEFORE_FIRST_DAY']);

    const now = await change(resident, { startNow: true });
    expect(now).toMatchObject({ changed: true, access: { version: 4 } });
    expect(now.access?.grants[0]).toMatchObject({ firstDay: '', pending: false, startsAt: undefined });
    expect(await allowed(resident)).toBe(true);
    expect(await documentOf(resident)).toMatchObject({ nextStartsAt: null });
    const [changedEvent] = await sut.events.waitFor((e) => eventsOf(resident, 'ACCESS_CHANGE_CAUSE_GRANT_CHANGED').some((c) => c === e && e.value.version === 4));
    expect((changedEvent!.value.access as Published).grants![0]).not.toHaveProperty('pending');

    const begun = await failureOf(change(resident, { firstDay: '2027-03-01' }));
    expect([begun.code, errorDetails(begun).reason]).toEqual([status.FAILED_PRECONDITION, 'GRANT_ALREADY_STARTED']);
    expect(await change(resident, { startNow: true })).toMatchObject({ changed: false, access: { version: 4 } });
  });

  it('RemoveGrant removes a pending grant before it starts, and nothing starts at its first day', async () => {
    resetClock();
    const [removed, marker] = [aResident(), aResident()];
    await grant(removed, { firstDay: '2027-01-12' });
    await grant(marker, { firstDay: '2027-01-12' });
    const response = await staff.removeGrant({ clinicId, personalIdentityNumber: removed, caseTypeId: 'restricted-1', requestId: randomUUID(), etag: '' });
    expect(response).toMatchObject({ changed: true, access: { version: 2, grants: [] } });
    await sut.events.waitFor((e) => eventsOf(removed, 'ACCESS_CHANGE_CAUSE_GRANT_REMOVED').includes(e));

    clock.current = new Date('2027-01-11T23:00:00Z');
    // The marker's start shows the worker has run at this instant.
    await sut.events.waitFor((e) => eventsOf(marker, 'ACCESS_CHANGE_CAUSE_GRANT_STARTED').includes(e));
    await relayCaughtUp(sut, staff, clinicId);
    expect(eventsOf(removed).map((e) => e.value.cause)).toEqual(['ACCESS_CHANGE_CAUSE_GRANTED', 'ACCESS_CHANGE_CAUSE_GRANT_REMOVED']);
    expect(await allowed(removed)).toBe(false);
  });

  it('after downtime, a grant whose whole span passed is ended (GRANT_EXPIRED), never started; overdue starts each get their event', async () => {
    clock.current = new Date('2027-03-01T09:00:00Z');
    const spanPassed = aResident();
    await grant(spanPassed, { firstDay: '2027-03-02', untilDate: '2027-03-03', untilFurtherNotice: undefined });
    const overdue = Array.from({ length: 12 }, () => aResident());
    for (const resident of overdue) await grant(resident, { firstDay: '2027-03-02' });

    clock.current = new Date('2027-03-09T12:00:00Z'); // a week late
    for (const resident of overdue) await sut.events.waitFor((e) => eventsOf(resident, 'ACCESS_CHANGE_CAUSE_GRANT_STARTED').includes(e));
    await sut.events.waitFor((e) => eventsOf(spanPassed, 'ACCESS_CHANGE_CAUSE_GRANT_EXPIRED').includes(e));
    await relayCaughtUp(sut, staff, clinicId);
    for (const resident of overdue) expect(eventsOf(resident, 'ACCESS_CHANGE_CAUSE_GRANT_STARTED')).toHaveLength(1);
    expect(eventsOf(spanPassed).map((e) => e.value.cause)).toEqual(['ACCESS_CHANGE_CAUSE_GRANTED', 'ACCESS_CHANGE_CAUSE_GRANT_EXPIRED']);
  });
});
