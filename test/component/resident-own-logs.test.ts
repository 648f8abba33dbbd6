import { status, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { aResident, tenDigitForm } from '../builders/identity';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { residentEserviceClaims, signTestToken } from '../support/tokens';

const ENTITLEMENTS = 'resident-access:entitlements';

/**
 * The resident e-service reads a resident's own access log and audit trail only for the resident
 * its token acts for (token exchange: the personal_identity_number claim), never for one a request
 * names; and every listing of a log or trail, by the e-service or an administrator, is itself a
 * logged read.
 */
describe("the resident's own access log and audit trail", () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
    clinicId = await sut.givenClinic();
  });
  afterAll(async () => {
    await sut.stop();
  });

  /** A resident with one approval (an audit entry) and one staff lookup (an access-log entry). */
  async function aResidentWithHistory(): Promise<string> {
    const resident = aResident();
    const staff = await sut.staff(clinicId);
    const requestId = randomUUID();
    await staff.approveResident({ clinicId, personalIdentityNumber: resident, requestId, etag: '' });
    await sut.events.waitFor((e) => e.value.requestId === requestId); // its audit entry is written too
    await staff.lookupResident({ clinicId, personalIdentityNumber: resident });
    return resident;
  }

  const ownLog = (api: Api, personalIdentityNumber = '') => api.listResidentAccessLog({ personalIdentityNumber, clinicId: '', pageSize: 0, pageToken: '' });
  const ownTrail = (api: Api, personalIdentityNumber = '') => api.listResidentAuditEntries({ personalIdentityNumber, pageSize: 0, pageToken: '' });

  function expectDeniedWithoutNumbers(error: ServiceError, ...numbers: string[]) {
    expect({ code: error.code, reason: errorDetails(error).reason }).toEqual({ code: status.PERMISSION_DENIED, reason: 'PERMISSION_DENIED' });
    expect(error.details).toContain('personal_identity_number');
    for (const number of numbers) for (const form of [number, number.slice(2), tenDigitForm(number)]) expect(error.details).not.toContain(form);
  }

  it('a token with the scope but no resident reads no one, whatever the request names', async () => {
    const resident = await aResidentWithHistory();
    const serviceToken = await sut.eservice();

    for (const named of [resident, '']) {
      expectDeniedWithoutNumbers(await failureOf(ownLog(serviceToken, named)), resident);
      expectDeniedWithoutNumbers(await failureOf(ownTrail(serviceToken, named)), resident);
    }
    // Nothing was read, so nothing was logged: the resident's log holds the staff reads only.
    const log = await ownLog(await sut.eserviceFor(resident));
    expect(log.entries.map((e) => e.read).sort()).toEqual(['ApproveResident', 'LookupResident']);
  });

  it("a token acting for a resident lists that resident's own log and trail, with the number left out or repeated in any form", async () => {
    const resident = await aResidentWithHistory();
    const forResident = await sut.eserviceFor(resident);

    for (const named of ['', resident, tenDigitForm(resident)]) {
      const log = await ownLog(forResident, named);
      expect(log.entries.filter((e) => e.subject === 'staff-1').map((e) => e.read)).toEqual(['LookupResident', 'ApproveResident']); // newest first
      const trail = await ownTrail(forResident, named);
      expect(trail.entries.map((e) => [e.clinicId, e.personalIdentityNumber])).toEqual([[clinicId, resident]]);
    }
  });

  it('a request naming another resident is PERMISSION_DENIED naming the field, never a number; nothing of the other is read or logged', async () => {
    const [resident, other] = [await aResidentWithHistory(), await aResidentWithHistory()];
    const forResident = await sut.eserviceFor(resident, 'resident-session-curious');

    expectDeniedWithoutNumbers(await failureOf(ownLog(forResident, other)), resident, other);
    expectDeniedWithoutNumbers(await failureOf(ownTrail(forResident, tenDigitForm(other))), resident, other);

    const othersLog = await ownLog(await sut.eserviceFor(other));
    expect(othersLog.entries.filter((e) => e.subject === 'resident-session-curious')).toEqual([]);
  });

  it("every listing of a log or trail is a logged read: the e-service's for the resident, the administrator's for the clinic", async () => {
    const resident = await aResidentWithHistory();
    const residentSub = `resident-${randomUUID()}`;
    const forResident = await sut.eserviceFor(resident, residentSub);
    const adminSub = `admin-${randomUUID()}`;
    const admin = sut.api(await signTestToken({ sub: adminSub, clinics: [clinicId], roles: ['staff', 'admin'] }));

    await ownLog(forResident);
    await ownTrail(forResident);
    await admin.listResidentAccessLog({ personalIdentityNumber: tenDigitForm(resident), clinicId, pageSize: 0, pageToken: '' });
    await admin.listClinicAuditEntries({ clinicId, personalIdentityNumber: resident, pageSize: 0, pageToken: '' });

    const log = await ownLog(forResident);
    const listings = log.entries.filter((e) => e.subject === residentSub || e.subject === adminSub).map((e) => [e.read, e.subject, e.clinicId, e.authority]);
    expect(listings.sort()).toEqual(
      [
        ['ListResidentAccessLog', residentSub, '', `scope:${ENTITLEMENTS}`],
        ['ListResidentAuditEntries', residentSub, '', `scope:${ENTITLEMENTS}`],
        ['ListResidentAccessLog', adminSub, clinicId, 'role:admin'],
        ['ListClinicAuditEntries', adminSub, clinicId, 'role:admin'],
      ].sort(),
    );
    // The administrator's follow-up shows the reads made for the clinic, its own listing among them.
    const forClinic = await admin.listResidentAccessLog({ personalIdentityNumber: resident, clinicId, pageSize: 0, pageToken: '' });
    expect(
      forClinic.entries
        .filter((e) => e.subject === adminSub)
        .map((e) => e.read)
        .sort(),
    ).toEqual(['ListClinicAuditEntries', 'ListResidentAccessLog']);
  });

  it('a token whose resident claim is no valid number, or names no actor, is UNAUTHENTICATED', async () => {
    const resident = aResident();
    const wrongCheckDigit = `${resident.slice(0, 11)}${(Number(resident[11]) + 1) % 10}`;
    const exchanged = residentEserviceClaims(resident);
    const tokens = [
      await signTestToken({ ...exchanged, claims: { ...exchanged.claims, personal_identity_number: wrongCheckDigit } }),
      await signTestToken({ ...exchanged, claims: { ...exchanged.claims, personal_identity_number: resident.slice(2) } }),
      await signTestToken({ ...exchanged, claims: { personal_identity_number: resident } }),
    ];
    for (const token of tokens) {
      const error = await failureOf(ownLog(sut.api(token)));
      expect({ code: error.code, reason: errorDetails(error).reason }).toEqual({ code: status.UNAUTHENTICATED, reason: 'TOKEN_INVALID' });
    }
    expect(sut.logs.text()).not.toContain(resident.slice(2));
  });
});
