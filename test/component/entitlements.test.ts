import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { CaseType, ServiceArea } from '../../src/gen/residentaccess/v1/clinic';
import { Sex } from '../../src/gen/residentaccess/v1/clinic';
import { EntitlementReason } from '../../src/gen/residentaccess/v1/entitlement_service';
import { personalIdentityNumberFor } from '../../src/domain/identity/personal-identity-number.arbitrary';
import { aClinicId, aResident, tenDigitForm } from '../builders/identity';
import { aGrantCaseTypeRequest, anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { registerResidents } from '../support/population-register';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { signTestToken } from '../support/tokens';

const { ENTITLEMENT_REASON_APPROVED: APPROVED, ENTITLEMENT_REASON_GRANT: GRANT, ENTITLEMENT_REASON_SERVICE_AREA: SERVICE_AREA } = EntitlementReason;
const NOT_ALLOWED = { allowed: false, reason: EntitlementReason.ENTITLEMENT_REASON_UNSPECIFIED, untilDate: '' };

const general: CaseType = { id: 'general', name: 'General question', restricted: false };
const visit: CaseType = { id: 'visit', name: 'Book a visit', restricted: false };
const secret: CaseType = { id: 'secret', name: 'Sensitive matters', restricted: true };
const other: CaseType = { id: 'other-restricted', name: 'Another restricted one', restricted: true };

const area = (overrides: Partial<ServiceArea>): ServiceArea => ({
  regionCode: '12',
  municipalityCodes: [],
  sex: Sex.SEX_UNSPECIFIED,
  minAge: 0,
  maxAge: 0,
  ...overrides,
});

/** A resident of the given sex: the serial's last digit (the number's second-to-last) is odd for men. */
const aMan = (birthDate = '1970-05-17') => personalIdentityNumberFor(birthDate, 100 + 2 * Math.floor(Math.random() * 400) + 1);
const aWoman = (birthDate = '1970-05-17') => personalIdentityNumberFor(birthDate, 100 + 2 * Math.floor(Math.random() * 400));

/** The shared pieces of both services under test in this file. */
function helpers(get: () => ServiceUnderTest) {
  const registered = async (number: string, regionCode: string, municipalityCode: string) => {
    await registerResidents(get().env, get().db, [{ personalIdentityNumber: number, regionCode, municipalityCode }]);
    return number;
  };
  const approve = async (clinicId: string, resident: string) => (await get().staff(clinicId)).approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));
  const grant = async (clinicId: string, resident: string, caseTypeId: string, end: { untilDate: string } | { untilFurtherNotice: true }) =>
    (await get().staff(clinicId)).grantCaseType({
      ...aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident, caseTypeId }),
      untilFurtherNotice: undefined,
      ...end,
    });
  return { registered, approve, grant };
}

describe('EntitlementService', () => {
  let sut: ServiceUnderTest;
  let eservice: Api;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
    eservice = await sut.eservice();
  });
  afterAll(async () => {
    await sut.stop();
  });
  const { registered, approve, grant } = helpers(() => sut);
  const check = (personalIdentityNumber: string, clinicId: string, caseTypeId: string) => eservice.checkEntitlement({ personalIdentityNumber, clinicId, caseTypeId });
  const list = async (personalIdentityNumber: string) => (await eservice.listEntitlements({ personalIdentityNumber })).clinics;

  describe('APPROVED', () => {
    it('an approved resident may use the unrestricted case types, never the restricted ones', async () => {
      const clinicId = await sut.givenClinic({ caseTypes: [visit, secret, general] });
      const resident = aResident();
      await expect(list(resident)).resolves.toEqual([]);
      await expect(check(resident, clinicId, 'general')).resolves.toEqual(NOT_ALLOWED);

      await approve(clinicId, resident);

      await expect(list(resident)).resolves.toEqual([
        {
          clinicId,
          caseTypes: [
            { caseTypeId: 'general', name: 'General question', reason: APPROVED, untilDate: '' },
            { caseTypeId: 'visit', name: 'Book a visit', reason: APPROVED, untilDate: '' },
          ],
        },
      ]);
      await expect(check(resident, clinicId, 'general')).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
      await expect(check(resident, clinicId, 'visit')).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
      await expect(check(resident, clinicId, 'secret')).resolves.toEqual(NOT_ALLOWED);
      await expect(check(resident, clinicId, 'no-such-case-type')).resolves.toEqual(NOT_ALLOWED);
    });

    it('takes the number in any usual written form', async () => {
      const clinicId = await sut.givenClinic();
      const resident = aResident({ birthDate: '1985-03-14' });
      await approve(clinicId, resident);
      const forms = [resident, `${resident.slice(0, 8)}-${resident.slice(8)}`, tenDigitForm(resident), tenDigitForm(resident).replace('-', '')];
      for (const written of forms) {
        await expect(check(written, clinicId, 'general')).resolves.toMatchObject({ allowed: true, reason: APPROVED });
        await expect(list(written)).resolves.toEqual([{ clinicId, caseTypes: [expect.objectContaining({ caseTypeId: 'general' })] }]);
      }
    });

    it('a removed approval gives nothing any more', async () => {
      const clinicId = await sut.givenClinic();
      const resident = aResident();
      await approve(clinicId, resident);
      await (await sut.staff(clinicId)).removeApproval({ clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' });

      await expect(check(resident, clinicId, 'general')).resolves.toEqual(NOT_ALLOWED);
      await expect(list(resident)).resolves.toEqual([]);
    });
  });

  describe('GRANT', () => {
    it('a granted restricted case type is usable with its until date, or none until further notice', async () => {
      const clinicId = await sut.givenClinic({ caseTypes: [general, other, secret] });
      const resident = aResident();
      await grant(clinicId, resident, 'secret', { untilDate: '2099-06-30' });
      await grant(clinicId, resident, 'other-restricted', { untilFurtherNotice: true });

      await expect(check(resident, clinicId, 'secret')).resolves.toEqual({ allowed: true, reason: GRANT, untilDate: '2099-06-30' });
      await expect(check(resident, clinicId, 'other-restricted')).resolves.toEqual({ allowed: true, reason: GRANT, untilDate: '' });
      // A grant opens its one case type only: the resident is not approved.
      await expect(check(resident, clinicId, 'general')).resolves.toEqual(NOT_ALLOWED);
      await expect(list(resident)).resolves.toEqual([
        {
          clinicId,
          caseTypes: [
            { caseTypeId: 'other-restricted', name: 'Another restricted one', reason: GRANT, untilDate: '' },
            { caseTypeId: 'secret', name: 'Sensitive matters', reason: GRANT, untilDate: '2099-06-30' },
          ],
        },
      ]);
    });

    it('approved and granted: unrestricted case types by approval, the restricted one by grant', async () => {
      const clinicId = await sut.givenClinic({ caseTypes: [general, other, secret] });
      const resident = aResident();
      await approve(clinicId, resident);
      await grant(clinicId, resident, 'secret', { untilFurtherNotice: true });

      await expect(list(resident)).resolves.toEqual([
        {
          clinicId,
          caseTypes: [
            { caseTypeId: 'general', name: 'General question', reason: APPROVED, untilDate: '' },
            { caseTypeId: 'secret', name: 'Sensitive matters', reason: GRANT, untilDate: '' },
          ],
        },
      ]);
      await expect(check(resident, clinicId, 'other-restricted')).resolves.toEqual(NOT_ALLOWED);
    });

    it('a changed end shows at once, and a removed grant gives nothing', async () => {
      const clinicId = await sut.givenClinic({ caseTypes: [secret] });
      const resident = aResident();
      const staff = await sut.staff(clinicId);
      await grant(clinicId, resident, 'secret', { untilFurtherNotice: true });
      await staff.changeGrant({ clinicId, personalIdentityNumber: resident, caseTypeId: 'secret', untilDate: '2098-01-31', requestId: randomUUID(), etag: '' });
      await expect(check(resident, clinicId, 'secret')).resolves.toEqual({ allowed: true, reason: GRANT, untilDate: '2098-01-31' });

      await staff.removeGrant({ clinicId, personalIdentityNumber: resident, caseTypeId: 'secret', requestId: randomUUID(), etag: '' });
      await expect(check(resident, clinicId, 'secret')).resolves.toEqual(NOT_ALLOWED);
      await expect(list(resident)).resolves.toEqual([]);
    });

    it('a grant of a case type the clinic made unrestricted or removed gives nothing', async () => {
      const clinicId = await sut.givenClinic({ caseTypes: [other, secret] });
      const resident = aResident();
      await grant(clinicId, resident, 'secret', { untilFurtherNotice: true });
      await grant(clinicId, resident, 'other-restricted', { untilFurtherNotice: true });
      const admin = await sut.admin(clinicId);
      await admin.putCaseType({ clinicId, caseType: { ...secret, restricted: false }, requestId: randomUUID(), etag: '' });
      await admin.removeCaseType({ clinicId, caseTypeId: 'other-restricted', requestId: randomUUID(), etag: '' });

      // Unrestricted now, and the resident is not approved: nothing.
      await expect(check(resident, clinicId, 'secret')).resolves.toEqual(NOT_ALLOWED);
      await expect(check(resident, clinicId, 'other-restricted')).resolves.toEqual(NOT_ALLOWED);
      await expect(list(resident)).resolves.toEqual([]);
    });
  });

  describe('SERVICE_AREA', () => {
    it('a resident registered in one of the area municipalities may use the unrestricted case types', async () => {
      const clinicId = await sut.givenClinic({ caseTypes: [general, secret, visit], serviceArea: area({ regionCode: '03', municipalityCodes: ['0380', '0381'] }) });
      const resident = await registered(aResident(), '03', '0381');

      await expect(check(resident, clinicId, 'general')).resolves.toEqual({ allowed: true, reason: SERVICE_AREA, untilDate: '' });
      await expect(check(resident, clinicId, 'secret')).resolves.toEqual(NOT_ALLOWED);
      await expect(list(resident)).resolves.toEqual([
        {
          clinicId,
          caseTypes: [
            { caseTypeId: 'general', name: 'General question', reason: SERVICE_AREA, untilDate: '' },
            { caseTypeId: 'visit', name: 'Book a visit', reason: SERVICE_AREA, untilDate: '' },
          ],
        },
      ]);
    });

    it('an area without municipalities covers the whole region', async () => {
      const clinicId = await sut.givenClinic({ serviceArea: area({ regionCode: '04' }) });
      const resident = await registered(aResident(), '04', '0486');
      await expect(check(resident, clinicId, 'general')).resolves.toEqual({ allowed: true, reason: SERVICE_AREA, untilDate: '' });
      await expect(list(resident)).resolves.toEqual([{ clinicId, caseTypes: [{ caseTypeId: 'general', name: 'General question', reason: SERVICE_AREA, untilDate: '' }] }]);
    });

    it('residents of another municipality, another region, or not in the register are outside it', async () => {
      const clinicId = await sut.givenClinic({ serviceArea: area({ regionCode: '05', municipalityCodes: ['0580'] }) });
      const otherMunicipality = await registered(aResident(), '05', '0581');
      const otherRegion = await registered(aResident(), '06', '0680');
      const unregistered = aResident();

      for (const resident of [otherMunicipality, otherRegion, unregistered]) {
        await expect(check(resident, clinicId, 'general')).resolves.toEqual(NOT_ALLOWED);
        await expect(list(resident)).resolves.toEqual([]);
      }
    });

    it('an area for one sex: men by an odd second-to-last digit, women by an even one', async () => {
      const forMen = await sut.givenClinic({ serviceArea: area({ regionCode: '07', sex: Sex.SEX_MALE }) });
      const forWomen = await sut.givenClinic({ serviceArea: area({ regionCode: '07', sex: Sex.SEX_FEMALE }) });
      const man = await registered(aMan(), '07', '0780');
      const woman = await registered(aWoman(), '07', '0780');
      expect(Number(man[10]) % 2).toBe(1);
      expect(Number(woman[10]) % 2).toBe(0);

      await expect(check(man, forMen, 'general')).resolves.toMatchObject({ allowed: true, reason: SERVICE_AREA });
      await expect(check(man, forWomen, 'general')).resolves.toEqual(NOT_ALLOWED);
      await expect(check(woman, forWomen, 'general')).resolves.toMatchObject({ allowed: true, reason: SERVICE_AREA });
      await expect(check(woman, forMen, 'general')).resolves.toEqual(NOT_ALLOWED);
      expect((await list(man)).map((c) => c.clinicId)).toEqual([forMen]);
      expect((await list(woman)).map((c) => c.clinicId)).toEqual([forWomen]);
    });

    it('an approved resident in the area is listed by approval; clearing the area takes it from the others at once', async () => {
      const clinicId = await sut.givenClinic({ serviceArea: area({ regionCode: '08' }) });
      const approvedInArea = await registered(aResident(), '08', '0880');
      const inArea = await registered(aResident(), '08', '0881');
      await approve(clinicId, approvedInArea);
      await expect(check(approvedInArea, clinicId, 'general')).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
      await expect(check(inArea, clinicId, 'general')).resolves.toEqual({ allowed: true, reason: SERVICE_AREA, untilDate: '' });

      await (await sut.admin(clinicId)).clearServiceArea({ clinicId, requestId: randomUUID(), etag: '' });

      await expect(check(inArea, clinicId, 'general')).resolves.toEqual(NOT_ALLOWED);
      await expect(list(inArea)).resolves.toEqual([]);
      await expect(check(approvedInArea, clinicId, 'general')).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
    });
  });

  it('lists every clinic the resident may use, ordered by clinic id, leaving out clinics with nothing usable', async () => {
    const byApproval = await sut.givenClinic();
    const byGrant = await sut.givenClinic({ caseTypes: [general, secret] });
    const byArea = await sut.givenClinic({ serviceArea: area({ regionCode: '09' }) });
    const onlyRestricted = await sut.givenClinic({ caseTypes: [secret] });
    const resident = await registered(aResident(), '09', '0980');
    await approve(byApproval, resident);
    await grant(byGrant, resident, 'secret', { untilDate: '2099-01-01' });
    await approve(onlyRestricted, resident);

    const clinics = await list(resident);

    expect(clinics.map((c) => c.clinicId)).toEqual([byApproval, byGrant, byArea].sort());
    expect(clinics.find((c) => c.clinicId === byApproval)?.caseTypes).toEqual([{ caseTypeId: 'general', name: 'General question', reason: APPROVED, untilDate: '' }]);
    expect(clinics.find((c) => c.clinicId === byGrant)?.caseTypes).toEqual([{ caseTypeId: 'secret', name: 'Sensitive matters', reason: GRANT, untilDate: '2099-01-01' }]);
    expect(clinics.find((c) => c.clinicId === byArea)?.caseTypes).toEqual([{ caseTypeId: 'general', name: 'General question', reason: SERVICE_AREA, untilDate: '' }]);
  });

  it('an unknown clinic is simply not allowed', async () => {
    await expect(check(aResident(), aClinicId(), 'general')).resolves.toEqual(NOT_ALLOWED);
  });

  it('a token without the entitlements scope gets PERMISSION_DENIED, even a staff or administrator token of the clinic', async () => {
    const clinicId = await sut.givenClinic();
    const resident = aResident();
    await approve(clinicId, resident);
    const callers = [await sut.staff(clinicId), await sut.admin(clinicId), sut.api(await signTestToken({ sub: 'resident-eservice', scope: 'resident-access:something-else' }))];
    for (const caller of callers) {
      for (const call of [
        () => caller.checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: 'general' }),
        () => caller.listEntitlements({ personalIdentityNumber: resident }),
      ]) {
        const error = await failureOf(call());
        expect(error.code).toBe(status.PERMISSION_DENIED);
        expect(errorDetails(error).reason).toBe('PERMISSION_DENIED');
      }
    }
    const withOtherScopes = sut.api(await signTestToken({ sub: 'resident-eservice', scope: 'openid resident-access:entitlements profile' }));
    await expect(withOtherScopes.checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: 'general' })).resolves.toMatchObject({ allowed: true });
  });

  it("a token acting for a resident (token exchange) reads that resident's entitlements only; another's is PERMISSION_DENIED, never echoing a number", async () => {
    const clinicId = await sut.givenClinic();
    const [resident, other] = [aResident(), aResident()];
    await approve(clinicId, resident);
    await approve(clinicId, other);
    const forResident = await sut.eserviceFor(resident);

    await expect(forResident.checkEntitlement({ personalIdentityNumber: tenDigitForm(resident), clinicId, caseTypeId: 'general' })).resolves.toMatchObject({ allowed: true });
    expect((await forResident.listEntitlements({ personalIdentityNumber: resident })).clinics.map((c) => c.clinicId)).toEqual([clinicId]);
    for (const call of [
      () => forResident.checkEntitlement({ personalIdentityNumber: other, clinicId, caseTypeId: 'general' }),
      () => forResident.listEntitlements({ personalIdentityNumber: tenDigitForm(other) }),
    ]) {
      const error = await failureOf(call());
      expect({ code: error.code, reason: errorDetails(error).reason }).toEqual({ code: status.PERMISSION_DENIED, reason: 'PERMISSION_DENIED' });
      expect(error.details).toContain('personal_identity_number');
      for (const number of [resident, other]) expect(JSON.stringify([error.details, errorDetails(error)])).not.toContain(number.slice(2));
    }
  });

  it('an invalid number is INVALID_ARGUMENT naming the field, never echoing the number', async () => {
    const valid = aResident();
    const wrongCheckDigit = valid.slice(0, 11) + ((Number(valid[11]) + 1) % 10);
    const failures = [
      await failureOf(eservice.listEntitlements({ personalIdentityNumber: wrongCheckDigit })),
      await failureOf(check(wrongCheckDigit, aClinicId(), 'general')),
      await failureOf(eservice.listEntitlements({ personalIdentityNumber: '' })),
    ];
    for (const error of failures) {
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([['personal_identity_number', 'INVALID_PERSONAL_IDENTITY_NUMBER']]);
      expect(JSON.stringify([error.details, errorDetails(error)])).not.toContain(wrongCheckDigit.slice(2));
    }
    expect(sut.logs.text()).not.toContain(wrongCheckDigit.slice(2));

    const everything = await failureOf(check('12345', 'not-a-clinic', 'bad id!'));
    expect(everything.code).toBe(status.INVALID_ARGUMENT);
    expect(errorDetails(everything).violations.map((v) => v.field)).toEqual(['personal_identity_number', 'clinic_id', 'case_type_id']);
  });
});

describe('EntitlementService with a moving clock', () => {
  let current = new Date('2027-01-10T09:00:00Z');
  let sut: ServiceUnderTest;
  let eservice: Api;
  beforeAll(async () => {
    sut = await startServiceUnderTest({ clock: { now: () => current } });
    eservice = await sut.eservice();
  });
  afterAll(async () => {
    await sut.stop();
  });
  const { registered, grant } = helpers(() => sut);
  const check = (personalIdentityNumber: string, clinicId: string, caseTypeId: string) => eservice.checkEntitlement({ personalIdentityNumber, clinicId, caseTypeId });
  const listed = async (personalIdentityNumber: string) => (await eservice.listEntitlements({ personalIdentityNumber })).clinics;

  it.each([
    // Winter time (CET, UTC+1): 2027-01-15 23:59:59 in Stockholm is 22:59:59 UTC.
    ['winter', '2027-01-10T09:00:00Z', '2027-01-15', '2027-01-15T22:59:59Z', '2027-01-15T23:00:00Z'],
    // Summer time (CEST, UTC+2): 2027-07-15 23:59:59 in Stockholm is 21:59:59 UTC.
    ['summer', '2027-07-10T09:00:00Z', '2027-07-15', '2027-07-15T21:59:59Z', '2027-07-15T22:00:00Z'],
  ])('in %s time a grant until D is valid through 23:59:59 on D in Stockholm and ends at 00:00:00 the next day', async (_, grantedAt, until, lastSecond, nextMidnight) => {
    current = new Date(grantedAt);
    const clinicId = await sut.givenClinic({ caseTypes: [secret] });
    const resident = aResident();
    const granted = await grant(clinicId, resident, 'secret', { untilDate: until });
    expect(granted.access?.grants[0]).toMatchObject({ untilDate: until, endsAt: new Date(nextMidnight) });
    const allowed = { allowed: true, reason: GRANT, untilDate: until };

    current = new Date(new Date(until).getTime() - 3_600_000 * 13); // the day before, around noon
    await expect(check(resident, clinicId, 'secret')).resolves.toEqual(allowed);

    current = new Date(lastSecond);
    await expect(check(resident, clinicId, 'secret')).resolves.toEqual(allowed);
    await expect(listed(resident)).resolves.toEqual([{ clinicId, caseTypes: [{ caseTypeId: 'secret', name: secret.name, reason: GRANT, untilDate: until }] }]);
    current = new Date(new Date(lastSecond).getTime() + 999);
    await expect(check(resident, clinicId, 'secret')).resolves.toEqual(allowed);

    current = new Date(nextMidnight);
    await expect(check(resident, clinicId, 'secret')).resolves.toEqual(NOT_ALLOWED);
    await expect(listed(resident)).resolves.toEqual([]);
    current = new Date(new Date(nextMidnight).getTime() + 86_400_000);
    await expect(check(resident, clinicId, 'secret')).resolves.toEqual(NOT_ALLOWED);
  });

  it('an area with an age range counts whole years on today in Stockholm', async () => {
    // 2028-03-09 23:30 UTC is already 2028-03-10 in Stockholm.
    current = new Date('2028-03-09T23:30:00Z');
    const clinicId = await sut.givenClinic({ serviceArea: area({ regionCode: '10', minAge: 18, maxAge: 65 }) });
    const eighteenToday = await registered(aResident({ birthDate: '2010-03-10' }), '10', '1080');
    const eighteenTomorrow = await registered(aResident({ birthDate: '2010-03-11' }), '10', '1080');
    const sixtyFiveLastDay = await registered(aResident({ birthDate: '1962-03-11' }), '10', '1080');
    const sixtySixToday = await registered(aResident({ birthDate: '1962-03-10' }), '10', '1080');
    // A coordination number carries the birth day + 60: born 2010-03-11 reads as day 71.
    const coordinationEighteenTomorrow = await registered(aResident({ birthDate: '2010-03-11', kind: 'samordningsnummer' }), '10', '1080');
    expect(coordinationEighteenTomorrow.slice(6, 8)).toBe('71');

    const inArea = { allowed: true, reason: SERVICE_AREA, untilDate: '' };
    await expect(check(eighteenToday, clinicId, 'general')).resolves.toEqual(inArea);
    await expect(check(sixtyFiveLastDay, clinicId, 'general')).resolves.toEqual(inArea);
    await expect(check(eighteenTomorrow, clinicId, 'general')).resolves.toEqual(NOT_ALLOWED);
    await expect(check(sixtySixToday, clinicId, 'general')).resolves.toEqual(NOT_ALLOWED);
    await expect(check(coordinationEighteenTomorrow, clinicId, 'general')).resolves.toEqual(NOT_ALLOWED);
    await expect(listed(eighteenTomorrow)).resolves.toEqual([]);
    await expect(listed(eighteenToday)).resolves.toEqual([{ clinicId, caseTypes: [expect.objectContaining({ reason: SERVICE_AREA })] }]);

    // A day later in Stockholm: one comes of age, the other has passed the range.
    current = new Date('2028-03-10T23:30:00Z');
    await expect(check(eighteenTomorrow, clinicId, 'general')).resolves.toEqual(inArea);
    await expect(check(coordinationEighteenTomorrow, clinicId, 'general')).resolves.toEqual(inArea);
    await expect(check(sixtyFiveLastDay, clinicId, 'general')).resolves.toEqual(NOT_ALLOWED);
  });

  it('a grant until further notice never ends', async () => {
    current = new Date('2028-04-01T12:00:00Z');
    const clinicId = await sut.givenClinic({ caseTypes: [secret] });
    const resident = aResident();
    await grant(clinicId, resident, 'secret', { untilFurtherNotice: true });
    current = new Date('2060-12-31T23:30:00Z');
    await expect(check(resident, clinicId, 'secret')).resolves.toEqual({ allowed: true, reason: GRANT, untilDate: '' });
  });
});
