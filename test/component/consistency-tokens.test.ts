import { status, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { Sex } from '../../src/gen/residentaccess/v1/clinic';
import { EntitlementReason } from '../../src/gen/residentaccess/v1/entitlement_service';
import { RESIDENT_VIEWS_COLLECTION, type ResidentViewDocument } from '../../src/storage-mongo/mongo-resident-views';
import { aResident, tenDigitForm } from '../builders/identity';
import { aGrantCaseTypeRequest, anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf, retryDelayOf, type Api } from '../support/grpc-client';
import { RESTRICTED_AND_GENERAL, startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { eventually } from '../support/eventually';
import { viewMismatches } from '../support/views-match-access';

const { ENTITLEMENT_REASON_APPROVED: APPROVED, ENTITLEMENT_REASON_GRANT: GRANT } = EntitlementReason;
const NOT_ALLOWED = { allowed: false, reason: EntitlementReason.ENTITLEMENT_REASON_UNSPECIFIED, untilDate: '' };

/** A token's text: `ct1~a~<clinic>~<version>~<resident tag>` or `ct1~s~<clinic>~<version>`. */
const partsOf = (token: string) => Buffer.from(token, 'base64url').toString().split('~');
/** The same token, promising a version storage may not have reached. */
const atVersion = (token: string, version: number) => {
  const parts = partsOf(token);
  parts[3] = String(version);
  return Buffer.from(parts.join('~')).toString('base64url');
};

describe('consistency tokens', () => {
  let sut: ServiceUnderTest;
  let eservice: Api;
  beforeAll(async () => {
    sut = await startServiceUnderTest({ env: { CONSISTENCY_WAIT_MS: '200' } });
    eservice = await sut.eservice();
  });
  afterAll(async () => {
    await sut.stop();
  });

  const views = () => sut.db.collection<ResidentViewDocument>(RESIDENT_VIEWS_COLLECTION);
  const check = (personalIdentityNumber: string, clinicId: string, caseTypeId: string, consistencyToken = '') =>
    eservice.checkEntitlement({ personalIdentityNumber, clinicId, caseTypeId, consistencyToken });
  const list = async (personalIdentityNumber: string, consistencyToken = '') => (await eservice.listEntitlements({ personalIdentityNumber, consistencyToken })).clinics;
  const approve = async (clinicId: string, resident: string) =>
    (await (await sut.staff(clinicId)).approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }))).consistencyToken;
  const grant = async (clinicId: string, resident: string) =>
    (await (await sut.staff(clinicId)).grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident }))).consistencyToken;
  /** Neither the call's answer nor the service's log holds the number, in any form. */
  const expectNoNumber = (error: ServiceError, resident: string) => {
    expect(JSON.stringify([error.details, errorDetails(error)])).not.toContain(resident.slice(2));
    expect(sut.logs.text()).not.toContain(resident.slice(2));
  };

  it('every synchronous command answers with a token naming the state it left, and no personal number', async () => {
    const clinicId = await sut.givenClinic({ caseTypes: RESTRICTED_AND_GENERAL });
    const [resident, other] = [aResident(), aResident()];
    const staff = await sut.staff(clinicId);
    const admin = await sut.admin(clinicId);
    const change = () => ({ clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' });

    const accessResponses = [
      await staff.approveResident(change()),
      await staff.approveResident(change()), // changes nothing: a token of the state as it is
      await staff.grantCaseType({ ...change(), caseTypeId: 'restricted-1', untilFurtherNotice: true }),
      await staff.changeGrant({ ...change(), caseTypeId: 'restricted-1', untilDate: '2099-05-31' }),
      await staff.removeGrant({ ...change(), caseTypeId: 'restricted-1' }),
      await staff.removeApproval(change()),
    ];
    expect(accessResponses.map((r) => [r.changed, r.access!.version])).toEqual([
      [true, 1],
      [false, 1],
      [true, 2],
      [true, 3],
      [true, 4],
      [true, 5],
    ]);
    const tags = new Set<string>();
    for (const { consistencyToken, access } of accessResponses) {
      const [prefix, kind, tokenClinic, version, tag] = partsOf(consistencyToken);
      expect({ prefix, kind, tokenClinic, version: Number(version) }).toEqual({ prefix: 'ct1', kind: 'a', tokenClinic: clinicId, version: access!.version });
      expect(consistencyToken).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(`${consistencyToken} ${partsOf(consistencyToken).join('~')}`).not.toContain(resident.slice(2));
      tags.add(tag!);
    }
    expect(tags.size).toBe(1);
    expect(partsOf(await approve(clinicId, other))[4]).not.toBe([...tags][0]);

    const settingsChange = () => ({ clinicId, requestId: randomUUID(), etag: '' });
    const area = { regionCode: '12', municipalityCodes: [], sex: Sex.SEX_UNSPECIFIED, minAge: 0, maxAge: 0 };
    const settingsResponses = [
      await admin.putCaseType({ ...settingsChange(), caseType: { id: 'visit', name: 'Visit', restricted: false } }),
      await admin.setServiceArea({ ...settingsChange(), serviceArea: area }),
      await admin.clearServiceArea(settingsChange()),
      await admin.removeCaseType({ ...settingsChange(), caseTypeId: 'visit' }),
    ];
    for (const { consistencyToken, settings } of settingsResponses) {
      expect(partsOf(consistencyToken)).toEqual(['ct1', 's', clinicId, String(settings!.version)]);
    }
  });

  it('a query with the token of a change answers from that change', async () => {
    const clinicId = await sut.givenClinic({ caseTypes: RESTRICTED_AND_GENERAL });
    const resident = aResident();
    await approve(clinicId, resident);
    const token = await grant(clinicId, resident);

    await expect(check(resident, clinicId, 'restricted-1', token)).resolves.toEqual({ allowed: true, reason: GRANT, untilDate: '' });
    await expect(check(tenDigitForm(resident), clinicId, 'general', token)).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
    await expect(list(resident, token)).resolves.toEqual([
      { clinicId, caseTypes: [expect.objectContaining({ caseTypeId: 'general' }), expect.objectContaining({ caseTypeId: 'restricted-1' })] },
    ]);
  });

  it('a malformed token is INVALID_ARGUMENT naming consistency_token, never echoing the number', async () => {
    const clinicId = await sut.givenClinic();
    const resident = aResident();
    const real = await approve(clinicId, resident);
    const malformed = ['not a token!', real.slice(0, 10), Buffer.from(`ct1~a~${clinicId}~one~tag`).toString('base64url'), `${real}${real}${real}${real}${real}`];

    for (const consistencyToken of malformed) {
      for (const call of [() => check(resident, clinicId, 'general', consistencyToken), () => list(resident, consistencyToken)]) {
        const error = await failureOf(call());
        expect(error.code).toBe(status.INVALID_ARGUMENT);
        expect(errorDetails(error)).toMatchObject({ reason: 'INVALID_CONSISTENCY_TOKEN', violations: [{ field: 'consistency_token', reason: 'INVALID_CONSISTENCY_TOKEN' }] });
        expectNoNumber(error, resident);
      }
    }
    // Reported with every other invalid field at once.
    const everything = await failureOf(check('12345', clinicId, 'general', 'not a token!'));
    expect(errorDetails(everything).violations.map((v) => v.field)).toEqual(['personal_identity_number', 'consistency_token']);
  });

  it('a token of another resident’s change is INVALID_ARGUMENT (CONSISTENCY_TOKEN_MISMATCH), naming neither number', async () => {
    const clinicId = await sut.givenClinic();
    const [resident, other] = [aResident(), aResident()];
    await approve(clinicId, resident);
    const othersToken = await approve(clinicId, other);

    for (const call of [() => check(resident, clinicId, 'general', othersToken), () => list(resident, othersToken)]) {
      const error = await failureOf(call());
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error)).toMatchObject({ reason: 'CONSISTENCY_TOKEN_MISMATCH', violations: [{ field: 'consistency_token', reason: 'CONSISTENCY_TOKEN_MISMATCH' }] });
      expectNoNumber(error, resident);
      expectNoNumber(error, other);
    }
    // A settings token is about the clinic, so it serves any resident.
    const settingsToken = (await (await sut.admin(clinicId)).putCaseType({ clinicId, caseType: { id: 'visit', name: 'Visit', restricted: false }, requestId: randomUUID(), etag: '' }))
      .consistencyToken;
    await expect(check(resident, clinicId, 'visit', settingsToken)).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
  });

  it('when the resident’s view document is gone, the token’s query answers from the access document and the view is repaired', async () => {
    const clinicId = await sut.givenClinic();
    const resident = aResident();
    const token = await approve(clinicId, resident);
    await views().deleteOne({ _id: resident });
    // Without a token the view is the answer: the change is not in it.
    await expect(check(resident, clinicId, 'general')).resolves.toEqual(NOT_ALLOWED);

    await expect(check(resident, clinicId, 'general', token)).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
    await eventually(async () => (await viewMismatches(sut.db, { clinicIds: [clinicId] })).length === 0, { what: 'the view to be repaired', timeoutMs: 10_000 });
    await expect(check(resident, clinicId, 'general')).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
  });

  it('when one clinic’s entry is gone or older than the token, the token’s query answers from that access document and keeps the other clinics', async () => {
    const [approvedAt, grantedAt] = [await sut.givenClinic(), await sut.givenClinic({ caseTypes: RESTRICTED_AND_GENERAL })];
    const resident = aResident();
    await approve(approvedAt, resident);
    await approve(grantedAt, resident);
    const olderEntry = (await views().findOne({ _id: resident }))!.clinics[grantedAt];
    const token = await grant(grantedAt, resident);
    const byApproval = { clinicId: approvedAt, caseTypes: [{ caseTypeId: 'general', name: 'General question', reason: APPROVED, untilDate: '' }] };
    const byApprovalAndGrant = {
      clinicId: grantedAt,
      caseTypes: [
        { caseTypeId: 'general', name: 'General', reason: APPROVED, untilDate: '' },
        { caseTypeId: 'restricted-1', name: 'Restricted', reason: GRANT, untilDate: '' },
      ],
    };
    const repaired = () =>
      eventually(async () => (await viewMismatches(sut.db, { clinicIds: [approvedAt, grantedAt] })).length === 0, { what: 'the view to be repaired', timeoutMs: 10_000 });

    await views().updateOne({ _id: resident }, { $set: { [`clinics.${grantedAt}`]: olderEntry } });
    await expect(check(resident, grantedAt, 'restricted-1')).resolves.toEqual(NOT_ALLOWED);
    await expect(check(resident, grantedAt, 'restricted-1', token)).resolves.toEqual({ allowed: true, reason: GRANT, untilDate: '' });
    await repaired();

    await views().updateOne({ _id: resident }, { $unset: { [`clinics.${grantedAt}`]: '' } });
    await expect(list(resident)).resolves.toEqual([byApproval]);
    await expect(list(resident, token)).resolves.toEqual([byApproval, byApprovalAndGrant].sort((a, b) => (a.clinicId < b.clinicId ? -1 : 1)));
    await repaired();
  });

  it('a token storage has not reached is UNAVAILABLE (NOT_YET_CONSISTENT) with RetryInfo, and answers once storage reaches it', async () => {
    const clinicId = await sut.givenClinic({ caseTypes: RESTRICTED_AND_GENERAL });
    const resident = aResident();
    const ahead = atVersion(await approve(clinicId, resident), 2);
    const settingsAhead = atVersion((await (await sut.admin(clinicId)).clearServiceArea({ clinicId, requestId: randomUUID(), etag: '' })).consistencyToken, 99);

    for (const token of [ahead, settingsAhead]) {
      for (const call of [() => check(resident, clinicId, 'general', token), () => list(resident, token)]) {
        const error = await failureOf(call());
        expect(error.code).toBe(status.UNAVAILABLE);
        expect(errorDetails(error)).toMatchObject({ reason: 'NOT_YET_CONSISTENT', domain: 'residentaccess.v1.EntitlementService' });
        expect(retryDelayOf(error)).toEqual({ seconds: 1, nanos: 0 });
        expectNoNumber(error, resident);
      }
    }

    await grant(clinicId, resident); // version 2
    await expect(check(resident, clinicId, 'restricted-1', ahead)).resolves.toEqual({ allowed: true, reason: GRANT, untilDate: '' });
  });

  it('a settings token from PutCaseType: CheckEntitlement answers from settings that hold the new case type', async () => {
    const clinicId = await sut.givenClinic({ caseTypes: RESTRICTED_AND_GENERAL });
    const resident = aResident();
    await approve(clinicId, resident);
    await grant(clinicId, resident);
    const admin = await sut.admin(clinicId);
    const put = (caseType: { id: string; name: string; restricted: boolean }) => admin.putCaseType({ clinicId, caseType, requestId: randomUUID(), etag: '' });

    const added = await put({ id: 'visit', name: 'Visit', restricted: false });
    await expect(check(resident, clinicId, 'visit', added.consistencyToken)).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
    // restricted-1 made open: the grant no longer counts, the approval does.
    const opened = await put({ id: 'restricted-1', name: 'Restricted', restricted: false });
    await expect(check(resident, clinicId, 'restricted-1', opened.consistencyToken)).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
  });
});
