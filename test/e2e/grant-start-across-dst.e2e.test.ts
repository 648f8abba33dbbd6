import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import type { Api } from '../support/grpc-client';
import { startWithClinic, type ServiceUnderTest } from '../support/service-under-test';

/** The service's clock: the test moves it; the service asks it for "now" everywhere. */
const clock = { current: new Date('2027-03-20T09:00:00Z'), now: () => new Date(clock.current) };
const GRANTED = 3;
const GRANT_STARTED = 9;

/**
 * A grant "from D" gives access from 00:00 Europe/Stockholm on D: on the days the clocks change,
 * that midnight is not 24 hours after the last one. Cases in time order, as the clock only moves
 * forward within each.
 */
describe('a pending grant starts at 00:00 Europe/Stockholm on its first day, on the DST change days', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  let admin: Api;
  let eservice: Api;
  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic([{ id: 'restricted-1', name: 'Restricted', restricted: true }], { clock, env: { EXPIRY_POLL_INTERVAL_MS: '100' } }));
    admin = await sut.admin(clinicId);
    eservice = await sut.eservice();
  });
  afterAll(async () => {
    await sut.stop();
  });

  const grantFrom = (resident: string, firstDay: string) =>
    staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilFurtherNotice: true, firstDay, requestId: randomUUID(), etag: '' });
  const allowed = async (resident: string) => (await eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: 'restricted-1' })).allowed;
  /** The scheduler names its start run by the instant it ran at. */
  const startedAt = (resident: string, instant: Date) =>
    sut.events.waitFor((e) => e.value.requestId === `start:${instant.toISOString()}` && (e.value.access as { personalIdentityNumber: string }).personalIdentityNumber === resident);

  it.each([
    // [the day, granted at, first day, the day before it (a marker), its start, the grant's start]
    ['the 23-hour spring day 2027-03-28 (starts at 00:00 UTC+1)', '2027-03-20T09:00:00Z', '2027-03-28', '2027-03-27', '2027-03-26T23:00:00Z', '2027-03-27T23:00:00Z'],
    ['the day after it (starts at 00:00 UTC+2)', '2027-03-20T09:00:00Z', '2027-03-29', '2027-03-28', '2027-03-27T23:00:00Z', '2027-03-28T22:00:00Z'],
    ['the 25-hour autumn day 2027-10-31 (starts at 00:00 UTC+2)', '2027-10-20T09:00:00Z', '2027-10-31', '2027-10-30', '2027-10-29T22:00:00Z', '2027-10-30T22:00:00Z'],
    ['the day after it (starts at 00:00 UTC+1)', '2027-10-20T09:00:00Z', '2027-11-01', '2027-10-31', '2027-10-30T22:00:00Z', '2027-10-31T23:00:00Z'],
  ])(
    '%s: pending through the last second before, started at local midnight with one GRANT_STARTED event and audit entry',
    async (_day, grantedAt, firstDay, dayBefore, dayBeforeStarts, startsAtText) => {
      const startsAt = new Date(startsAtText);
      const lastSecond = new Date(startsAt.getTime() - 1000);
      clock.current = new Date(grantedAt);
      const [resident, marker] = [aResident(), aResident()];
      const granted = await grantFrom(resident, firstDay);
      const markerGrant = await grantFrom(marker, dayBefore);
      expect(granted.access?.grants[0]).toMatchObject({ firstDay, pending: true, startsAt });
      expect(markerGrant.access?.grants[0]?.startsAt).toEqual(new Date(dayBeforeStarts));

      // One second before local midnight. The marker's grant started earlier, so its GRANT_STARTED
      // event shows the worker has looked at this instant: the resident's grant must still wait.
      clock.current = lastSecond;
      await startedAt(marker, lastSecond);
      expect(await allowed(resident)).toBe(false);
      expect((await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident })).access).toMatchObject({ version: 1, grants: [{ firstDay, pending: true, startsAt }] });

      clock.current = startsAt;
      expect(await allowed(resident)).toBe(true);
      const [event] = await startedAt(resident, startsAt);
      expect(event!.value).toMatchObject({ cause: 'ACCESS_CHANGE_CAUSE_GRANT_STARTED', actor: 'system:grant-start', version: 2, time: startsAt.toISOString() });
      expect((event!.value.access as { grants: unknown[] }).grants).toEqual([expect.objectContaining({ caseTypeId: 'restricted-1', firstDay })]);
      expect((await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident })).access).toMatchObject({
        version: 2,
        grants: [{ firstDay, pending: false, startsAt: undefined }],
      });

      // The relay writes the audit entry before it publishes: the event seen, the entry is there.
      const { entries } = await admin.listClinicAuditEntries({ clinicId, personalIdentityNumber: resident, pageSize: 0, pageToken: '' });
      expect(entries.map((e) => [e.action, e.actor])).toEqual([
        [GRANTED, 'staff-1'],
        [GRANT_STARTED, 'system:grant-start'],
      ]);
      expect(entries[1]).toMatchObject({ eventId: event!.value.eventId, time: startsAt, requestId: `start:${startsAt.toISOString()}` });
      expect(entries[1]!.before).toMatchObject({ version: 1, grants: [{ firstDay, pending: true, startsAt }] });
      expect(entries[1]!.after).toMatchObject({ version: 2, grants: [{ firstDay, pending: false }] });
    },
  );
});
