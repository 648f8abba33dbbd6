import { status, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { addDays, stockholmDate } from '../../src/domain/time/stockholm';
import { ResidentAccess } from '../../src/gen/residentaccess/v1/access';
import type { GrantCaseTypeRequest } from '../../src/gen/residentaccess/v1/resident_access_service';
import { aClinicId, aResident, tenDigitForm } from '../builders/identity';
import { aGrantCaseTypeRequest, anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { RESTRICTED_AND_GENERAL, startWithClinic, type ServiceUnderTest } from '../support/service-under-test';
import { relayCaughtUp as caughtUp, outboxSettled } from '../support/relay-caught-up';

const CASE_TYPES = RESTRICTED_AND_GENERAL;

/** The oneof `end` set to a date (the builder's default is until further notice). */
const until = (date: string) => ({ untilDate: date, untilFurtherNotice: undefined });

describe('GrantCaseType', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic(CASE_TYPES));
  });
  afterAll(async () => {
    await sut.stop();
  });

  const request = (overrides: Partial<GrantCaseTypeRequest> = {}) => aGrantCaseTypeRequest({ clinicId, ...overrides });
  const grant = (r = request()) => staff.grantCaseType(r);
  const documentOf = (resident: string) => sut.access.findOne({ _id: `${clinicId}|${resident}` });
  const eventsOf = (resident: string) => sut.events.events.filter((e) => (e.value.access as { personalIdentityNumber?: string })?.personalIdentityNumber === resident);
  const relayCaughtUp = () => caughtUp(sut, staff, clinicId);
  /** The caller and the logs never see the number, in any written form. */
  const expectNoNumberIn = (error: ServiceError, resident: string) => {
    const seen = JSON.stringify([error.message, error.details, errorDetails(error)]) + sut.logs.text();
    expect(seen).not.toContain(resident.slice(2));
    expect(seen).not.toContain(tenDigitForm(resident));
  };
  // Request ids are kept per clinic and caller (sut.staff calls as staff-1).
  const reservedRequestIds = async (id: string) => ((await sut.requestIdRecord(clinicId, 'staff-1', id)) ? 1 : 0);

  describe('grants', () => {
    it('until a date: answers the whole access, stores the end as 00:00 Stockholm after the date, publishes GRANTED', async () => {
      const r = request(until('2099-07-15'));
      const response = await grant(r);

      // Summer time (UTC+2): the end of 15 July is 16 July 00:00 in Stockholm.
      const endsAt = new Date('2099-07-15T22:00:00.000Z');
      expect(response).toEqual({
        changed: true,
        access: {
          clinicId,
          personalIdentityNumber: r.personalIdentityNumber,
          approval: undefined,
          version: 1,
          etag: 'W/"1"',
          grants: [
            {
              caseTypeId: 'restricted-1',
              untilDate: '2099-07-15',
              endsAt,
              granted: { actor: 'staff-1', requestId: r.requestId, time: expect.any(Date) },
              changed: undefined,
              // No first day: active at once.
              firstDay: '',
              pending: false,
              startsAt: undefined,
            },
          ],
        },
        consistencyToken: expect.any(String),
      });

      const doc = await documentOf(r.personalIdentityNumber);
      expect(doc).toMatchObject({ version: 1, approval: null, nextEndsAt: endsAt });
      expect(doc?.grants).toEqual([
        {
          caseTypeId: 'restricted-1',
          until: '2099-07-15',
          endsAt,
          granted: { actor: 'staff-1', requestId: r.requestId, at: response.access!.grants[0]!.granted!.time },
          changed: null,
        },
      ]);

      const [event] = await sut.events.waitFor((e) => e.value.requestId === r.requestId);
      expect(event!.value).toMatchObject({ cause: 'ACCESS_CHANGE_CAUSE_GRANTED', actor: 'staff-1', version: 1, requestId: r.requestId });
      expect(event!.value.access).toEqual(ResidentAccess.toJSON(response.access!));
      expect(event!.value.access).toMatchObject({ grants: [{ caseTypeId: 'restricted-1', untilDate: '2099-07-15', endsAt: '2099-07-15T22:00:00.000Z' }] });
    });

    it('until a date in winter time ends at 23:00 UTC, the next local midnight', async () => {
      const r = request(until('2099-01-15'));
      const response = await grant(r);

      expect(response.access?.grants[0]?.endsAt).toEqual(new Date('2099-01-15T23:00:00.000Z'));
      expect((await documentOf(r.personalIdentityNumber))?.grants[0]?.endsAt).toEqual(new Date('2099-01-15T23:00:00.000Z'));
    });

    it('until further notice: no date and no end instant, stored and published as such', async () => {
      const r = request({ untilFurtherNotice: true });
      const response = await grant(r);

      expect(response.changed).toBe(true);
      expect(response.access?.grants).toEqual([
        {
          caseTypeId: 'restricted-1',
          untilDate: '',
          endsAt: undefined,
          granted: expect.objectContaining({ requestId: r.requestId }),
          changed: undefined,
          firstDay: '',
          pending: false,
          startsAt: undefined,
        },
      ]);
      const doc = await documentOf(r.personalIdentityNumber);
      expect(doc).toMatchObject({ version: 1, nextEndsAt: null, grants: [{ caseTypeId: 'restricted-1', until: null, endsAt: null, changed: null }] });

      const [event] = await sut.events.waitFor((e) => e.value.requestId === r.requestId);
      expect(event!.value.cause).toBe('ACCESS_CHANGE_CAUSE_GRANTED');
      expect(event!.value.access).toEqual(ResidentAccess.toJSON(response.access!));
      const [published] = (event!.value.access as { grants: Record<string, unknown>[] }).grants;
      expect(published).not.toHaveProperty('untilDate');
      expect(published).not.toHaveProperty('endsAt');
    });

    it('keeps an approval the resident already has', async () => {
      const resident = aResident();
      await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));
      const response = await grant(request({ personalIdentityNumber: resident }));

      expect(response.access).toMatchObject({ version: 2, approval: { approved: { actor: 'staff-1' } }, grants: [{ caseTypeId: 'restricted-1' }] });
      expect(await documentOf(resident)).toMatchObject({ version: 2, approval: { actor: 'staff-1' } });
    });

    it('today (in Stockholm) is accepted: the grant ends at the coming local midnight', async () => {
      const today = stockholmDate(new Date());
      const response = await grant(request(until(today)));

      const endsAt = response.access!.grants[0]!.endsAt!;
      expect(response.access!.grants[0]!.untilDate).toBe(today);
      expect(stockholmDate(endsAt)).toBe(addDays(today, 1));
      expect(stockholmDate(new Date(endsAt.getTime() - 1))).toBe(today);
      expect(endsAt.getTime()).toBeGreaterThan(Date.now());
    });

    it('accepts the number in 10-digit form and stores it in 12', async () => {
      const resident = aResident();
      const response = await grant(request({ personalIdentityNumber: tenDigitForm(resident) }));

      expect(response.access?.personalIdentityNumber).toBe(resident);
      expect(await documentOf(resident)).toMatchObject({ resident, version: 1 });
    });
  });

  describe('granting a held grant', () => {
    it('the same grant again (same date) succeeds with changed false, changes nothing and publishes no second event', async () => {
      const first = request(until('2099-07-15'));
      await grant(first);
      const again = await grant({ ...first, requestId: randomUUID() });

      expect(again.changed).toBe(false);
      expect(again.access).toMatchObject({ version: 1, grants: [{ untilDate: '2099-07-15', granted: { requestId: first.requestId } }] });
      expect((await documentOf(first.personalIdentityNumber))?.version).toBe(1);
      await relayCaughtUp();
      expect(eventsOf(first.personalIdentityNumber)).toHaveLength(1);
    });

    it('the same grant again (until further notice) succeeds with changed false and publishes no second event', async () => {
      const first = request({ untilFurtherNotice: true });
      await grant(first);
      const again = await grant({ ...first, requestId: randomUUID() });

      expect(again).toMatchObject({ changed: false, access: { version: 1 } });
      await relayCaughtUp();
      expect(eventsOf(first.personalIdentityNumber)).toHaveLength(1);
    });

    it('a different end is ALREADY_EXISTS with reason GRANT_EXISTS and changes nothing', async () => {
      const first = request({ untilFurtherNotice: true });
      await grant(first);
      await outboxSettled(sut.access, `${clinicId}|${first.personalIdentityNumber}`);
      const before = await documentOf(first.personalIdentityNumber);
      const other = request({ personalIdentityNumber: first.personalIdentityNumber, ...until('2099-07-15') });

      const error = await failureOf(grant(other));

      expect(error.code).toBe(status.ALREADY_EXISTS);
      expect(errorDetails(error)).toMatchObject({ reason: 'GRANT_EXISTS', domain: 'residentaccess.v1.ResidentAccessService' });
      const doc = await documentOf(first.personalIdentityNumber);
      expect(doc).toMatchObject({ version: 1, revision: before!.revision, grants: [{ until: null, endsAt: null }] });
      expect(doc?.recentRequests.map((x) => x.requestId)).toEqual([first.requestId]);
      expectNoNumberIn(error, first.personalIdentityNumber);
      await relayCaughtUp();
      expect(eventsOf(first.personalIdentityNumber)).toHaveLength(1);
    });
  });

  describe('refusals that store nothing', () => {
    it('an unknown case type is NOT_FOUND with reason CASE_TYPE_NOT_FOUND', async () => {
      const r = request({ caseTypeId: 'no-such-type' });
      const error = await failureOf(grant(r));

      expect(error.code).toBe(status.NOT_FOUND);
      expect(errorDetails(error).reason).toBe('CASE_TYPE_NOT_FOUND');
      expect(await documentOf(r.personalIdentityNumber)).toBeNull();
      expect(await reservedRequestIds(r.requestId)).toBe(0);
      expectNoNumberIn(error, r.personalIdentityNumber);
    });

    it('an unrestricted case type is FAILED_PRECONDITION with reason CASE_TYPE_NOT_RESTRICTED', async () => {
      const r = request({ caseTypeId: 'general' });
      const error = await failureOf(grant(r));

      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(errorDetails(error).reason).toBe('CASE_TYPE_NOT_RESTRICTED');
      expect(await documentOf(r.personalIdentityNumber)).toBeNull();
      expect(await reservedRequestIds(r.requestId)).toBe(0);
      expectNoNumberIn(error, r.personalIdentityNumber);
    });

    it('yesterday (in Stockholm) is INVALID_ARGUMENT with the violation until_date DATE_IN_PAST', async () => {
      const r = request(until(addDays(stockholmDate(new Date()), -1)));
      const error = await failureOf(grant(r));

      expect(error.code).toBe(status.INVALID_ARGUMENT);
      const details = errorDetails(error);
      expect(details.reason).toBe('DATE_IN_PAST');
      expect(details.violations.map((v) => [v.field, v.reason])).toEqual([['until_date', 'DATE_IN_PAST']]);
      expect(error.details).toContain('until_date');
      expect(await documentOf(r.personalIdentityNumber)).toBeNull();
      expectNoNumberIn(error, r.personalIdentityNumber);
    });

    it.each(['2099-02-30', '15/07/2099', '2099-7-15', '2099-07-15T00:00:00Z', ''])('a malformed date %j is INVALID_ARGUMENT with the violation until_date INVALID_DATE', async (date) => {
      const r = request(until(date));
      const error = await failureOf(grant(r));

      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([['until_date', 'INVALID_DATE']]);
      expect(await documentOf(r.personalIdentityNumber)).toBeNull();
    });

    it('a date whose end cannot be represented (9999-12-31) is INVALID_ARGUMENT, not INTERNAL; 9999-12-30 is accepted', async () => {
      const r = request(until('9999-12-31'));
      const error = await failureOf(grant(r));

      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([['until_date', 'INVALID_DATE']]);
      expect(await documentOf(r.personalIdentityNumber)).toBeNull();
      expect(sut.logs.entries.filter((e) => e.requestId === r.requestId).map((e) => e.msg)).toEqual(['rpc']);

      const last = await grant(request(until('9999-12-30')));
      expect(last.access?.grants[0]?.endsAt).toEqual(new Date('9999-12-30T23:00:00.000Z'));
    });

    it.each([
      ['neither field', { untilDate: undefined, untilFurtherNotice: undefined }],
      ['until_further_notice false', { untilDate: undefined, untilFurtherNotice: false }],
    ])('no end (%s) is INVALID_ARGUMENT with the violation end REQUIRED', async (_name, end) => {
      const r = request(end);
      const error = await failureOf(grant(r));

      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([['end', 'REQUIRED']]);
      expect(await documentOf(r.personalIdentityNumber)).toBeNull();
    });

    it('reports every bad field at once, without echoing the number', async () => {
      const resident = aResident();
      const wrongCheckDigit = resident.slice(0, 11) + ((Number(resident[11]) + 1) % 10);
      const error = await failureOf(grant(request({ personalIdentityNumber: wrongCheckDigit, caseTypeId: 'not valid!', requestId: '', untilFurtherNotice: undefined })));

      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([
        ['personal_identity_number', 'INVALID_PERSONAL_IDENTITY_NUMBER'],
        ['request_id', 'INVALID_REQUEST_ID'],
        ['case_type_id', 'INVALID_CASE_TYPE_ID'],
        ['end', 'REQUIRED'],
      ]);
      expectNoNumberIn(error, wrongCheckDigit);
      expect(await sut.access.countDocuments({ _id: { $in: [`${clinicId}|${resident}`, `${clinicId}|${wrongCheckDigit}`] } })).toBe(0);
    });
  });

  describe('retries and preconditions', () => {
    it('a retry with the same request id returns the first response and changes nothing', async () => {
      const r = request(until('2099-07-15'));
      const first = await grant(r);
      const retry = await grant(r);
      const retryInTenDigits = await grant({ ...r, personalIdentityNumber: tenDigitForm(r.personalIdentityNumber) });

      expect(retry).toEqual(first);
      expect(retryInTenDigits).toEqual(first);
      const doc = await documentOf(r.personalIdentityNumber);
      expect(doc?.version).toBe(1);
      expect(doc?.recentRequests.filter((x) => x.requestId === r.requestId)).toHaveLength(1);
      await relayCaughtUp();
      expect(eventsOf(r.personalIdentityNumber)).toHaveLength(1);
    });

    it('the same request id with another request is ALREADY_EXISTS with reason REQUEST_ID_REUSED and changes nothing', async () => {
      const r = request({ untilFurtherNotice: true });
      await grant(r);
      const otherResident = aResident();

      const forOther = await failureOf(grant({ ...r, personalIdentityNumber: otherResident }));
      const otherEnd = await failureOf(grant({ ...r, ...until('2099-07-15') }));

      for (const error of [forOther, otherEnd]) {
        expect(error.code).toBe(status.ALREADY_EXISTS);
        expect(errorDetails(error).reason).toBe('REQUEST_ID_REUSED');
      }
      expect(await documentOf(otherResident)).toBeNull();
      expect(await documentOf(r.personalIdentityNumber)).toMatchObject({ version: 1, grants: [{ until: null }] });
      expectNoNumberIn(forOther, otherResident);
    });

    it('a stale etag is FAILED_PRECONDITION with reason STALE_ETAG and changes nothing; the current one is accepted', async () => {
      const resident = aResident();
      const approved = await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));
      expect(approved.access?.etag).toBe('W/"1"');

      const error = await failureOf(grant(request({ personalIdentityNumber: resident, etag: 'W/"0"' })));
      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(errorDetails(error).reason).toBe('STALE_ETAG');
      expect(await documentOf(resident)).toMatchObject({ version: 1, grants: [] });
      expectNoNumberIn(error, resident);

      const guarded = request({ personalIdentityNumber: resident, etag: approved.access!.etag });
      const first = await grant(guarded);
      expect(first).toMatchObject({ changed: true, access: { version: 2, etag: 'W/"2"' } });
      // A retry carries the etag it was first sent with, now stale: it is still the same request.
      await expect(grant(guarded)).resolves.toEqual(first);
    });
  });

  describe('who may grant', () => {
    it('another clinic, and a clinic that does not exist, get the same PERMISSION_DENIED and nothing is stored', async () => {
      const otherClinic = await sut.givenClinic({ caseTypes: CASE_TYPES });
      const unknownClinic = aClinicId();
      const onOther = await failureOf(grant(request({ clinicId: otherClinic })));
      const onUnknown = await failureOf((await sut.staff(unknownClinic)).grantCaseType(request({ clinicId: unknownClinic })));

      for (const error of [onOther, onUnknown]) {
        expect(error.code).toBe(status.PERMISSION_DENIED);
        expect(errorDetails(error).reason).toBe('PERMISSION_DENIED');
      }
      expect(onOther.details).toBe(onUnknown.details);
      expect(await sut.access.countDocuments({ clinicId: { $in: [otherClinic, unknownClinic] } })).toBe(0);
    });

    it('without a token the call is UNAUTHENTICATED and nothing is stored', async () => {
      const r = request();
      const error = await failureOf(sut.api(null).grantCaseType(r));

      expect(error.code).toBe(status.UNAUTHENTICATED);
      expect(errorDetails(error).reason).toBe('TOKEN_MISSING');
      expect(await documentOf(r.personalIdentityNumber)).toBeNull();
    });
  });
});
