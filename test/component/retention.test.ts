import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import type { Api } from '../support/grpc-client';
import { eventually } from '../support/eventually';
import { outboxSettled } from '../support/relay-caught-up';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A clock the test moves; the service asks it for "now" everywhere. */
const clock = { current: new Date('2027-05-03T09:00:00Z'), now: () => new Date(clock.current) };
const daysLater = (days: number) => (clock.current = new Date(clock.current.getTime() + days * DAY_MS));

/**
 * Personal data leaves when its purpose ends: an ended access (no approval, no grant) is forgotten
 * ENDED_ACCESS_RETENTION_DAYS after it ended, from its document and the resident's view; audit
 * entries AUDIT_RETENTION_DAYS after their change. Versions still only grow per resident and clinic.
 */
describe('retention by purpose', () => {
  let sut: ServiceUnderTest;
  let staff: Api;
  let clinicId: string;
  let otherClinic: string;
  beforeAll(async () => {
    sut = await startServiceUnderTest({ clock, env: { ENDED_ACCESS_RETENTION_DAYS: '30', AUDIT_RETENTION_DAYS: '40', RETENTION_PURGE_INTERVAL_MS: '200' } });
    [clinicId, otherClinic] = [await sut.givenClinic(), await sut.givenClinic()];
    staff = await sut.staff(clinicId, otherClinic);
  });
  afterAll(async () => {
    await sut.stop();
  });

  const approve = (resident: string, at = clinicId) => staff.approveResident(anApproveResidentRequest({ clinicId: at, personalIdentityNumber: resident }));
  const removeApproval = (resident: string, at = clinicId) => staff.removeApproval({ clinicId: at, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' });
  const accessDocument = (resident: string, at = clinicId) => sut.access.findOne({ _id: `${at}|${resident}` });
  const view = (resident: string) => sut.db.collection<{ _id: string; clinics: Record<string, unknown> }>('resident_views').findOne({ _id: resident });
  /** Purge rounds the service logged (one line per collection and round). */
  const purgeRounds = () => sut.logs.entries.filter((e) => e.msg === 'expired records purged' && e.collection === 'access').length;
  const auditCount = (resident: string) => sut.db.collection('audit').countDocuments({ resident });

  it('forgets an access 30 days after it ended, from its document and the view, and a later approval goes on with a higher version', async () => {
    const [leaving, elsewhereToo, staying] = [aResident(), aResident(), aResident()];
    for (const resident of [leaving, elsewhereToo, staying]) await approve(resident);
    await approve(elsewhereToo, otherClinic);
    const ended = [await removeApproval(leaving), await removeApproval(elsewhereToo)];
    for (const resident of [leaving, elsewhereToo, staying]) await outboxSettled(sut.access, `${clinicId}|${resident}`);
    expect(ended.map((answer) => answer.access?.version)).toEqual([2, 2]);

    daysLater(29);
    const roundsBefore = purgeRounds();
    await eventually(() => purgeRounds() > roundsBefore + 1, { what: 'purge rounds at day 29' });
    expect(await accessDocument(leaving)).not.toBeNull();

    daysLater(2);
    await eventually(async () => (await accessDocument(leaving)) === null && (await accessDocument(elsewhereToo)) === null, { what: 'the ended accesses forgotten' });
    expect(await view(leaving)).toBeNull(); // no clinic left, and the register does not know the resident
    expect((await view(elsewhereToo))?.clinics).toEqual({ [otherClinic]: expect.objectContaining({ approved: true }) });
    expect(await accessDocument(staying)).toMatchObject({ approval: expect.objectContaining({ actor: expect.any(String) }) });
    expect(await accessDocument(elsewhereToo, otherClinic)).not.toBeNull();
    expect(JSON.stringify(await sut.access.find({ clinicId }).toArray())).not.toContain(leaving);

    // Versions 1 and 2 were published under this key: the next access starts above them.
    expect((await staff.getResidentAccess({ clinicId, personalIdentityNumber: leaving })).access?.version).toBe(2);
    const request = anApproveResidentRequest({ clinicId, personalIdentityNumber: leaving });
    expect((await staff.approveResident(request)).access?.version).toBe(3);
    const [event] = await sut.events.waitFor((e) => e.value.requestId === request.requestId);
    expect((event!.value.access as { version: number }).version).toBe(3);
  });

  it('purges audit entries 40 days after their change', async () => {
    const resident = aResident();
    await approve(resident);
    await outboxSettled(sut.access, `${clinicId}|${resident}`);
    await eventually(async () => (await auditCount(resident)) === 1, { what: 'the audit entry' });
    daysLater(39);
    await approve(resident, otherClinic);
    await eventually(async () => (await auditCount(resident)) === 2, { what: 'the second audit entry' });

    daysLater(2);
    await eventually(async () => (await auditCount(resident)) === 1, { what: 'the 41-day-old entry purged' });
    const [kept] = await sut.db.collection('audit').find({ resident }).toArray();
    expect(kept).toMatchObject({ clinicId: otherClinic });
  });
});
