import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import type { Api } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

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
  const expiredEvents = (resident: string) =>
    sut.events.events.filter((e) => e.value.cause === 'ACCESS_CHANGE_CAUSE_GRANT_EXPIRED' && (e.value.access as { personalIdentityNumber: string }).personalIdentityNumber === resident);

  it.each([
    ['winter (UTC+1)', '2027-01-10T09:00:00Z', '2027-01-15', '2027-01-15T22:59:59Z', '2027-01-15T23:00:00Z'],
    ['summer (UTC+2)', '2027-07-10T09:00:00Z', '2027-07-15', '2027-07-15T21:59:59Z', '2027-07-15T22:00:00Z'],
  ])('in %s: allowed at 23:59:59 on the date, ended with one GRANT_EXPIRED event at 00:00:00', async (_season, grantedAt, until, lastSecond, midnight) => {
    clock.current = new Date(grantedAt);
    const resident = aResident();
    await staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate: until, requestId: randomUUID(), etag: '' });

    clock.current = new Date(lastSecond);
    await new Promise((r) => setTimeout(r, 400)); // several expiry polls pass: nothing may end yet
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

    await new Promise((r) => setTimeout(r, 400)); // later polls end nothing twice
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
