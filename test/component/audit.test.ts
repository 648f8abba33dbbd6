import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

describe('the audit trail', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  let admin: Api;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
    clinicId = await sut.givenClinic({ caseTypes: [{ id: 'restricted-1', name: 'Restricted', restricted: true }] });
    staff = await sut.staff(clinicId);
    admin = await sut.admin(clinicId);
  });
  afterAll(async () => {
    await sut.stop();
  });

  /** Audit entries are written by the relay just before publishing: an event seen means its entry exists. */
  async function changes(resident: string) {
    const requestIds: string[] = [randomUUID(), randomUUID(), randomUUID()];
    await staff.approveResident({ clinicId, personalIdentityNumber: resident, requestId: requestIds[0]!, etag: '' });
    await staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilFurtherNotice: true, requestId: requestIds[1]!, etag: '' });
    await staff.removeApproval({ clinicId, personalIdentityNumber: resident, requestId: requestIds[2]!, etag: '' });
    for (const id of requestIds) await sut.events.waitFor((e) => e.value.requestId === id);
    return requestIds;
  }

  it('records every change with actor, action, request id, time, and the access before and after', async () => {
    const resident = aResident();
    const requestIds = await changes(resident);

    const { entries } = await admin.listClinicAuditEntries({ clinicId, personalIdentityNumber: resident, pageSize: 0, pageToken: '' });
    expect(entries.map((e) => [e.action, e.requestId, e.actor])).toEqual([
      [1, requestIds[0], 'staff-1'], // APPROVED
      [3, requestIds[1], 'staff-1'], // GRANTED
      [2, requestIds[2], 'staff-1'], // APPROVAL_REMOVED
    ]);
    expect(entries[0]!.before).toMatchObject({ version: 0 });
    expect(entries[0]!.after).toMatchObject({ version: 1, approval: { approved: { actor: 'staff-1' } } });
    expect(entries[2]!.before).toMatchObject({ version: 2, grants: [{ caseTypeId: 'restricted-1' }] });
    expect(entries[2]!.after?.approval).toBeUndefined();
    const published = sut.events.events.filter((e) => requestIds.includes(e.value.requestId as string)).map((e) => e.value.eventId);
    expect(entries.map((e) => e.eventId).sort()).toEqual(published.sort());
  });

  it('pages through a clinic in time order, and the resident e-service reads a resident across clinics', async () => {
    const [a, b] = [aResident(), aResident()];
    await changes(a);
    await changes(b);
    const otherClinic = await sut.givenClinic({ caseTypes: [{ id: 'restricted-1', name: 'R', restricted: true }] });
    const otherStaff = await sut.staff(otherClinic);
    const r = { clinicId: otherClinic, personalIdentityNumber: a, requestId: randomUUID(), etag: '' };
    await otherStaff.approveResident(r);
    await sut.events.waitFor((e) => e.value.requestId === r.requestId);

    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await admin.listClinicAuditEntries({ clinicId, personalIdentityNumber: '', pageSize: 2, pageToken });
      seen.push(...page.entries.map((e) => e.eventId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(6);

    const own = await (await sut.eserviceFor(a)).listResidentAuditEntries({ personalIdentityNumber: '', pageSize: 0, pageToken: '' });
    expect(new Set(own.entries.map((e) => e.clinicId))).toEqual(new Set([clinicId, otherClinic]));
    expect(own.entries.every((e) => e.personalIdentityNumber === a)).toBe(true);
  });

  it('only administrators of the clinic read its trail; a token of another listing is refused', async () => {
    const error = await failureOf(staff.listClinicAuditEntries({ clinicId, personalIdentityNumber: '', pageSize: 0, pageToken: '' }));
    expect(error.code).toBe(status.PERMISSION_DENIED);
    const noScope = await failureOf(staff.listResidentAuditEntries({ personalIdentityNumber: aResident(), pageSize: 0, pageToken: '' }));
    expect(noScope.code).toBe(status.PERMISSION_DENIED);

    const page = await admin.listClinicAuditEntries({ clinicId, personalIdentityNumber: '', pageSize: 1, pageToken: '' });
    const foreign = await failureOf(admin.listClinicAuditEntries({ clinicId, personalIdentityNumber: aResident(), pageSize: 1, pageToken: page.nextPageToken }));
    expect(foreign.code).toBe(status.INVALID_ARGUMENT);
    expect(errorDetails(foreign).violations.map((v) => v.field)).toEqual(['page_token']);
  });
});
