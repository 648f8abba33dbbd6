import { status } from '@grpc/grpc-js';
import { tenDigitForm } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import { eventuallyPasses } from '../support/eventually';
import { residentPseudonym } from '../../src/publishing-kafka/resident-pseudonym';
import type { Api } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { TEST_PSEUDONYM_SECRET } from '../support/test-env';

describe('approving a resident: gRPC request → MongoDB → Kafka', () => {
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

  it('stores the approval and publishes it as a CloudEvent with the whole access', async () => {
    const request = anApproveResidentRequest({ clinicId });
    const resident = request.personalIdentityNumber;
    request.personalIdentityNumber = tenDigitForm(resident);

    const response = await staff.approveResident(request);

    expect(response.changed).toBe(true);
    expect(response.access).toMatchObject({ clinicId: request.clinicId, personalIdentityNumber: resident, version: 1 });
    expect(response.access?.approval?.approved).toMatchObject({ actor: 'staff-1', requestId: request.requestId });

    const stored = await sut.access.findOne({ _id: `${request.clinicId}|${resident}` });
    expect(stored).toMatchObject({ clinicId: request.clinicId, resident, version: 1 });
    expect(stored?.approval?.requestId).toBe(request.requestId);

    const [event] = await sut.events.waitFor((e) => e.value.requestId === request.requestId);
    const pseudonym = residentPseudonym(TEST_PSEUDONYM_SECRET, resident);
    expect(event!.key).toBe(`${request.clinicId}|${pseudonym}`);
    expect(event!.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'se.residentaccess.v1.AccessChanged',
      ce_source: '/resident-access',
      ce_subject: `clinics/${request.clinicId}/residents/${pseudonym}`,
      'content-type': 'application/json',
    });
    expect(event!.headers.ce_id).toBe(event!.value.eventId);
    expect(new Date(event!.headers.ce_time!).toISOString()).toBe(event!.headers.ce_time);
    expect(event!.value).toMatchObject({
      cause: 'ACCESS_CHANGE_CAUSE_APPROVED',
      version: 1,
      actor: 'staff-1',
      access: { clinicId: request.clinicId, personalIdentityNumber: resident, version: 1 },
    });
    // Headers and key carry no personal identity number: it travels only in the payload.
    expect(JSON.stringify([event!.key, event!.headers])).not.toContain(resident.slice(2));

    // Once published, the outbox is empty.
    await eventuallyPasses(async () => expect(await sut.access.findOne({ _id: `${request.clinicId}|${resident}` })).toMatchObject({ outbox: [], outboxPending: false, relayLease: null }), {
      what: 'the outbox emptied and the lease released',
      timeoutMs: 10_000,
    });
  });

  it('logs one line per call with method, status, duration and request id, and never the number', async () => {
    const request = anApproveResidentRequest({ clinicId });
    await staff.approveResident(request);

    const line = sut.logs.entries.find((e) => e.requestId === request.requestId && e.msg === 'rpc');
    expect(line).toMatchObject({ rpc: { method: 'ApproveResident', status: status[status.OK] } });
    expect(typeof (line!.rpc as { durationMs: unknown }).durationMs).toBe('number');
    const number = request.personalIdentityNumber;
    expect(sut.logs.text()).not.toContain(number.slice(2)); // 10 digits, also inside the 12
    expect(sut.logs.text()).not.toContain(`${number.slice(2, 8)}-${number.slice(8)}`);
  });
});
