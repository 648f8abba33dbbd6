import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import type { Api } from '../support/grpc-client';
import { eventually } from '../support/eventually';
import { relayCaughtUp } from '../support/relay-caught-up';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The calendar date `days` after `date` (YYYY-MM-DD). */
const nextDate = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** A clock the test moves; the service asks it for "now" everywhere. */
const clock = { current: new Date('2027-01-10T09:00:00Z'), now: () => new Date(clock.current) };

describe('grants end at 00:00 Europe/Stockholm after their until date', () => {
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

  const check = (resident: string) => eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: 'restricted-1' });
  const grant = (resident: string, untilDate: string) =>
    staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate, requestId: randomUUID(), etag: '' });
  const scansThatEnded = () => sut.logs.entries.filter((e) => e.msg === 'grants expired').length;
  const expiredEvents = (resident: string) =>
    sut.events.events.filter((e) => e.value.cause === 'ACCESS_CHANGE_CAUSE_GRANT_EXPIRED' && (e.value.access as { personalIdentityNumber: string }).personalIdentityNumber === resident);

  it.each([
    ['winter (UTC+1)', '2027-01-10T09:00:00Z', '2027-01-15', '2027-01-15T22:59:59Z', '2027-01-15T23:00:00Z'],
    ['summer (UTC+2)', '2027-07-10T09:00:00Z', '2027-07-15', '2027-07-15T21:59:59Z', '2027-07-15T22:00:00Z'],
  ])('in %s: allowed at 23:59:59 on the date, ended with one GRANT_EXPIRED event at 00:00:00', async (_season, grantedAt, until, lastSecond, midnight) => {
    clock.current = new Date(grantedAt);
    const resident = aResident();
    await grant(resident, until);
    // Markers that a scan ran: grants ending a day before and a day after this one. Every scan reads
    // all that is due in one batch and logs once it has ended them.
    const [endsDayBefore, endsDayAfter] = [aResident(), aResident()];
    await grant(endsDayBefore, nextDate(until, -1));
    await grant(endsDayAfter, nextDate(until, 1));

    const scansBefore = scansThatEnded();
    clock.current = new Date(lastSecond);
    // The scan that ended the day-before grant read this one too: nothing may end yet.
    await eventually(() => scansThatEnded() > scansBefore, { what: 'a scan at 23:59:59 to end the day-before grant' });
    expect((await sut.access.findOne({ _id: `${clinicId}|${endsDayBefore}` }))?.grants).toEqual([]);
    expect(await check(resident)).toMatchObject({ allowed: true, untilDate: until });
    expect(expiredEvents(resident)).toHaveLength(0);
    expect((await sut.access.findOne({ _id: `${clinicId}|${resident}` }))?.grants).toHaveLength(1);

    clock.current = new Date(midnight);
    expect(await check(resident)).toMatchObject({ allowed: false });
    const [event] = await sut.events.waitFor((e) => expiredEvents(resident).includes(e));
    expect(event!.value).toMatchObject({ actor: 'system:expiry', version: 2 });
    // The protobuf JSON mapping leaves out empty lists: no `grants` means none.
    expect((event!.value.access as { grants?: unknown[] }).grants ?? []).toEqual([]);
    const doc = await sut.access.findOne({ _id: `${clinicId}|${resident}` });
    expect(doc).toMatchObject({ grants: [], nextEndsAt: null, version: 2 });

    // A day later, the scan that ends the day-after grant ends nothing twice; once the relay has
    // published everything up to now, there is still one event.
    clock.current = new Date(new Date(midnight).getTime() + DAY_MS);
    await sut.events.waitFor((e) => expiredEvents(endsDayAfter).includes(e));
    await relayCaughtUp(sut, staff, clinicId);
    expect(expiredEvents(resident)).toHaveLength(1);
  });

  it('after downtime, catches up on every overdue grant, each with its own event', async () => {
    clock.current = new Date('2027-02-01T09:00:00Z');
    const residents = Array.from({ length: 30 }, () => aResident());
    for (const resident of residents) {
      await staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate: '2027-02-02', requestId: randomUUID(), etag: '' });
    }
    clock.current = new Date('2027-02-09T12:00:00Z'); // a week late
    for (const resident of residents) await sut.events.waitFor((e) => expiredEvents(resident).includes(e));
    for (const resident of residents) expect(expiredEvents(resident)).toHaveLength(1);
  });
});
