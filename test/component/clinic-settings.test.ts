import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { CaseType, ServiceArea } from '../../src/gen/residentaccess/v1/clinic';
import { Sex } from '../../src/gen/residentaccess/v1/clinic';
import type { ClinicDocument } from '../../src/storage-mongo/clinic-document';
import { aClinicId, aResident } from '../builders/identity';
import { aGrantCaseTypeRequest, anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { eventuallyPasses } from '../support/eventually';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import type { ConsumedEvent } from '../support/event-consumer';

const general: CaseType = { id: 'general', name: 'General question', restricted: false };
const visit: CaseType = { id: 'visit', name: 'Book a visit', restricted: false };
const secret: CaseType = { id: 'secret', name: 'Sensitive matters', restricted: true };
const other: CaseType = { id: 'other-restricted', name: 'Another restricted one', restricted: true };

const area = (overrides: Partial<ServiceArea> = {}): ServiceArea => ({
  regionCode: '12',
  municipalityCodes: ['1280', '1281'],
  sex: Sex.SEX_UNSPECIFIED,
  minAge: 0,
  maxAge: 0,
  ...overrides,
});

describe('ClinicSettingsService', () => {
  let sut: ServiceUnderTest;
  let clinics: Collection<ClinicDocument>;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
    clinics = sut.db.collection<ClinicDocument>('clinics');
  });
  afterAll(async () => {
    await sut.stop();
  });

  const put = (api: Api, clinicId: string, caseType: CaseType, more: { requestId?: string; etag?: string } = {}) =>
    api.putCaseType({ clinicId, caseType, requestId: more.requestId ?? randomUUID(), etag: more.etag ?? '' });
  const remove = (api: Api, clinicId: string, caseTypeId: string, more: { requestId?: string; etag?: string } = {}) =>
    api.removeCaseType({ clinicId, caseTypeId, requestId: more.requestId ?? randomUUID(), etag: more.etag ?? '' });
  const setArea = (api: Api, clinicId: string, serviceArea: ServiceArea | undefined, more: { requestId?: string; etag?: string } = {}) =>
    api.setServiceArea({ clinicId, serviceArea, requestId: more.requestId ?? randomUUID(), etag: more.etag ?? '' });
  const clearArea = (api: Api, clinicId: string, more: { requestId?: string; etag?: string } = {}) =>
    api.clearServiceArea({ clinicId, requestId: more.requestId ?? randomUUID(), etag: more.etag ?? '' });
  const clinicDocument = (clinicId: string) => clinics.findOne({ _id: clinicId });
  const accessDocument = (clinicId: string, resident: string) => sut.access.findOne({ _id: `${clinicId}|${resident}` });
  const residentOf = (e: ConsumedEvent) => (e.value.access as { personalIdentityNumber?: string } | undefined)?.personalIdentityNumber;
  const clinicOf = (e: ConsumedEvent) => (e.value.access as { clinicId?: string } | undefined)?.clinicId;
  const withdrawalEventsOf = (clinicId: string, resident: string) =>
    sut.events.events.filter((e) => clinicOf(e) === clinicId && residentOf(e) === resident && e.value.cause === 'ACCESS_CHANGE_CAUSE_CASE_TYPE_WITHDRAWN');
  /** A later event, published after, proves the relay ran past everything before it. */
  const relayCaughtUp = async (clinicId: string) => {
    const marker = anApproveResidentRequest({ clinicId });
    await (await sut.staff(clinicId)).approveResident(marker);
    await sut.events.waitFor((e) => e.value.requestId === marker.requestId);
  };

  describe('reading and writing settings', () => {
    it('PutCaseType creates the settings on first write, and GetClinicSettings reads them back', async () => {
      const clinicId = aClinicId();
      const admin = await sut.admin(clinicId);
      const before = await failureOf(admin.getClinicSettings({ clinicId }));
      expect(before.code).toBe(status.PERMISSION_DENIED);

      const response = await put(admin, clinicId, visit);

      expect(response).toEqual({
        changed: true,
        settings: { clinicId, caseTypes: [visit], serviceArea: undefined, grantEndingSoonDays: 0, version: 1, etag: 'W/"1"' },
        consistencyToken: expect.any(String),
      });
      await expect(admin.getClinicSettings({ clinicId })).resolves.toEqual({ settings: response.settings });
      expect(await clinicDocument(clinicId)).toMatchObject({ caseTypes: [visit], serviceArea: null, hasServiceArea: false, version: 1, pendingWithdrawals: [] });
    });

    it('orders case types by id; changing a name grows version and etag; the same case type again is changed: false', async () => {
      const clinicId = aClinicId();
      const admin = await sut.admin(clinicId);
      await put(admin, clinicId, visit);
      const second = await put(admin, clinicId, general);
      expect(second.settings?.caseTypes.map((c) => c.id)).toEqual(['general', 'visit']);
      expect(second.settings).toMatchObject({ version: 2, etag: 'W/"2"' });

      const renamed = await put(admin, clinicId, { ...visit, name: 'Book or change a visit' });
      expect(renamed.changed).toBe(true);
      expect(renamed.settings).toMatchObject({ version: 3, etag: 'W/"3"' });
      expect(renamed.settings?.caseTypes).toEqual([general, { ...visit, name: 'Book or change a visit' }]);

      const same = await put(admin, clinicId, { ...visit, name: '  Book or change a visit ' });
      expect(same.changed).toBe(false);
      expect(same.settings).toEqual(renamed.settings);
      expect(await clinicDocument(clinicId)).toMatchObject({ version: 3, caseTypes: [general, { ...visit, name: 'Book or change a visit' }] });
      await expect(admin.getClinicSettings({ clinicId })).resolves.toEqual({ settings: renamed.settings });
    });

    it('PutCaseType refuses a bad id or name with field violations and stores nothing', async () => {
      const clinicId = await sut.givenClinic();
      const admin = await sut.admin(clinicId);

      const error = await failureOf(put(admin, clinicId, { id: 'no spaces allowed', name: '   ', restricted: false }));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([
        ['case_type.id', 'INVALID_CASE_TYPE_ID'],
        ['case_type.name', 'INVALID_CASE_TYPE_NAME'],
      ]);
      const missing = await failureOf(admin.putCaseType({ clinicId, caseType: undefined, requestId: randomUUID(), etag: '' }));
      expect(missing.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(missing).violations.map((v) => [v.field, v.reason])).toEqual([['case_type', 'REQUIRED']]);
      expect(await clinicDocument(clinicId)).toMatchObject({ version: 1, caseTypes: [general] });
    });

    it('RemoveCaseType removes a case type; removing an unknown one changes nothing', async () => {
      const clinicId = await sut.givenClinic({ caseTypes: [general, visit] });
      const admin = await sut.admin(clinicId);

      const removed = await remove(admin, clinicId, 'visit');
      expect(removed).toEqual({
        changed: true,
        settings: { clinicId, caseTypes: [general], serviceArea: undefined, grantEndingSoonDays: 0, version: 3, etag: 'W/"3"' },
        consistencyToken: expect.any(String),
      });
      const again = await remove(admin, clinicId, 'visit');
      expect(again).toEqual({ changed: false, settings: removed.settings, consistencyToken: removed.consistencyToken });
      const unknown = await remove(admin, clinicId, 'never-existed');
      expect(unknown.changed).toBe(false);
      expect(await clinicDocument(clinicId)).toMatchObject({ version: 3, caseTypes: [general] });

      const bad = await failureOf(remove(admin, clinicId, 'bad id!'));
      expect(bad.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(bad).violations.map((v) => [v.field, v.reason])).toEqual([['case_type_id', 'INVALID_CASE_TYPE_ID']]);
    });

    it('a no-op RemoveCaseType or ClearServiceArea on a clinic without settings creates no clinic', async () => {
      const clinicId = aClinicId();
      const admin = await sut.admin(clinicId);

      await expect(remove(admin, clinicId, 'anything')).resolves.toMatchObject({ changed: false, settings: { version: 0 } });
      await expect(clearArea(admin, clinicId)).resolves.toMatchObject({ changed: false, settings: { version: 0 } });

      expect(await clinicDocument(clinicId)).toBeNull();
      const error = await failureOf(admin.getClinicSettings({ clinicId }));
      expect(error.code).toBe(status.PERMISSION_DENIED);
    });

    it('SetServiceArea sets a valid area (same again: changed false) and ClearServiceArea removes it', async () => {
      const clinicId = await sut.givenClinic();
      const admin = await sut.admin(clinicId);
      const wanted = area({ sex: Sex.SEX_FEMALE, minAge: 18, maxAge: 65 });

      const set = await setArea(admin, clinicId, wanted);
      expect(set).toEqual({
        changed: true,
        settings: { clinicId, caseTypes: [general], serviceArea: wanted, grantEndingSoonDays: 0, version: 2, etag: 'W/"2"' },
        consistencyToken: expect.any(String),
      });
      expect(await clinicDocument(clinicId)).toMatchObject({
        hasServiceArea: true,
        serviceArea: { regionCode: '12', municipalityCodes: ['1280', '1281'], sex: 'female', minAge: 18, maxAge: 65 },
      });
      const sameAgain = await setArea(admin, clinicId, { ...wanted, municipalityCodes: ['1281', '1280'] });
      expect(sameAgain.changed).toBe(false);
      expect(sameAgain.settings?.version).toBe(2);
      await expect(admin.getClinicSettings({ clinicId })).resolves.toEqual({ settings: set.settings });

      const wholeRegion = await setArea(admin, clinicId, area({ regionCode: '01', municipalityCodes: [] }));
      expect(wholeRegion.settings).toMatchObject({ version: 3, serviceArea: { regionCode: '01', municipalityCodes: [], sex: Sex.SEX_UNSPECIFIED, minAge: 0, maxAge: 0 } });
      expect((await clinicDocument(clinicId))?.serviceArea).toEqual({ regionCode: '01', municipalityCodes: [], sex: null, minAge: null, maxAge: null });

      const cleared = await clearArea(admin, clinicId);
      expect(cleared).toEqual({
        changed: true,
        settings: { clinicId, caseTypes: [general], serviceArea: undefined, grantEndingSoonDays: 0, version: 4, etag: 'W/"4"' },
        consistencyToken: expect.any(String),
      });
      expect(await clinicDocument(clinicId)).toMatchObject({ serviceArea: null, hasServiceArea: false, version: 4 });
      const clearedAgain = await clearArea(admin, clinicId);
      expect(clearedAgain).toEqual({ changed: false, settings: cleared.settings, consistencyToken: cleared.consistencyToken });
    });

    it('SetServiceArea creates the settings of a clinic that has none yet', async () => {
      const clinicId = aClinicId();
      const admin = await sut.admin(clinicId);
      const response = await setArea(admin, clinicId, area());
      expect(response).toEqual({
        changed: true,
        settings: { clinicId, caseTypes: [], serviceArea: area(), grantEndingSoonDays: 0, version: 1, etag: 'W/"1"' },
        consistencyToken: expect.any(String),
      });
      expect(await clinicDocument(clinicId)).toMatchObject({ version: 1, hasServiceArea: true });
    });

    it.each([
      ['no service area at all', undefined, [['service_area', 'REQUIRED']]],
      ['no region', area({ regionCode: '', municipalityCodes: [] }), [['service_area.region_code', 'INVALID_REGION_CODE']]],
      ['a region that does not exist', area({ regionCode: '26', municipalityCodes: [] }), [['service_area.region_code', 'INVALID_REGION_CODE']]],
      ['a municipality outside the region', area({ regionCode: '01', municipalityCodes: ['0180', '1280'] }), [['service_area.municipality_codes[1]', 'INVALID_MUNICIPALITY_CODE']]],
      ['min_age above max_age', area({ minAge: 40, maxAge: 20 }), [['service_area.max_age', 'INVALID_AGE_RANGE']]],
      [
        'everything wrong at once',
        area({ regionCode: '99', municipalityCodes: ['12'], minAge: -1, maxAge: 500 }),
        [
          ['service_area.region_code', 'INVALID_REGION_CODE'],
          ['service_area.municipality_codes[0]', 'INVALID_MUNICIPALITY_CODE'],
          ['service_area.min_age', 'INVALID_AGE'],
          ['service_area.max_age', 'INVALID_AGE'],
        ],
      ],
    ] as const)('SetServiceArea refuses %s with INVALID_ARGUMENT and field violations, storing nothing', async (_, serviceArea, expected) => {
      const clinicId = await sut.givenClinic();
      const admin = await sut.admin(clinicId);

      const error = await failureOf(setArea(admin, clinicId, serviceArea));

      expect(error.code).toBe(status.INVALID_ARGUMENT);
      const details = errorDetails(error);
      expect(details.violations.map((v) => [v.field, v.reason])).toEqual(expected);
      expect(details.reason).toBe(expected[0][1]);
      expect(await clinicDocument(clinicId)).toMatchObject({ version: 1, serviceArea: null, hasServiceArea: false });
    });
  });

  describe('who may change settings', () => {
    it('staff without the administrator role get PERMISSION_DENIED on every call, and nothing changes', async () => {
      const clinicId = await sut.givenClinic();
      const staff = await sut.staff(clinicId);

      const errors = [
        await failureOf(staff.getClinicSettings({ clinicId })),
        await failureOf(put(staff, clinicId, visit)),
        await failureOf(remove(staff, clinicId, 'general')),
        await failureOf(setArea(staff, clinicId, area())),
        await failureOf(clearArea(staff, clinicId)),
      ];
      for (const error of errors) {
        expect(error.code).toBe(status.PERMISSION_DENIED);
        expect(errorDetails(error).reason).toBe('PERMISSION_DENIED');
      }
      expect(await clinicDocument(clinicId)).toMatchObject({ version: 1, caseTypes: [general], serviceArea: null });
    });

    it('an administrator of another clinic gets the same PERMISSION_DENIED as for a clinic that does not exist', async () => {
      const clinicId = await sut.givenClinic();
      const adminElsewhere = await sut.admin(await sut.givenClinic());
      const unknownClinic = aClinicId();
      const adminOfUnknown = await sut.admin(unknownClinic);

      const onOther = await failureOf(adminElsewhere.getClinicSettings({ clinicId }));
      const onUnknown = await failureOf(adminOfUnknown.getClinicSettings({ clinicId: unknownClinic }));
      const writeOnOther = await failureOf(put(adminElsewhere, clinicId, visit));
      const areaOnOther = await failureOf(setArea(adminElsewhere, clinicId, area()));

      for (const error of [onOther, onUnknown, writeOnOther, areaOnOther]) {
        expect(error.code).toBe(status.PERMISSION_DENIED);
        expect(errorDetails(error).reason).toBe('PERMISSION_DENIED');
        expect(error.details).toBe(onOther.details);
      }
      expect(await clinicDocument(clinicId)).toMatchObject({ version: 1, caseTypes: [general], serviceArea: null });
      expect(await clinicDocument(unknownClinic)).toBeNull();
    });
  });

  describe('retries and preconditions', () => {
    it('a retry with the same request id returns the first response, even after later changes, and changes nothing', async () => {
      const clinicId = await sut.givenClinic();
      const admin = await sut.admin(clinicId);
      const requestId = randomUUID();
      const first = await put(admin, clinicId, visit, { requestId });
      await put(admin, clinicId, secret);

      const retry = await put(admin, clinicId, visit, { requestId });

      expect(retry).toEqual(first);
      const doc = await clinicDocument(clinicId);
      expect(doc?.version).toBe(3);
      expect(doc?.recentRequests.filter((r) => r.requestId === requestId)).toHaveLength(1);

      const areaRequest = randomUUID();
      const setFirst = await setArea(admin, clinicId, area(), { requestId: areaRequest });
      await clearArea(admin, clinicId);
      await expect(setArea(admin, clinicId, area(), { requestId: areaRequest })).resolves.toEqual(setFirst);
      expect(await clinicDocument(clinicId)).toMatchObject({ version: 5, serviceArea: null });
    });

    it('the same request id with another request is ALREADY_EXISTS, in the same RPC or another one, and changes nothing', async () => {
      const clinicId = await sut.givenClinic();
      const admin = await sut.admin(clinicId);
      const requestId = randomUUID();
      await put(admin, clinicId, visit, { requestId });

      const errors = [
        await failureOf(put(admin, clinicId, { ...visit, name: 'Another name' }, { requestId })),
        await failureOf(remove(admin, clinicId, 'visit', { requestId })),
        await failureOf(setArea(admin, clinicId, area(), { requestId })),
        await failureOf(clearArea(admin, clinicId, { requestId })),
      ];
      for (const error of errors) {
        expect(error.code).toBe(status.ALREADY_EXISTS);
        expect(errorDetails(error).reason).toBe('REQUEST_ID_REUSED');
      }
      expect(await clinicDocument(clinicId)).toMatchObject({ version: 2, caseTypes: [general, visit], serviceArea: null });
    });

    it('concurrent changes of one clinic are all kept: each gets its own version', async () => {
      const clinicId = await sut.givenClinic();
      const admin = await sut.admin(clinicId);
      const caseTypes = Array.from({ length: 8 }, (_, i): CaseType => ({ id: `parallel-${i}`, name: `Parallel ${i}`, restricted: i % 2 === 0 }));

      const results = await Promise.all(caseTypes.map((c) => put(admin, clinicId, c)));

      expect(results.every((r) => r.changed)).toBe(true);
      expect(new Set(results.map((r) => r.settings?.version))).toEqual(new Set([2, 3, 4, 5, 6, 7, 8, 9]));
      const doc = await clinicDocument(clinicId);
      expect(doc?.version).toBe(9);
      expect(doc?.caseTypes.map((c) => c.id)).toEqual(['general', ...caseTypes.map((c) => c.id)]);
    });

    it('a stale etag is FAILED_PRECONDITION on every mutating call and changes nothing; the current etag is accepted', async () => {
      const clinicId = await sut.givenClinic({ caseTypes: [general, visit] });
      const admin = await sut.admin(clinicId);
      const { settings } = await admin.getClinicSettings({ clinicId });
      expect(settings?.etag).toBe('W/"2"');
      const stale = 'W/"1"';

      const errors = [
        await failureOf(put(admin, clinicId, secret, { etag: stale })),
        await failureOf(remove(admin, clinicId, 'visit', { etag: stale })),
        await failureOf(setArea(admin, clinicId, area(), { etag: stale })),
        await failureOf(clearArea(admin, clinicId, { etag: stale })),
      ];
      for (const error of errors) {
        expect(error.code).toBe(status.FAILED_PRECONDITION);
        expect(errorDetails(error).reason).toBe('STALE_ETAG');
      }
      expect(await clinicDocument(clinicId)).toMatchObject({ version: 2, caseTypes: [general, visit], serviceArea: null });

      const accepted = await put(admin, clinicId, secret, { etag: settings!.etag });
      expect(accepted.settings).toMatchObject({ version: 3, etag: 'W/"3"' });
      const next = await setArea(admin, clinicId, area(), { etag: accepted.settings!.etag });
      expect(next.settings).toMatchObject({ version: 4 });
      const missed = await failureOf(remove(admin, clinicId, 'visit', { etag: accepted.settings!.etag }));
      expect(missed.code).toBe(status.FAILED_PRECONDITION);
    });
  });

  describe('withdrawing grants', () => {
    /** A clinic with two restricted case types granted to residents, and an approved resident. */
    async function clinicWithGrants() {
      const clinicId = await sut.givenClinic({ caseTypes: [general, other, secret] });
      const staff = await sut.staff(clinicId);
      const [first, second, approvedOnly] = [aResident(), aResident(), aResident()];
      const grant = (resident: string, caseTypeId: string, end: { untilDate: string } | { untilFurtherNotice: true }) =>
        staff.grantCaseType({ ...aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident, caseTypeId }), untilFurtherNotice: undefined, ...end });
      await grant(first, 'secret', { untilFurtherNotice: true });
      await grant(first, 'other-restricted', { untilDate: '2099-12-31' });
      await grant(second, 'secret', { untilDate: '2099-06-30' });
      await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: approvedOnly }));
      // The same case type id at another clinic, held by the same resident, must not be touched.
      const elsewhere = await sut.givenClinic({ caseTypes: [secret] });
      await (await sut.staff(elsewhere)).grantCaseType(aGrantCaseTypeRequest({ clinicId: elsewhere, personalIdentityNumber: first, caseTypeId: 'secret' }));
      return { clinicId, elsewhere, first, second, approvedOnly };
    }

    async function expectWithdrawn(given: Awaited<ReturnType<typeof clinicWithGrants>>, requestId: string): Promise<void> {
      const { clinicId, elsewhere, first, second, approvedOnly } = given;
      for (const resident of [first, second]) {
        const [event] = await sut.events.waitFor((e) => clinicOf(e) === clinicId && residentOf(e) === resident && e.value.cause === 'ACCESS_CHANGE_CAUSE_CASE_TYPE_WITHDRAWN');
        expect(event!.value).toMatchObject({ actor: 'admin-1', requestId });
        const grants = (event!.value.access as { grants?: { caseTypeId: string }[] }).grants ?? [];
        expect(grants.map((g) => g.caseTypeId)).not.toContain('secret');
      }
      await eventuallyPasses(
        async () => {
          expect((await accessDocument(clinicId, first))?.grants.map((g) => g.caseTypeId)).toEqual(['other-restricted']);
          expect((await accessDocument(clinicId, second))?.grants).toEqual([]);
        },
        { what: 'the withdrawn grants to be removed' },
      );
      await eventuallyPasses(async () => expect((await clinicDocument(clinicId))?.pendingWithdrawals).toEqual([]), { what: 'no pending withdrawals left' });

      expect(await accessDocument(clinicId, first)).toMatchObject({ version: 3 });
      expect(await accessDocument(clinicId, second)).toMatchObject({ version: 2 });
      expect(await accessDocument(clinicId, approvedOnly)).toMatchObject({ version: 1, grants: [] });
      expect((await accessDocument(elsewhere, first))?.grants.map((g) => g.caseTypeId)).toEqual(['secret']);
      expect((await accessDocument(elsewhere, first))?.version).toBe(1);

      await relayCaughtUp(clinicId);
      expect(withdrawalEventsOf(clinicId, first)).toHaveLength(1);
      expect(withdrawalEventsOf(clinicId, second)).toHaveLength(1);
      expect(withdrawalEventsOf(clinicId, approvedOnly)).toHaveLength(0);
      expect(sut.events.events.filter((e) => clinicOf(e) === elsewhere && e.value.cause === 'ACCESS_CHANGE_CAUSE_CASE_TYPE_WITHDRAWN')).toHaveLength(0);
    }

    it('making a restricted case type unrestricted withdraws its grants: one event each, the grants leave the database', async () => {
      const given = await clinicWithGrants();
      const admin = await sut.admin(given.clinicId);
      const requestId = randomUUID();

      const response = await put(admin, given.clinicId, { ...secret, restricted: false }, { requestId });

      expect(response.changed).toBe(true);
      expect(response.settings?.caseTypes).toContainEqual({ ...secret, restricted: false });
      await expectWithdrawn(given, requestId);
      const staff = await sut.staff(given.clinicId);
      await expect(staff.getResidentAccess({ clinicId: given.clinicId, personalIdentityNumber: given.second })).resolves.toMatchObject({
        access: { version: 2, grants: [] },
      });
    });

    it('removing a restricted case type withdraws its grants the same way', async () => {
      const given = await clinicWithGrants();
      const admin = await sut.admin(given.clinicId);
      const requestId = randomUUID();

      const response = await remove(admin, given.clinicId, 'secret', { requestId });

      expect(response.changed).toBe(true);
      expect(response.settings?.caseTypes.map((c) => c.id)).toEqual(['general', 'other-restricted']);
      await expectWithdrawn(given, requestId);
    });

    it('renaming a restricted case type, or making an unrestricted one restricted, withdraws nothing', async () => {
      const given = await clinicWithGrants();
      const admin = await sut.admin(given.clinicId);

      await put(admin, given.clinicId, { ...secret, name: 'Renamed but still restricted' });
      await put(admin, given.clinicId, { ...general, restricted: true });

      expect((await clinicDocument(given.clinicId))?.pendingWithdrawals).toEqual([]);
      await relayCaughtUp(given.clinicId);
      expect(withdrawalEventsOf(given.clinicId, given.first)).toHaveLength(0);
      expect(withdrawalEventsOf(given.clinicId, given.second)).toHaveLength(0);
      expect((await accessDocument(given.clinicId, given.first))?.grants.map((g) => g.caseTypeId)).toEqual(['other-restricted', 'secret']);
    });
  });
});
