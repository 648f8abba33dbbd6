import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import type { Api } from '../support/grpc-client';
import { startWithClinic, type ServiceUnderTest } from '../support/service-under-test';

/** The service's clock: the test moves it; the service asks it for "now" everywhere. */
const clock = { current: new Date('2026-10-20T09:00:00Z'), now: () => new Date(clock.current) };
const GRANT_EXPIRED = 7;
const GRANTED = 3;

/**
 * A grant "until D" is valid through the whole of day D in Stockholm and ends at the next local
 * midnight: on the nights the clocks change, that midnight is not 24 hours after the last one.
 * Cases in time order, as the clock only moves forward within each.
 */
describe('a dated grant expires at 00:00 Europe/Stockholm after its date, across the DST nights', () => {
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

  const grant = (resident: string, untilDate: string) =>
    staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate, requestId: randomUUID(), etag: '' });
  const allowed = async (resident: string) => (await eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: 'restricted-1' })).allowed;
  /** The expiry worker names its run by the instant it ran at. */
  const expiredAt = (resident: string, instant: Date) =>
    sut.events.waitFor((e) => e.value.requestId === `expiry:${instant.toISOString()}` && (e.value.access as { personalIdentityNumber: string }).personalIdentityNumber === resident);

  it.each([
    // [the night, granted at, until, the day before it (a marker), its end, the grant's end]
    ['the Saturday before the autumn night (UTC+2 to its end)', '2026-10-20T09:00:00Z', '2026-10-24', '2026-10-23', '2026-10-23T22:00:00Z', '2026-10-24T22:00:00Z'],
    ['the 25-hour autumn day 2026-10-25 (03:00 back to 02:00)', '2026-10-20T09:00:00Z', '2026-10-25', '2026-10-24', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z'],
    ['the Saturday before the spring night (UTC+1 to its end)', '2027-03-20T09:00:00Z', '2027-03-27', '2027-03-26', '2027-03-26T23:00:00Z', '2027-03-27T23:00:00Z'],
    ['the 23-hour spring day 2027-03-28 (02:00 on to 03:00)', '2027-03-20T09:00:00Z', '2027-03-28', '2027-03-27', '2027-03-27T23:00:00Z', '2027-03-28T22:00:00Z'],
  ])('%s: allowed through its last second, ended at local midnight with one GRANT_EXPIRED event and audit entry', async (_night, grantedAt, until, dayBefore, dayBeforeEnds, endsAtText) => {
    const endsAt = new Date(endsAtText);
    const lastSecond = new Date(endsAt.getTime() - 1000);
    clock.current = new Date(grantedAt);
    const [resident, marker] = [aResident(), aResident()];
    const granted = await grant(resident, until);
    const markerGrant = await grant(marker, dayBefore);
    expect(granted.access?.grants[0]?.endsAt).toEqual(endsAt);
    expect(markerGrant.access?.grants[0]?.endsAt).toEqual(new Date(dayBeforeEnds));

    // One second before local midnight. The marker's grant ended earlier, so its GRANT_EXPIRED
    // event shows the worker has looked at this instant: the resident's grant must have survived it.
    clock.current = lastSecond;
    await expiredAt(marker, lastSecond);
    expect(await allowed(resident)).toBe(true);
    const stillGranted = await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident });
    expect(stillGranted.access).toMatchObject({ version: 1, grants: [{ caseTypeId: 'restricted-1', untilDate: until, endsAt }] });

    clock.current = endsAt;
    expect(await allowed(resident)).toBe(false);
    const [event] = await expiredAt(resident, endsAt);
    expect(event!.value).toMatchObject({ cause: 'ACCESS_CHANGE_CAUSE_GRANT_EXPIRED', actor: 'system:expiry', version: 2, time: endsAt.toISOString() });
    // The protobuf JSON mapping leaves out empty lists: no `grants` means none.
    expect((event!.value.access as { grants?: unknown[] }).grants ?? []).toEqual([]);
    expect((await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident })).access).toMatchObject({ version: 2, grants: [] });

    // The relay writes the audit entry before it publishes: the event seen, the entry is there.
    const { entries } = await admin.listClinicAuditEntries({ clinicId, personalIdentityNumber: resident, pageSize: 0, pageToken: '' });
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      [GRANTED, 'staff-1'],
      [GRANT_EXPIRED, 'system:expiry'],
    ]);
    expect(entries[1]).toMatchObject({ eventId: event!.value.eventId, time: endsAt, requestId: `expiry:${endsAt.toISOString()}` });
    expect(entries[1]!.before).toMatchObject({ version: 1, grants: [{ caseTypeId: 'restricted-1', untilDate: until, endsAt }] });
    expect(entries[1]!.after).toMatchObject({ version: 2, grants: [] });
  });
});
