import { status } from '@grpc/grpc-js';
import { RESIDENTS_COLLECTION, type ResidentDocument } from '../../src/storage-mongo/mongo-resident-register';
import { aClinicId, aResident, tenDigitForm } from '../builders/identity';
import { aGrantCaseTypeRequest, anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { RESTRICTED_AND_GENERAL, startWithClinic, type ServiceUnderTest } from '../support/service-under-test';

const CASE_TYPES = RESTRICTED_AND_GENERAL;

describe('reading residents: GetResidentAccess and LookupResident', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic(CASE_TYPES));
  });
  afterAll(async () => {
    await sut.stop();
  });

  const residents = () => sut.db.collection<ResidentDocument>(RESIDENTS_COLLECTION);
  /** A resident as the register consumer would have stored it. */
  const givenRegistered = async (resident: string, overrides: Partial<ResidentDocument> = {}) => {
    await residents().insertOne({
      _id: resident,
      givenName: 'Astrid',
      familyName: 'Lindqvist',
      protectedIdentity: false,
      regionCode: '12',
      municipalityCode: '1281',
      registeredAt: new Date('2025-05-30T06:15:00Z'),
      ...overrides,
    });
  };

  describe('GetResidentAccess', () => {
    it('a resident with no access at the clinic: empty access, version 0, etag W/"0", and nothing is stored', async () => {
      const resident = aResident();
      const response = await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident });

      expect(response).toEqual({
        access: { clinicId, personalIdentityNumber: resident, approval: undefined, version: 0, etag: 'W/"0"', grants: [] },
      });
      expect(await sut.access.findOne({ _id: `${clinicId}|${resident}` })).toBeNull();
    });

    it('the whole access: approval and grants ordered by case type id, with dates and ends', async () => {
      const clinic = await sut.givenClinic({
        caseTypes: [...CASE_TYPES, { id: 'z-restricted', name: 'Last', restricted: true }, { id: 'a-restricted', name: 'First', restricted: true }],
      });
      const asStaff = await sut.staff(clinic);
      const resident = aResident();
      const approval = anApproveResidentRequest({ clinicId: clinic, personalIdentityNumber: resident });
      await asStaff.approveResident(approval);
      const grant = (caseTypeId: string, end: { untilDate?: string; untilFurtherNotice?: boolean }) =>
        asStaff.grantCaseType(aGrantCaseTypeRequest({ clinicId: clinic, personalIdentityNumber: resident, caseTypeId, untilFurtherNotice: undefined, ...end }));
      await grant('z-restricted', { untilDate: '2099-01-15' });
      await grant('restricted-1', { untilFurtherNotice: true });
      const last = await grant('a-restricted', { untilDate: '2099-07-15' });

      const { access } = await asStaff.getResidentAccess({ clinicId: clinic, personalIdentityNumber: resident });

      expect(access).toEqual(last.access);
      expect(access).toMatchObject({
        clinicId: clinic,
        personalIdentityNumber: resident,
        version: 4,
        etag: 'W/"4"',
        approval: { approved: { actor: 'staff-1', requestId: approval.requestId } },
      });
      expect(access!.grants.map((g) => [g.caseTypeId, g.untilDate, g.endsAt?.toISOString()])).toEqual([
        ['a-restricted', '2099-07-15', '2099-07-15T22:00:00.000Z'],
        ['restricted-1', '', undefined],
        ['z-restricted', '2099-01-15', '2099-01-15T23:00:00.000Z'],
      ]);
    });

    it('accepts the number in 10-digit form and answers in 12', async () => {
      const resident = aResident();
      await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));

      const response = await staff.getResidentAccess({ clinicId, personalIdentityNumber: tenDigitForm(resident) });

      expect(response.access).toMatchObject({ personalIdentityNumber: resident, version: 1, approval: { approved: { actor: 'staff-1' } } });
    });

    it('an invalid number is INVALID_ARGUMENT with a field violation, without echoing it', async () => {
      const resident = aResident();
      const wrongCheckDigit = resident.slice(0, 11) + ((Number(resident[11]) + 1) % 10);
      const error = await failureOf(staff.getResidentAccess({ clinicId, personalIdentityNumber: wrongCheckDigit }));

      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([['personal_identity_number', 'INVALID_PERSONAL_IDENTITY_NUMBER']]);
      expect(JSON.stringify([error.details, errorDetails(error)]) + sut.logs.text()).not.toContain(wrongCheckDigit.slice(2));
    });

    it('another clinic, and a clinic that does not exist, get the same PERMISSION_DENIED and no access is revealed', async () => {
      const resident = aResident();
      await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));
      const otherStaff = await sut.staff(await sut.givenClinic());
      const unknownClinic = aClinicId();

      const viaOtherStaff = await failureOf(otherStaff.getResidentAccess({ clinicId, personalIdentityNumber: resident }));
      const onUnknown = await failureOf((await sut.staff(unknownClinic)).getResidentAccess({ clinicId: unknownClinic, personalIdentityNumber: resident }));
      const anonymous = await failureOf(sut.api(null).getResidentAccess({ clinicId, personalIdentityNumber: resident }));

      expect([viaOtherStaff.code, onUnknown.code]).toEqual([status.PERMISSION_DENIED, status.PERMISSION_DENIED]);
      expect(viaOtherStaff.details).toBe(onUnknown.details);
      expect(anonymous.code).toBe(status.UNAUTHENTICATED);
    });
  });

  describe('LookupResident', () => {
    it('a registered resident: the normalised number and the name', async () => {
      const resident = aResident();
      await givenRegistered(resident, { givenName: 'Anna', familyName: 'Lindqvist' });

      for (const written of [resident, tenDigitForm(resident)]) {
        await expect(staff.lookupResident({ clinicId, personalIdentityNumber: written })).resolves.toEqual({
          personalIdentityNumber: resident,
          name: 'Anna Lindqvist',
          protectedIdentity: false,
          registered: true,
        });
      }
    });

    it('a registered coordination number is found like a personal identity number', async () => {
      const resident = aResident({ kind: 'samordningsnummer' });
      await givenRegistered(resident, { givenName: 'Olle', familyName: 'Berg' });

      await expect(staff.lookupResident({ clinicId, personalIdentityNumber: tenDigitForm(resident) })).resolves.toMatchObject({
        personalIdentityNumber: resident,
        name: 'Olle Berg',
        registered: true,
      });
    });

    it('a resident with protected identity: registered, but no name, neither in the answer nor in the logs', async () => {
      const resident = aResident();
      await givenRegistered(resident, { givenName: 'Hemlig', familyName: 'Skyddadsson', protectedIdentity: true });

      const response = await staff.lookupResident({ clinicId, personalIdentityNumber: resident });

      expect(response).toEqual({ personalIdentityNumber: resident, name: '', protectedIdentity: true, registered: true });
      expect(JSON.stringify(response) + sut.logs.text()).not.toMatch(/Hemlig|Skyddadsson/);
    });

    it('a valid number the register does not know: registered false, no name', async () => {
      const resident = aResident();
      const response = await staff.lookupResident({ clinicId, personalIdentityNumber: tenDigitForm(resident) });

      expect(response).toEqual({ personalIdentityNumber: resident, name: '', protectedIdentity: false, registered: false });
    });

    it('an invalid number is INVALID_ARGUMENT with a field violation, without echoing it', async () => {
      const resident = aResident();
      await givenRegistered(resident);
      const wrongCheckDigit = resident.slice(0, 11) + ((Number(resident[11]) + 1) % 10);

      for (const written of [wrongCheckDigit, '', 'not a number', '19000229-1234']) {
        const error = await failureOf(staff.lookupResident({ clinicId, personalIdentityNumber: written }));
        expect(error.code).toBe(status.INVALID_ARGUMENT);
        expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([['personal_identity_number', 'INVALID_PERSONAL_IDENTITY_NUMBER']]);
      }
      const error = await failureOf(staff.lookupResident({ clinicId, personalIdentityNumber: wrongCheckDigit }));
      expect(JSON.stringify([error.details, errorDetails(error)]) + sut.logs.text()).not.toContain(wrongCheckDigit.slice(2));
    });

    it('staff of another clinic get PERMISSION_DENIED and learn no name; no token is UNAUTHENTICATED', async () => {
      const resident = aResident();
      await givenRegistered(resident, { givenName: 'Greta', familyName: 'Holm' });
      const otherStaff = await sut.staff(await sut.givenClinic());

      const denied = await failureOf(otherStaff.lookupResident({ clinicId, personalIdentityNumber: resident }));
      const anonymous = await failureOf(sut.api(null).lookupResident({ clinicId, personalIdentityNumber: resident }));

      expect(denied.code).toBe(status.PERMISSION_DENIED);
      expect(errorDetails(denied).reason).toBe('PERMISSION_DENIED');
      expect(JSON.stringify([denied.details, errorDetails(denied)])).not.toMatch(/Greta|Holm/);
      expect(anonymous.code).toBe(status.UNAUTHENTICATED);
    });

    it('never writes the looked-up numbers or names to the log', async () => {
      const resident = aResident();
      await givenRegistered(resident, { givenName: 'Ingrid', familyName: 'Sjöberg' });
      await staff.lookupResident({ clinicId, personalIdentityNumber: tenDigitForm(resident) });

      const lines = sut.logs.entries.filter((e) => (e.rpc as { method?: string } | undefined)?.method?.includes('LookupResident'));
      expect(lines.length).toBeGreaterThan(0);
      const text = sut.logs.text();
      expect(text).not.toContain(resident.slice(2));
      expect(text).not.toContain(tenDigitForm(resident));
      expect(text).not.toMatch(/Ingrid|Sjöberg/);
    });
  });
});
