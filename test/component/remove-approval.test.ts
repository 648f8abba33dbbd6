import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { ResidentAccess } from '../../src/gen/residentaccess/v1/access';
import type { RemoveApprovalRequest } from '../../src/gen/residentaccess/v1/resident_access_service';
import { aClinicId, aResident, tenDigitForm } from '../builders/identity';
import { aGrantCaseTypeRequest, anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { RESTRICTED_AND_GENERAL, startWithClinic, type ServiceUnderTest } from '../support/service-under-test';
import { relayCaughtUp as caughtUp } from '../support/relay-caught-up';

const CASE_TYPES = RESTRICTED_AND_GENERAL;

describe('RemoveApproval', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic(CASE_TYPES));
  });
  afterAll(async () => {
    await sut.stop();
  });

  const request = (resident: string, overrides: Partial<RemoveApprovalRequest> = {}): RemoveApprovalRequest => ({
    clinicId,
    personalIdentityNumber: resident,
    requestId: randomUUID(),
    etag: '',
    ...overrides,
  });
  const documentOf = (resident: string) => sut.access.findOne({ _id: `${clinicId}|${resident}` });
  const eventsOf = (resident: string) => sut.events.events.filter((e) => (e.value.access as { personalIdentityNumber?: string })?.personalIdentityNumber === resident);
  const relayCaughtUp = () => caughtUp(sut, staff, clinicId);
  const givenApproved = async (resident = aResident()) => {
    const response = await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));
    return { resident, access: response.access! };
  };

  it('removes the approval, keeps the grants, and publishes APPROVAL_REMOVED with the whole access', async () => {
    const { resident } = await givenApproved();
    const granted = aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident });
    await staff.grantCaseType(granted);
    const r = request(resident);
    const response = await staff.removeApproval(r);

    expect(response).toMatchObject({ changed: true, access: { clinicId, personalIdentityNumber: resident, version: 3, etag: 'W/"3"' } });
    expect(response.access?.approval).toBeUndefined();
    expect(response.access?.grants).toEqual([expect.objectContaining({ caseTypeId: 'restricted-1', granted: expect.objectContaining({ requestId: granted.requestId }) })]);

    const doc = await documentOf(resident);
    expect(doc).toMatchObject({ version: 3, approval: null, grants: [{ caseTypeId: 'restricted-1', until: null }] });

    const [event] = await sut.events.waitFor((e) => e.value.requestId === r.requestId);
    expect(event!.value).toMatchObject({ cause: 'ACCESS_CHANGE_CAUSE_APPROVAL_REMOVED', actor: 'staff-1', version: 3, requestId: r.requestId });
    expect(event!.value.access).toEqual(ResidentAccess.toJSON(response.access!));
    expect(event!.value.access).not.toHaveProperty('approval');
  });

  it('removes the approval of a resident with nothing else: the access is empty but keeps its version', async () => {
    const { resident } = await givenApproved();
    const response = await staff.removeApproval(request(tenDigitForm(resident)));

    expect(response).toMatchObject({ changed: true, access: { personalIdentityNumber: resident, version: 2, grants: [] } });
    expect(response.access?.approval).toBeUndefined();
    expect(await documentOf(resident)).toMatchObject({ version: 2, approval: null, grants: [] });
    await expect(staff.getResidentAccess({ clinicId, personalIdentityNumber: resident })).resolves.toMatchObject({
      access: { version: 2, etag: 'W/"2"' },
    });
  });

  it('a resident who is not approved: changed false, nothing changes and no event is published', async () => {
    const nobody = aResident();
    const grantOnly = aResident();
    await staff.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: grantOnly }));

    const forNobody = await staff.removeApproval(request(nobody));
    const forGrantOnly = await staff.removeApproval(request(grantOnly));
    await sut.events.waitFor((e) => (e.value.access as { personalIdentityNumber?: string })?.personalIdentityNumber === grantOnly);

    expect(forNobody).toMatchObject({ changed: false, access: { personalIdentityNumber: nobody, version: 0, etag: 'W/"0"' } });
    expect(forGrantOnly).toMatchObject({ changed: false, access: { version: 1, grants: [{ caseTypeId: 'restricted-1' }] } });
    expect(await documentOf(nobody)).toBeNull();
    expect(await documentOf(grantOnly)).toMatchObject({ version: 1, approval: null });
    await relayCaughtUp();
    expect(eventsOf(nobody)).toHaveLength(0);
    expect(eventsOf(grantOnly).map((e) => e.value.cause)).toEqual(['ACCESS_CHANGE_CAUSE_GRANTED']);
  });

  it('removing twice: the second removal changes nothing and publishes nothing', async () => {
    const { resident } = await givenApproved();
    const first = request(resident);
    await staff.removeApproval(first);
    const again = await staff.removeApproval(request(resident));
    await sut.events.waitFor((e) => e.value.requestId === first.requestId);

    expect(again).toMatchObject({ changed: false, access: { version: 2 } });
    await relayCaughtUp();
    expect(eventsOf(resident).map((e) => e.value.cause)).toEqual(['ACCESS_CHANGE_CAUSE_APPROVED', 'ACCESS_CHANGE_CAUSE_APPROVAL_REMOVED']);
  });

  it('a retry with the same request id returns the first response, even after a later approval, and changes nothing', async () => {
    const { resident } = await givenApproved();
    const r = request(resident);
    const first = await staff.removeApproval(r);
    await givenApproved(resident);
    const retry = await staff.removeApproval(r);

    expect(retry).toEqual(first);
    const doc = await documentOf(resident);
    expect(doc).toMatchObject({ version: 3, approval: { actor: 'staff-1' } });
    expect(doc?.recentRequests.filter((x) => x.requestId === r.requestId)).toHaveLength(1);
  });

  it('the same request id for another resident is ALREADY_EXISTS with reason REQUEST_ID_REUSED and changes nothing', async () => {
    const { resident } = await givenApproved();
    const other = await givenApproved();
    const r = request(resident);
    await staff.removeApproval(r);

    const error = await failureOf(staff.removeApproval({ ...r, personalIdentityNumber: other.resident }));

    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(errorDetails(error).reason).toBe('REQUEST_ID_REUSED');
    expect(await documentOf(other.resident)).toMatchObject({ version: 1, approval: { actor: 'staff-1' } });
    expect(JSON.stringify(error.details) + sut.logs.text()).not.toContain(other.resident.slice(2));
  });

  it('a stale etag is FAILED_PRECONDITION with reason STALE_ETAG and keeps the approval; the current one is accepted', async () => {
    const { resident, access } = await givenApproved();

    const error = await failureOf(staff.removeApproval(request(resident, { etag: 'W/"0"' })));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(errorDetails(error).reason).toBe('STALE_ETAG');
    expect(await documentOf(resident)).toMatchObject({ version: 1, approval: { actor: 'staff-1' } });

    await expect(staff.removeApproval(request(resident, { etag: access.etag }))).resolves.toMatchObject({ changed: true, access: { version: 2 } });
  });

  it('another clinic, and a clinic that does not exist, get the same PERMISSION_DENIED and the approval stays', async () => {
    const { resident } = await givenApproved();
    const otherClinic = await sut.givenClinic({ caseTypes: CASE_TYPES });
    const unknownClinic = aClinicId();

    const onOther = await failureOf(staff.removeApproval(request(resident, { clinicId: otherClinic })));
    const onUnknown = await failureOf((await sut.staff(unknownClinic)).removeApproval(request(resident, { clinicId: unknownClinic })));
    const viaOtherStaff = await failureOf((await sut.staff(otherClinic)).removeApproval(request(resident)));

    for (const error of [onOther, onUnknown, viaOtherStaff]) {
      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(errorDetails(error).reason).toBe('PERMISSION_DENIED');
    }
    expect(onOther.details).toBe(onUnknown.details);
    expect(await documentOf(resident)).toMatchObject({ version: 1, approval: { actor: 'staff-1' } });
    expect(await sut.access.countDocuments({ clinicId: { $in: [otherClinic, unknownClinic] } })).toBe(0);
  });

  it('without a token the call is UNAUTHENTICATED', async () => {
    const { resident } = await givenApproved();
    const error = await failureOf(sut.api(null).removeApproval(request(resident)));

    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(await documentOf(resident)).toMatchObject({ version: 1, approval: { actor: 'staff-1' } });
  });

  it('bad input is INVALID_ARGUMENT with field violations, without echoing the number', async () => {
    const resident = aResident();
    const wrongCheckDigit = resident.slice(0, 11) + ((Number(resident[11]) + 1) % 10);
    const error = await failureOf(staff.removeApproval(request(wrongCheckDigit, { requestId: '' })));

    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([
      ['personal_identity_number', 'INVALID_PERSONAL_IDENTITY_NUMBER'],
      ['request_id', 'INVALID_REQUEST_ID'],
    ]);
    expect(JSON.stringify([error.details, errorDetails(error)]) + sut.logs.text()).not.toContain(wrongCheckDigit.slice(2));
  });
});
