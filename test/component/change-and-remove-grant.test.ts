import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { addDays, stockholmDate } from '../../src/domain/time/stockholm';
import { ResidentAccess } from '../../src/gen/residentaccess/v1/access';
import type { ChangeGrantRequest, RemoveGrantRequest } from '../../src/gen/residentaccess/v1/resident_access_service';
import { aClinicId, aResident, tenDigitForm } from '../builders/identity';
import { aGrantCaseTypeRequest, anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { RESTRICTED_AND_GENERAL, startWithClinic, type ServiceUnderTest } from '../support/service-under-test';
import { relayCaughtUp as caughtUp } from '../support/relay-caught-up';

const CASE_TYPES = RESTRICTED_AND_GENERAL;

describe('ChangeGrant and RemoveGrant', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic(CASE_TYPES));
  });
  afterAll(async () => {
    await sut.stop();
  });

  const documentOf = (resident: string) => sut.access.findOne({ _id: `${clinicId}|${resident}` });
  const eventsOf = (resident: string) => sut.events.events.filter((e) => (e.value.access as { personalIdentityNumber?: string })?.personalIdentityNumber === resident);
  const relayCaughtUp = () => caughtUp(sut, staff, clinicId);
  /** A resident holding restricted-1 until further notice (version 1). */
  const givenGrant = async (resident = aResident()) => {
    const r = aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident });
    const response = await staff.grantCaseType(r);
    return { resident, requestId: r.requestId, access: response.access! };
  };
  const changeRequest = (resident: string, overrides: Partial<ChangeGrantRequest> = {}): ChangeGrantRequest => ({
    clinicId,
    personalIdentityNumber: resident,
    caseTypeId: 'restricted-1',
    untilDate: '2099-07-15',
    requestId: randomUUID(),
    etag: '',
    ...overrides,
  });
  const removeRequest = (resident: string, overrides: Partial<RemoveGrantRequest> = {}): RemoveGrantRequest => ({
    clinicId,
    personalIdentityNumber: resident,
    caseTypeId: 'restricted-1',
    requestId: randomUUID(),
    etag: '',
    ...overrides,
  });

  describe('ChangeGrant', () => {
    it('changes the end, keeps who granted it, stamps who changed it, and publishes GRANT_CHANGED with the whole access', async () => {
      const held = await givenGrant();
      const r = changeRequest(held.resident, { untilDate: '2099-07-15' });
      const response = await staff.changeGrant(r);

      const endsAt = new Date('2099-07-15T22:00:00.000Z');
      expect(response).toMatchObject({ changed: true, access: { version: 2, etag: 'W/"2"', personalIdentityNumber: held.resident } });
      expect(response.access?.grants).toEqual([
        {
          caseTypeId: 'restricted-1',
          untilDate: '2099-07-15',
          endsAt,
          granted: held.access.grants[0]!.granted,
          changed: { actor: 'staff-1', requestId: r.requestId, time: expect.any(Date) },
          firstDay: '',
          pending: false,
          startsAt: undefined,
        },
      ]);

      const doc = await documentOf(held.resident);
      expect(doc).toMatchObject({ version: 2, nextEndsAt: endsAt });
      expect(doc?.grants).toEqual([
        {
          caseTypeId: 'restricted-1',
          until: '2099-07-15',
          endsAt,
          granted: { actor: 'staff-1', requestId: held.requestId, at: held.access.grants[0]!.granted!.time },
          changed: { actor: 'staff-1', requestId: r.requestId, at: response.access!.grants[0]!.changed!.time },
        },
      ]);

      const [event] = await sut.events.waitFor((e) => e.value.requestId === r.requestId);
      expect(event!.value).toMatchObject({ cause: 'ACCESS_CHANGE_CAUSE_GRANT_CHANGED', actor: 'staff-1', version: 2 });
      expect(event!.value.access).toEqual(ResidentAccess.toJSON(response.access!));
    });

    it('changing a dated grant to until further notice clears its date and end instant', async () => {
      const held = await givenGrant();
      await staff.changeGrant(changeRequest(held.resident, { untilDate: '2099-01-15' }));
      const response = await staff.changeGrant(changeRequest(held.resident, { untilDate: undefined, untilFurtherNotice: true }));

      expect(response).toMatchObject({ changed: true, access: { version: 3, grants: [{ untilDate: '', endsAt: undefined }] } });
      expect(await documentOf(held.resident)).toMatchObject({ version: 3, nextEndsAt: null, grants: [{ until: null, endsAt: null }] });
    });

    it('the end the grant already has succeeds with changed false, changes nothing and publishes no event', async () => {
      const held = await givenGrant();
      const response = await staff.changeGrant(changeRequest(held.resident, { untilDate: undefined, untilFurtherNotice: true }));

      expect(response).toMatchObject({ changed: false, access: { version: 1, grants: [{ changed: undefined }] } });
      expect((await documentOf(held.resident))?.version).toBe(1);
      await relayCaughtUp();
      expect(eventsOf(held.resident)).toHaveLength(1);
    });

    it('a grant never made is NOT_FOUND with reason GRANT_NOT_FOUND and nothing is stored', async () => {
      const nobody = aResident();
      const approved = aResident();
      await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: approved }));

      const forNobody = await failureOf(staff.changeGrant(changeRequest(nobody)));
      const forApproved = await failureOf(staff.changeGrant(changeRequest(approved)));

      for (const error of [forNobody, forApproved]) {
        expect(error.code).toBe(status.NOT_FOUND);
        expect(errorDetails(error).reason).toBe('GRANT_NOT_FOUND');
      }
      expect(await documentOf(nobody)).toBeNull();
      expect(await documentOf(approved)).toMatchObject({ version: 1, grants: [] });
      const seen = JSON.stringify([forNobody.details, forApproved.details]) + sut.logs.text();
      for (const resident of [nobody, approved]) expect(seen).not.toContain(resident.slice(2));
    });

    it('a removed grant is NOT_FOUND', async () => {
      const held = await givenGrant();
      await staff.removeGrant(removeRequest(held.resident));

      const error = await failureOf(staff.changeGrant(changeRequest(held.resident)));

      expect(error.code).toBe(status.NOT_FOUND);
      expect(errorDetails(error).reason).toBe('GRANT_NOT_FOUND');
      expect(await documentOf(held.resident)).toMatchObject({ version: 2, grants: [] });
    });

    it('a date before today (in Stockholm) is INVALID_ARGUMENT with until_date DATE_IN_PAST and changes nothing', async () => {
      const held = await givenGrant();
      const error = await failureOf(staff.changeGrant(changeRequest(held.resident, { untilDate: addDays(stockholmDate(new Date()), -1) })));

      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([['until_date', 'DATE_IN_PAST']]);
      expect(await documentOf(held.resident)).toMatchObject({ version: 1, grants: [{ until: null }] });
    });

    it('a retry with the same request id returns the first response and changes nothing again', async () => {
      const held = await givenGrant();
      const r = changeRequest(held.resident);
      const first = await staff.changeGrant(r);
      const retry = await staff.changeGrant(r);

      expect(retry).toEqual(first);
      expect((await documentOf(held.resident))?.version).toBe(2);
      await sut.events.waitFor((e) => e.value.requestId === r.requestId);
      await relayCaughtUp();
      expect(eventsOf(held.resident).map((e) => e.value.cause)).toEqual(['ACCESS_CHANGE_CAUSE_GRANTED', 'ACCESS_CHANGE_CAUSE_GRANT_CHANGED']);
    });

    it('the same request id with another end is ALREADY_EXISTS with reason REQUEST_ID_REUSED', async () => {
      const held = await givenGrant();
      const r = changeRequest(held.resident, { untilDate: '2099-07-15' });
      await staff.changeGrant(r);

      const error = await failureOf(staff.changeGrant({ ...r, untilDate: '2099-08-15' }));

      expect(error.code).toBe(status.ALREADY_EXISTS);
      expect(errorDetails(error).reason).toBe('REQUEST_ID_REUSED');
      expect(await documentOf(held.resident)).toMatchObject({ version: 2, grants: [{ until: '2099-07-15' }] });
    });

    it('a stale etag is FAILED_PRECONDITION with reason STALE_ETAG and changes nothing; the current one is accepted', async () => {
      const held = await givenGrant();

      const error = await failureOf(staff.changeGrant(changeRequest(held.resident, { etag: 'W/"0"' })));
      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(errorDetails(error).reason).toBe('STALE_ETAG');
      expect(await documentOf(held.resident)).toMatchObject({ version: 1, grants: [{ until: null }] });

      await expect(staff.changeGrant(changeRequest(held.resident, { etag: held.access.etag }))).resolves.toMatchObject({
        changed: true,
        access: { version: 2 },
      });
    });

    it('another clinic is PERMISSION_DENIED', async () => {
      const held = await givenGrant();
      const otherClinic = await sut.givenClinic({ caseTypes: CASE_TYPES });
      const error = await failureOf(staff.changeGrant(changeRequest(held.resident, { clinicId: otherClinic })));

      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(await sut.access.countDocuments({ clinicId: otherClinic })).toBe(0);
    });
  });

  describe('RemoveGrant', () => {
    it('removes the grant, keeps the approval, and publishes GRANT_REMOVED with the whole access', async () => {
      const resident = aResident();
      await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));
      await staff.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident, untilFurtherNotice: undefined, untilDate: '2099-07-15' }));
      const r = removeRequest(resident);
      const response = await staff.removeGrant(r);

      expect(response).toMatchObject({ changed: true, access: { version: 3, etag: 'W/"3"', approval: { approved: { actor: 'staff-1' } }, grants: [] } });
      expect(await documentOf(resident)).toMatchObject({ version: 3, grants: [], nextEndsAt: null, approval: { actor: 'staff-1' } });
      const [event] = await sut.events.waitFor((e) => e.value.requestId === r.requestId);
      expect(event!.value).toMatchObject({ cause: 'ACCESS_CHANGE_CAUSE_GRANT_REMOVED', actor: 'staff-1', version: 3 });
      expect(event!.value.access).toEqual(ResidentAccess.toJSON(response.access!));
      expect(event!.value.access).not.toHaveProperty('grants');
    });

    it('a grant that is not held succeeds with changed false and publishes no event', async () => {
      const nobody = aResident();
      const approved = aResident();
      await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: approved }));

      const forNobody = await staff.removeGrant(removeRequest(nobody));
      const forApproved = await staff.removeGrant(removeRequest(approved));

      expect(forNobody).toMatchObject({ changed: false, access: { version: 0, etag: 'W/"0"', personalIdentityNumber: nobody, grants: [] } });
      expect(forApproved).toMatchObject({ changed: false, access: { version: 1 } });
      expect(await documentOf(nobody)).toBeNull();
      expect((await documentOf(approved))?.version).toBe(1);
      await relayCaughtUp();
      expect(eventsOf(nobody)).toHaveLength(0);
      expect(eventsOf(approved).map((e) => e.value.cause)).toEqual(['ACCESS_CHANGE_CAUSE_APPROVED']);
    });

    it('removing it twice: the second removal changes nothing and publishes nothing', async () => {
      const held = await givenGrant();
      const first = removeRequest(held.resident);
      await staff.removeGrant(first);
      const again = await staff.removeGrant(removeRequest(held.resident));

      expect(again).toMatchObject({ changed: false, access: { version: 2 } });
      await sut.events.waitFor((e) => e.value.requestId === first.requestId);
      await relayCaughtUp();
      expect(eventsOf(held.resident).map((e) => e.value.cause)).toEqual(['ACCESS_CHANGE_CAUSE_GRANTED', 'ACCESS_CHANGE_CAUSE_GRANT_REMOVED']);
    });

    it('grant, change and remove in quick succession publish each change exactly once, in order', async () => {
      const residents = Array.from({ length: 10 }, () => aResident());
      const removals: string[] = [];
      for (const resident of residents) {
        await givenGrant(resident);
        await staff.changeGrant(changeRequest(resident));
        const removal = removeRequest(resident);
        await staff.removeGrant(removal);
        removals.push(removal.requestId);
      }
      await sut.events.waitFor((e) => removals.includes(e.value.requestId as string), removals.length);
      await relayCaughtUp();

      for (const resident of residents) {
        expect(eventsOf(resident).map((e) => [e.value.cause, e.value.version])).toEqual([
          ['ACCESS_CHANGE_CAUSE_GRANTED', 1],
          ['ACCESS_CHANGE_CAUSE_GRANT_CHANGED', 2],
          ['ACCESS_CHANGE_CAUSE_GRANT_REMOVED', 3],
        ]);
      }
    });

    it('a retry with the same request id returns the first response; reusing it for another request is ALREADY_EXISTS', async () => {
      const held = await givenGrant();
      const r = removeRequest(held.resident);
      const first = await staff.removeGrant(r);
      const retry = await staff.removeGrant({ ...r, personalIdentityNumber: tenDigitForm(held.resident) });
      const reused = await failureOf(staff.removeGrant({ ...r, caseTypeId: 'general' }));

      expect(first.changed).toBe(true);
      expect(retry).toEqual(first);
      expect(reused.code).toBe(status.ALREADY_EXISTS);
      expect(errorDetails(reused).reason).toBe('REQUEST_ID_REUSED');
      expect((await documentOf(held.resident))?.version).toBe(2);
    });

    it('a stale etag is FAILED_PRECONDITION and keeps the grant; the current one is accepted', async () => {
      const held = await givenGrant();

      const error = await failureOf(staff.removeGrant(removeRequest(held.resident, { etag: 'W/"7"' })));
      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(errorDetails(error).reason).toBe('STALE_ETAG');
      expect(await documentOf(held.resident)).toMatchObject({ version: 1, grants: [{ caseTypeId: 'restricted-1' }] });

      await expect(staff.removeGrant(removeRequest(held.resident, { etag: 'W/"1"' }))).resolves.toMatchObject({ changed: true });
    });

    it('another clinic, and a clinic that does not exist, are PERMISSION_DENIED alike; no token is UNAUTHENTICATED', async () => {
      const held = await givenGrant();
      const otherClinic = await sut.givenClinic({ caseTypes: CASE_TYPES });
      const unknownClinic = aClinicId();
      const onOther = await failureOf(staff.removeGrant(removeRequest(held.resident, { clinicId: otherClinic })));
      const onUnknown = await failureOf((await sut.staff(unknownClinic)).removeGrant(removeRequest(held.resident, { clinicId: unknownClinic })));
      const anonymous = await failureOf(sut.api(null).removeGrant(removeRequest(held.resident)));

      expect([onOther.code, onUnknown.code]).toEqual([status.PERMISSION_DENIED, status.PERMISSION_DENIED]);
      expect(onOther.details).toBe(onUnknown.details);
      expect(anonymous.code).toBe(status.UNAUTHENTICATED);
      expect(await documentOf(held.resident)).toMatchObject({ version: 1, grants: [{ caseTypeId: 'restricted-1' }] });
    });
  });
});
