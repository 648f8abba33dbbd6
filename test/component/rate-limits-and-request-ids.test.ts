import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import { eventually } from '../support/eventually';
import { apiOf, errorDetails, failureOf, retryDelayOf, type Api } from '../support/grpc-client';
import { startWithClinic, type ServiceUnderTest } from '../support/service-under-test';
import { signTestToken } from '../support/tokens';

const LOOKUP_BURST = 3;
const ENTITLEMENTS_BURST = 2;
const RESIDENT_CALLS_BURST = 4;
const LISTINGS_BURST = 3;

describe('per-caller rate limits and request ids in logs', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic([{ id: 'general', name: 'General', restricted: false }], {
      env: {
        RATE_LIMIT_LOOKUP_PER_MINUTE: '1',
        RATE_LIMIT_LOOKUP_BURST: String(LOOKUP_BURST),
        RATE_LIMIT_ENTITLEMENTS_PER_SECOND: '1',
        RATE_LIMIT_ENTITLEMENTS_BURST: String(ENTITLEMENTS_BURST),
        RATE_LIMIT_RESIDENT_CALLS_PER_SECOND: '1',
        RATE_LIMIT_RESIDENT_CALLS_BURST: String(RESIDENT_CALLS_BURST),
        RATE_LIMIT_LISTINGS_PER_SECOND: '1',
        RATE_LIMIT_LISTINGS_BURST: String(LISTINGS_BURST),
      },
    }));
  });
  afterAll(async () => {
    await sut.stop();
  });

  const asCaller = async (sub: string, clinics = [clinicId]) => apiOf(sut.clients, await signTestToken({ sub, clinics, roles: ['staff'] }));

  it('the lookup after the burst is RESOURCE_EXHAUSTED with RetryInfo; another staff member is not held back', async () => {
    const enumerator = await asCaller('staff-enumerating');
    for (let i = 0; i < LOOKUP_BURST; i++) await enumerator.lookupResident({ clinicId, personalIdentityNumber: aResident() });

    const error = await failureOf(enumerator.lookupResident({ clinicId, personalIdentityNumber: aResident() }));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(errorDetails(error)).toMatchObject({ reason: 'RATE_LIMITED', domain: 'residentaccess.v1.ResidentAccessService' });
    const delay = retryDelayOf(error)!;
    const delayMs = delay.seconds * 1000 + delay.nanos / 1e6;
    expect(delayMs).toBeGreaterThan(0);
    expect(delayMs).toBeLessThanOrEqual(60_000);

    const colleague = await asCaller('staff-colleague');
    await expect(colleague.lookupResident({ clinicId, personalIdentityNumber: aResident() })).resolves.toMatchObject({ registered: false });
    // Other methods are not limited for the one held back.
    await expect(enumerator.getResidentAccess({ clinicId, personalIdentityNumber: aResident() })).resolves.toBeDefined();
  });

  it('commands that change nothing, and access reads, share one per-caller limit: past it RESOURCE_EXHAUSTED, and nothing more is answered', async () => {
    const prober = await asCaller('staff-probing');
    // More calls at once than the burst and a second's refill could serve: no-op removals and reads.
    const calls = Array.from({ length: RESIDENT_CALLS_BURST + 6 }, (_, i) =>
      i % 2 === 0
        ? prober.removeGrant({ clinicId, personalIdentityNumber: aResident(), caseTypeId: 'general', requestId: randomUUID(), etag: '' })
        : prober.getResidentAccess({ clinicId, personalIdentityNumber: aResident() }),
    );
    const outcomes = await Promise.allSettled(calls);
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const error of refused) expect({ code: error.code, reason: errorDetails(error).reason }).toEqual({ code: status.RESOURCE_EXHAUSTED, reason: 'RATE_LIMITED' });
    // A colleague is not held back.
    const colleague = await asCaller('staff-colleague-2');
    await expect(colleague.approveResident(anApproveResidentRequest({ clinicId }))).resolves.toMatchObject({ changed: true });
  });

  it('listing residents past the burst is RESOURCE_EXHAUSTED with RetryInfo; a colleague still lists', async () => {
    const lister = await asCaller('staff-listing');
    const listing = { clinicId, pageSize: 1000, pageToken: '', approvedOnly: false, caseTypeId: '' };
    const outcomes = await Promise.allSettled(Array.from({ length: LISTINGS_BURST + 4 }, () => lister.listResidents(listing)));
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const error of refused) {
      expect({ code: error.code, reason: errorDetails(error).reason, retry: retryDelayOf(error) !== undefined }).toEqual({
        code: status.RESOURCE_EXHAUSTED,
        reason: 'RATE_LIMITED',
        retry: true,
      });
    }
    await expect((await asCaller('staff-colleague-3')).listResidents(listing)).resolves.toBeDefined();
  });

  it('entitlement reads of one caller beyond their burst are RESOURCE_EXHAUSTED with RetryInfo', async () => {
    const eservice = apiOf(sut.clients, await signTestToken({ sub: 'eservice-hammering', scope: 'resident-access:entitlements' }));
    // More calls at once than the burst and a second's refill could serve.
    const calls = Array.from({ length: ENTITLEMENTS_BURST + 6 }, (_, i) =>
      i % 2 === 0 ? eservice.listEntitlements({ personalIdentityNumber: aResident() }) : eservice.checkEntitlement({ personalIdentityNumber: aResident(), clinicId, caseTypeId: 'general' }),
    );
    const outcomes = await Promise.allSettled(calls);
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(retryDelayOf(error)).toEqual({ seconds: expect.any(Number), nanos: expect.any(Number) });
    }
  });

  it("listings of a resident's own log and trail share one per-caller limit: past it RESOURCE_EXHAUSTED with RetryInfo", async () => {
    const resident = aResident();
    const refreshing = await sut.eserviceFor(resident, 'resident-session-refreshing');
    // More listings at once than the burst and a second's refill could serve, of both kinds.
    const calls = Array.from({ length: LISTINGS_BURST + 6 }, (_, i) =>
      i % 2 === 0
        ? refreshing.listResidentAccessLog({ personalIdentityNumber: '', clinicId: '', pageSize: 0, pageToken: '' })
        : refreshing.listResidentAuditEntries({ personalIdentityNumber: '', pageSize: 0, pageToken: '' }),
    );
    const outcomes = await Promise.allSettled(calls);
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const error of refused) {
      expect({ code: error.code, reason: errorDetails(error).reason }).toEqual({ code: status.RESOURCE_EXHAUSTED, reason: 'RATE_LIMITED' });
      expect(retryDelayOf(error)).toEqual({ seconds: expect.any(Number), nanos: expect.any(Number) });
    }
    // Another resident's session is not held back.
    await expect(
      (await sut.eserviceFor(aResident(), 'resident-session-other')).listResidentAccessLog({ personalIdentityNumber: '', clinicId: '', pageSize: 0, pageToken: '' }),
    ).resolves.toBeDefined();
  });

  it('logs a request id only once the caller is authenticated and the id is well-formed', async () => {
    const resident = aResident();
    const withNumber = `req-${resident}`;
    // Just under the 1 MiB receive limit (GRPC_MAX_RECEIVE_MESSAGE_BYTES), so it reaches validation.
    const huge = `${'x'.repeat(1000 * 1000)}-AstridLindqvist-${resident}`;
    const unauthenticated = `unauthenticated-${randomUUID()}`;
    const logged = `logged-${randomUUID()}`;

    await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: aResident(), requestId: withNumber }));
    const hugeError = await failureOf(staff.approveResident(anApproveResidentRequest({ clinicId, requestId: huge })));
    expect(hugeError.code).toBe(status.INVALID_ARGUMENT);
    expect(errorDetails(hugeError).violations.map((v) => v.field)).toEqual(['request_id']);
    expect((await failureOf(sut.api(null).approveResident(anApproveResidentRequest({ clinicId, requestId: unauthenticated })))).code).toBe(status.UNAUTHENTICATED);
    await staff.approveResident(anApproveResidentRequest({ clinicId, requestId: logged }));

    // The call's log line is written as it ends, which may be just after its answer arrived.
    await eventually(() => sut.logs.entries.some((e) => e.msg === 'rpc' && e.requestId === logged), { what: "the last call's rpc log line, with its request id" });
    const text = sut.logs.text();
    expect(text).not.toContain(resident);
    expect(text).not.toContain(resident.slice(2));
    expect(text).not.toContain('AstridLindqvist');
    expect(text).not.toContain('xxxxxxxxxxxxxxxx');
    expect(text).not.toContain(unauthenticated);
  });
});
