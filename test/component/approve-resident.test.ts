import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { aResident, tenDigitForm } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

describe('ApproveResident', () => {
  let sut: ServiceUnderTest;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
  });
  afterAll(async () => {
    await sut.stop();
  });

  const approve = (request = anApproveResidentRequest()) => sut.api.approveResident(request);
  const documentOf = (clinicId: string, resident: string) => sut.access.findOne({ _id: `${clinicId}|${resident}` });
  const eventsOf = (clinicId: string) => sut.events.events.filter((e) => (e.value.access as { clinicId?: string })?.clinicId === clinicId);

  it('rejects bad input with INVALID_ARGUMENT, field violations, no echo of the number, and stores nothing', async () => {
    const request = anApproveResidentRequest({ clinicId: 'not-an-hsa-id', requestId: '' });
    const wrongCheckDigit = request.personalIdentityNumber.slice(0, 11) + ((Number(request.personalIdentityNumber[11]) + 1) % 10);
    request.personalIdentityNumber = wrongCheckDigit;

    const error = await failureOf(approve(request));

    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const details = errorDetails(error);
    expect(details.domain).toBe('residentaccess.v1');
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
    const error = await failureOf(approve(anApproveResidentRequest({ personalIdentityNumber: '19000229-1234' })));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorDetails(error).violations.map((v) => v.field)).toEqual(['personal_identity_number']);
  });

  it('approving an approved resident succeeds, changes nothing and publishes no second event', async () => {
    const first = anApproveResidentRequest();
    await approve(first);
    const again = await approve({ ...first, requestId: randomUUID() });

    expect(again.changed).toBe(false);
    expect(again.access?.version).toBe(1);
    expect((await documentOf(first.clinicId, first.personalIdentityNumber))?.version).toBe(1);
    await sut.events.waitFor((e) => e.value.requestId === first.requestId);
    // A later approval at another clinic, published after, proves the relay ran past this point.
    const marker = anApproveResidentRequest();
    await approve(marker);
    await sut.events.waitFor((e) => e.value.requestId === marker.requestId);
    expect(eventsOf(first.clinicId)).toHaveLength(1);
  });

  it('a retry with the same request id returns the first response and changes nothing', async () => {
    const request = anApproveResidentRequest();
    const first = await approve(request);
    const retry = await approve(request);

    expect(retry).toEqual(first);
    expect(retry.changed).toBe(true);
    const doc = await documentOf(request.clinicId, request.personalIdentityNumber);
    expect(doc?.version).toBe(1);
    expect(doc?.recentRequests.filter((r) => r.requestId === request.requestId)).toHaveLength(1);
  });

  it('the same request id with a different request is refused with ALREADY_EXISTS and changes nothing', async () => {
    const request = anApproveResidentRequest();
    await approve(request);
    // The same resident written differently is the same request: a replay.
    await expect(approve({ ...request, personalIdentityNumber: tenDigitForm(request.personalIdentityNumber) })).resolves.toMatchObject({
      changed: true,
      access: { version: 1 },
    });
    // Another resident under the same id is not.
    const other = aResident();
    const error = await failureOf(approve({ ...request, personalIdentityNumber: other }));

    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(errorDetails(error).reason).toBe('REQUEST_ID_REUSED');
    expect(await documentOf(request.clinicId, other)).toBeNull();
  });

  it('concurrent approvals of one resident: exactly one changes it, one event, version 1', async () => {
    const first = anApproveResidentRequest();
    const racers = Array.from({ length: 8 }, () => ({ ...first, requestId: randomUUID() }));
    const results = await Promise.all(racers.map((r) => approve(r)));

    expect(results.filter((r) => r.changed)).toHaveLength(1);
    const doc = await documentOf(first.clinicId, first.personalIdentityNumber);
    expect(doc?.version).toBe(1);
    expect(doc?.recentRequests).toHaveLength(8);
    const winner = racers[results.findIndex((r) => r.changed)]!;
    await sut.events.waitFor((e) => e.value.requestId === winner.requestId);
    const marker = anApproveResidentRequest();
    await approve(marker);
    await sut.events.waitFor((e) => e.value.requestId === marker.requestId);
    expect(eventsOf(first.clinicId)).toHaveLength(1);
  });

  it('keeps only the 20 most recent request outcomes per resident and clinic', async () => {
    const first = anApproveResidentRequest();
    await approve(first);
    for (let i = 0; i < 24; i++) await approve({ ...first, requestId: randomUUID() });

    const doc = await documentOf(first.clinicId, first.personalIdentityNumber);
    expect(doc?.recentRequests).toHaveLength(20);
    expect(doc?.recentRequests.map((r) => r.requestId)).not.toContain(first.requestId);
    expect(doc?.revision).toBe(25);
  });
});
