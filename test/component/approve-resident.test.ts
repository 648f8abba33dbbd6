import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { aClinicId, aResident, tenDigitForm } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { outboxSettled } from '../support/relay-caught-up';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

describe('ApproveResident', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
    clinicId = await sut.givenClinic();
    staff = await sut.staff(clinicId);
  });
  afterAll(async () => {
    await sut.stop();
  });

  const request = (overrides = {}) => anApproveResidentRequest({ clinicId, ...overrides });
  const approve = (r = request()) => staff.approveResident(r);
  const documentOf = (resident: string) => sut.access.findOne({ _id: `${clinicId}|${resident}` });
  const eventsOf = (resident: string) => sut.events.events.filter((e) => (e.value.access as { personalIdentityNumber?: string })?.personalIdentityNumber === resident);
  /**
   * A later change of the same resident: its event shares the key, hence the partition, so once it
   * has arrived every earlier event of that resident has too.
   */
  const relayCaughtUp = async (resident: string) => {
    const requestId = randomUUID();
    await staff.removeApproval({ clinicId, personalIdentityNumber: resident, requestId, etag: '' });
    await sut.events.waitFor((e) => e.value.requestId === requestId);
  };
  const approvedEventsOf = (resident: string) => eventsOf(resident).filter((e) => e.value.cause === 'ACCESS_CHANGE_CAUSE_APPROVED');

  it('approves, stores who and when, and answers the whole access with an etag', async () => {
    const r = request();
    const response = await approve(r);

    expect(response).toMatchObject({ changed: true, access: { clinicId, personalIdentityNumber: r.personalIdentityNumber, version: 1, etag: 'W/"1"' } });
    expect(response.access?.approval?.approved).toMatchObject({ actor: 'staff-1', requestId: r.requestId });
    const doc = await documentOf(r.personalIdentityNumber);
    expect(doc).toMatchObject({ version: 1, approval: { actor: 'staff-1', requestId: r.requestId } });
    const [event] = await sut.events.waitFor((e) => e.value.requestId === r.requestId);
    expect(event!.value).toMatchObject({ cause: 'ACCESS_CHANGE_CAUSE_APPROVED', actor: 'staff-1', version: 1 });
  });

  it('rejects bad input with INVALID_ARGUMENT, field violations, no echo of the number, and stores nothing', async () => {
    const r = request({ clinicId: 'not-an-hsa-id', requestId: '' });
    const wrongCheckDigit = r.personalIdentityNumber.slice(0, 11) + ((Number(r.personalIdentityNumber[11]) + 1) % 10);

    const error = await failureOf(approve({ ...r, personalIdentityNumber: wrongCheckDigit }));

    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const details = errorDetails(error);
    expect(details.domain).toBe('residentaccess.v1.ResidentAccessService');
    expect(details.violations.map((v) => [v.field, v.reason])).toEqual([
      ['clinic_id', 'INVALID_CLINIC_ID'],
      ['personal_identity_number', 'INVALID_PERSONAL_IDENTITY_NUMBER'],
      ['request_id', 'INVALID_REQUEST_ID'],
    ]);
    expect(error.details).toContain('personal_identity_number');
    expect(JSON.stringify([error.details, details])).not.toContain(wrongCheckDigit.slice(2));
    expect(await sut.access.countDocuments({ clinicId: 'not-an-hsa-id' })).toBe(0);
    expect(sut.logs.text()).not.toContain(wrongCheckDigit.slice(2));
  });

  it('names only the offending field', async () => {
    const error = await failureOf(approve(request({ personalIdentityNumber: '19000229-1234' })));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorDetails(error).violations.map((v) => v.field)).toEqual(['personal_identity_number']);
  });

  it('approving an approved resident succeeds, changes nothing and publishes no second event', async () => {
    const first = request();
    await approve(first);
    const again = await approve({ ...first, requestId: randomUUID() });

    expect(again.changed).toBe(false);
    expect(again.access?.version).toBe(1);
    expect((await documentOf(first.personalIdentityNumber))?.version).toBe(1);
    await relayCaughtUp(first.personalIdentityNumber);
    expect(approvedEventsOf(first.personalIdentityNumber)).toHaveLength(1);
  });

  it('a retry with the same request id returns the first response and changes nothing', async () => {
    const r = request();
    const first = await approve(r);
    const retry = await approve(r);

    expect(retry).toEqual(first);
    const doc = await documentOf(r.personalIdentityNumber);
    expect(doc?.version).toBe(1);
    expect(doc?.recentRequests.filter((x) => x.requestId === r.requestId)).toHaveLength(1);
  });

  it('a retry after later changes were published returns the first response, the access as that request left it', async () => {
    const r = request();
    const first = await approve(r);
    await relayCaughtUp(r.personalIdentityNumber);
    await outboxSettled(sut.access, `${clinicId}|${r.personalIdentityNumber}`);

    const retry = await approve(r);

    expect(retry).toEqual(first);
    expect(retry.access?.version).toBe(1);
    expect((await documentOf(r.personalIdentityNumber))?.approval).toBeNull();
  });

  it('the same request id with a different request is refused with ALREADY_EXISTS and changes nothing', async () => {
    const r = request();
    await approve(r);
    await expect(approve({ ...r, personalIdentityNumber: tenDigitForm(r.personalIdentityNumber) })).resolves.toMatchObject({
      changed: true,
      access: { version: 1 },
    });
    const other = aResident();
    const error = await failureOf(approve({ ...r, personalIdentityNumber: other }));

    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(errorDetails(error).reason).toBe('REQUEST_ID_REUSED');
    expect(await documentOf(other)).toBeNull();
  });

  it('a stale etag is refused with FAILED_PRECONDITION and changes nothing; the current one is accepted', async () => {
    const resident = aResident();
    const read = await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident });
    const stale = 'W/"999"';

    const error = await failureOf(approve(request({ personalIdentityNumber: resident, etag: stale })));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(errorDetails(error).reason).toBe('STALE_ETAG');
    expect((await documentOf(resident))?.approval ?? null).toBeNull();

    await expect(approve(request({ personalIdentityNumber: resident, etag: read.access!.etag }))).resolves.toMatchObject({ changed: true });
  });

  it('concurrent approvals of one resident: exactly one changes it, one event, version 1', async () => {
    const first = request();
    const racers = Array.from({ length: 8 }, () => ({ ...first, requestId: randomUUID() }));
    const results = await Promise.all(racers.map((r) => approve(r)));

    expect(results.filter((r) => r.changed)).toHaveLength(1);
    const doc = await documentOf(first.personalIdentityNumber);
    expect(doc?.version).toBe(1);
    expect(doc?.recentRequests).toHaveLength(8);
    await relayCaughtUp(first.personalIdentityNumber);
    expect(approvedEventsOf(first.personalIdentityNumber)).toHaveLength(1);
  });

  it('keeps only the 20 most recent request outcomes per resident and clinic', async () => {
    const first = request();
    await approve(first);
    await outboxSettled(sut.access, `${clinicId}|${first.personalIdentityNumber}`);
    const before = await documentOf(first.personalIdentityNumber);
    for (let i = 0; i < 24; i++) await approve({ ...first, requestId: randomUUID() });

    const doc = await documentOf(first.personalIdentityNumber);
    expect(doc?.recentRequests).toHaveLength(20);
    expect(doc?.recentRequests.map((r) => r.requestId)).not.toContain(first.requestId);
    // Each no-op is one write that records its outcome (no event, so no relay write).
    expect(doc?.revision).toBe(before!.revision + 24);
  });

  it('another clinic, and a clinic that does not exist, get the same PERMISSION_DENIED and nothing is stored', async () => {
    const otherClinic = await sut.givenClinic();
    const unknownClinic = aClinicId();
    const onOther = await failureOf(approve(request({ clinicId: otherClinic })));
    const asStaffOfUnknown = await sut.staff(unknownClinic);
    const onUnknown = await failureOf(asStaffOfUnknown.approveResident(request({ clinicId: unknownClinic })));

    for (const error of [onOther, onUnknown]) {
      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(errorDetails(error).reason).toBe('PERMISSION_DENIED');
    }
    expect(onOther.details).toBe(onUnknown.details);
    expect(await sut.access.countDocuments({ clinicId: { $in: [otherClinic, unknownClinic] } })).toBe(0);
  });

  it('without a token the call is UNAUTHENTICATED', async () => {
    const error = await failureOf(sut.api(null).approveResident(request()));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(errorDetails(error).reason).toBe('TOKEN_MISSING');
  });
});
