import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { aResident } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import type { ApproveResidentResponse } from '../../src/gen/residentaccess/v1/resident_access_service';
import type { CheckEntitlementRequest, CheckEntitlementResponse } from '../../src/gen/residentaccess/v1/entitlement_service';
import { startWithClinic, type ServiceUnderTest } from '../support/service-under-test';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { integrationServers } from '../support/test-env';
import { signTestToken } from '../support/tokens';
import { eventuallyFound } from '../support/eventually';

const CALL_DEADLINE_MS = 300;

function withToken(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** A consistency token of the same resident and clinic for a version storage never reaches. */
function tokenOfAFutureVersion(token: string): string {
  const parts = Buffer.from(token, 'base64url').toString().split('~');
  parts[3] = '999999';
  return Buffer.from(parts.join('~')).toString('base64url');
}

/** Waits for the line the service logs when the work of a call that ended early has stopped. */
async function workOfEndedCall(sut: ServiceUnderTest, method: string): Promise<Record<string, unknown>> {
  const line = await eventuallyFound(() => sut.logs.entries.find((e) => e.msg === 'work of an ended call finished' && (e.rpc as { method: string }).method === method), {
    what: `a 'work of an ended call finished' line for ${method}`,
    timeoutMs: 20_000,
  });
  return line.rpc as Record<string, unknown>;
}

describe('deadlines and cancellation reach the use cases', () => {
  let proxy: TcpProxy;
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staffToken: string;
  beforeAll(async () => {
    // The service reaches the database through a proxy the test can slow down.
    const database = new URL(integrationServers().mongoUri);
    proxy = await startTcpProxy(Number(database.port || 27017), database.hostname);
    database.host = proxy.address;
    ({ sut, clinicId } = await startWithClinic([{ id: 'general', name: 'General', restricted: false }], {
      // A consistency token is waited for far longer than any call's deadline here.
      env: { MONGODB_URI: database.toString(), CONSISTENCY_WAIT_MS: '30000' },
    }));
    staffToken = await signTestToken({ sub: 'staff-1', clinics: [clinicId], roles: ['staff'] });
  });
  afterAll(async () => {
    proxy.pass();
    await sut.stop();
    await proxy.stop();
  });

  it('a CheckEntitlement waiting for a consistency token ends at its deadline, and its wait stops', async () => {
    const resident = aResident();
    const approved = await (await sut.staff(clinicId)).approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));
    const eserviceToken = await signTestToken({ sub: 'resident-eservice', scope: 'resident-access:entitlements' });
    const request: CheckEntitlementRequest = {
      personalIdentityNumber: resident,
      clinicId,
      caseTypeId: 'general',
      consistencyToken: tokenOfAFutureVersion(approved.consistencyToken),
    };

    const error = await new Promise<ServiceError>((resolve) =>
      sut.clients.entitlements.checkEntitlement(request, withToken(eserviceToken), { deadline: Date.now() + CALL_DEADLINE_MS }, (e: ServiceError | null, _r?: CheckEntitlementResponse) =>
        resolve(e!),
      ),
    );

    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    // Without the signal the wait would run its 30 s and end NOT_YET_CONSISTENT.
    expect(await workOfEndedCall(sut, 'CheckEntitlement')).toEqual({ method: 'CheckEntitlement', outcome: 'DEADLINE_EXCEEDED' });
    expect(
      sut.logs.entries.some(
        (e) => e.msg === 'rpc' && (e.rpc as { method: string; status: string }).method === 'CheckEntitlement' && (e.rpc as { status: string }).status === 'DEADLINE_EXCEEDED',
      ),
    ).toBe(true);
  });

  it('an ApproveResident whose deadline passes while its first read is under way writes nothing', async () => {
    const request = anApproveResidentRequest({ clinicId, personalIdentityNumber: aResident() });
    // Every database round trip now takes at least twice this: far beyond the call's deadline.
    proxy.delay(1500);
    let error: ServiceError;
    try {
      error = await new Promise<ServiceError>((resolve) =>
        sut.clients.residentAccess.approveResident(request, withToken(staffToken), { deadline: Date.now() + CALL_DEADLINE_MS }, (e: ServiceError | null, _r?: ApproveResidentResponse) =>
          resolve(e!),
        ),
      );
      expect(error.code).toBe(status.DEADLINE_EXCEEDED);
      expect(await workOfEndedCall(sut, 'ApproveResident')).toEqual({ method: 'ApproveResident', outcome: 'DEADLINE_EXCEEDED' });
    } finally {
      proxy.pass();
    }
    expect(await sut.access.findOne({ _id: `${request.clinicId}|${request.personalIdentityNumber}` })).toBeNull();
    expect(await sut.requestIdRecord(clinicId, 'staff-1', request.requestId)).toBeNull();

    // The same lookups find what the same request stores once the database is quick again: the
    // absences above are the call's doing, not lookups that find nothing.
    await (await sut.staff(clinicId)).approveResident(request);
    expect(await sut.access.findOne({ _id: `${request.clinicId}|${request.personalIdentityNumber}` })).toMatchObject({ approval: { requestId: request.requestId } });
    expect(await sut.requestIdRecord(clinicId, 'staff-1', request.requestId)).toMatchObject({ fingerprint: expect.any(String) });
  });
});
