import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { ImportRowOutcome, type ImportRow } from '../../src/gen/residentaccess/v1/resident_access_service';
import { aResident, tenDigitForm } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import type { ConsumedEvent } from '../support/event-consumer';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { relayCaughtUp } from '../support/relay-caught-up';
import { RESTRICTED_AND_GENERAL, startWithClinic, type ServiceUnderTest } from '../support/service-under-test';
import { recordIdentityNumbers } from '../support/test-logs';
import { signTestToken } from '../support/tokens';

const {
  IMPORT_ROW_OUTCOME_APPLIED: APPLIED,
  IMPORT_ROW_OUTCOME_ALREADY_APPLIED: ALREADY_APPLIED,
  IMPORT_ROW_OUTCOME_UNCHANGED: UNCHANGED,
  IMPORT_ROW_OUTCOME_FAILED: FAILED,
} = ImportRowOutcome;
const IMPORTED = 'ACCESS_CHANGE_CAUSE_IMPORTED';

/** A number whose check digit is wrong: the row must fail without the answer repeating it. */
function withWrongCheckDigit(resident: string): string {
  const wrong = resident.slice(0, 11) + String((Number(resident[11]) + 1) % 10);
  // The log scan looks for it too: a refused number must not reach the logs either.
  recordIdentityNumbers([wrong]);
  return wrong;
}

const row = (line: number, personalIdentityNumber: string, extra: Partial<ImportRow> = {}): ImportRow => ({ line, personalIdentityNumber, approved: true, grants: [], ...extra });
const untilFurtherNotice = (caseTypeId = 'restricted-1') => ({ caseTypeId, untilFurtherNotice: true });
const until = (untilDate: string, caseTypeId = 'restricted-1') => ({ caseTypeId, untilDate });

describe('ImportAccesses', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  let admin: Api;
  const importedEvents = (importId: string) => (e: ConsumedEvent) => e.value.cause === IMPORTED && String(e.value.requestId).startsWith(`${importId}:`);

  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic(RESTRICTED_AND_GENERAL));
    admin = await sut.admin(clinicId);
  });
  afterAll(async () => {
    await sut.stop();
  });

  it('applies the good rows, one IMPORTED event each, and reports each bad row by line and reason without its number', async () => {
    const [approvedOnly, granted, both, badNumber, alreadyThere] = [aResident(), aResident(), aResident(), aResident(), aResident()];
    await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: alreadyThere }));
    const wrong = withWrongCheckDigit(badNumber);
    const importId = randomUUID();
    const rows = [
      row(2, approvedOnly),
      row(3, tenDigitForm(granted), { approved: false, grants: [until('2099-12-31')] }),
      row(4, both, { grants: [untilFurtherNotice()] }),
      row(5, wrong),
      row(6, aResident(), { grants: [until('2020-01-01'), untilFurtherNotice('general'), untilFurtherNotice('no-such-type')] }),
      row(7, aResident(), { approved: false }),
      row(8, alreadyThere),
    ];

    const { results } = await admin.importAccesses({ clinicId, importId, rows });

    expect(results.map((r) => [r.line, r.outcome])).toEqual([
      [2, APPLIED],
      [3, APPLIED],
      [4, APPLIED],
      [5, FAILED],
      [6, FAILED],
      [7, FAILED],
      [8, UNCHANGED],
    ]);
    expect(results[3]!.violations).toEqual([{ field: 'personal_identity_number', reason: 'INVALID_PERSONAL_IDENTITY_NUMBER', description: expect.any(String) }]);
    expect(results[4]!.violations.map((v) => [v.field, v.reason])).toEqual([
      ['grants[0].until_date', 'DATE_IN_PAST'],
      ['grants[1].case_type_id', 'CASE_TYPE_NOT_RESTRICTED'],
      ['grants[2].case_type_id', 'CASE_TYPE_NOT_FOUND'],
    ]);
    expect(results[5]!.violations.map((v) => [v.field, v.reason])).toEqual([['approved', 'NOTHING_TO_IMPORT']]);
    const answer = JSON.stringify(results);
    for (const written of [wrong, wrong.slice(2), tenDigitForm(wrong)]) expect(answer).not.toContain(written);

    // Stored as the single commands store them, each row under its own request id.
    const access = async (resident: string) => (await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident })).access!;
    expect(await access(approvedOnly)).toMatchObject({ approval: { approved: { actor: 'admin-1', requestId: `${importId}:2` } }, grants: [], version: 1 });
    expect(await access(granted)).toMatchObject({ approval: undefined, grants: [{ caseTypeId: 'restricted-1', untilDate: '2099-12-31' }], version: 1 });
    expect(await access(both)).toMatchObject({ approval: { approved: { requestId: `${importId}:4` } }, grants: [{ caseTypeId: 'restricted-1', untilDate: '' }], version: 1 });
    expect(await sut.access.countDocuments({ clinicId, resident: { $in: [wrong, badNumber] } })).toBe(0);

    // One event per applied row, with its own request id; none for the failed or unchanged rows.
    const events = await sut.events.waitFor(importedEvents(importId), 3);
    await relayCaughtUp(sut, staff, clinicId);
    const ofImport = sut.events.events.filter(importedEvents(importId));
    expect(ofImport.map((e) => [e.value.requestId, e.value.version, e.value.actor]).sort()).toEqual([
      [`${importId}:2`, 1, 'admin-1'],
      [`${importId}:3`, 1, 'admin-1'],
      [`${importId}:4`, 1, 'admin-1'],
    ]);
    const both4 = events.find((e) => e.value.requestId === `${importId}:4`)!;
    expect(both4.value.access).toMatchObject({ clinicId, personalIdentityNumber: both, approval: expect.anything(), grants: [{ caseTypeId: 'restricted-1' }] });
    expect(sut.events.events.filter((e) => (e.value.access as { personalIdentityNumber?: string }).personalIdentityNumber === alreadyThere)).toHaveLength(1);
  });

  it('run again, applies no row twice: a batch sent again answers ALREADY_APPLIED and stores and publishes nothing', async () => {
    const [first, second] = [aResident(), aResident()];
    const importId = randomUUID();
    const rows = [row(1, first), row(2, second, { grants: [until('2099-06-30')] })];
    expect((await admin.importAccesses({ clinicId, importId, rows })).results.map((r) => r.outcome)).toEqual([APPLIED, APPLIED]);
    // Staff change the first resident after the import: a re-run must not undo it.
    await staff.removeApproval({ clinicId, personalIdentityNumber: first, requestId: randomUUID(), etag: '' });

    const again = await admin.importAccesses({ clinicId, importId, rows });

    expect(again.results.map((r) => [r.line, r.outcome])).toEqual([
      [1, ALREADY_APPLIED],
      [2, ALREADY_APPLIED],
    ]);
    expect((await staff.getResidentAccess({ clinicId, personalIdentityNumber: first })).access).toMatchObject({ approval: undefined, version: 2 });
    expect((await staff.getResidentAccess({ clinicId, personalIdentityNumber: second })).access).toMatchObject({ version: 1 });
    await relayCaughtUp(sut, staff, clinicId);
    expect(sut.events.events.filter(importedEvents(importId))).toHaveLength(2);

    // A new import of the same rows is a new request: what is already there is left unchanged.
    const rerun = await admin.importAccesses({ clinicId, importId: randomUUID(), rows });
    expect(rerun.results.map((r) => r.outcome)).toEqual([APPLIED, UNCHANGED]);
  });

  it('an imported grant with a later first day is pending (no entitlement); one whose first day has passed is active; a bad first day fails its row by field', async () => {
    const [later, passed] = [aResident(), aResident()];
    const rows = [
      row(1, later, { grants: [{ ...until('2099-12-31'), firstDay: '2099-01-15' }] }),
      row(2, passed, { grants: [{ ...untilFurtherNotice(), firstDay: '2020-01-15' }] }),
      row(3, aResident(), { grants: [{ ...until('2099-01-31'), firstDay: '2099-02-01' }] }),
      row(4, aResident(), { grants: [{ ...untilFurtherNotice(), firstDay: '2099-02-30' }] }),
    ];

    const { results } = await admin.importAccesses({ clinicId, importId: randomUUID(), rows });

    expect(results.map((r) => [r.line, r.outcome, r.violations.map((v) => `${v.field} ${v.reason}`)])).toEqual([
      [1, APPLIED, []],
      [2, APPLIED, []],
      [3, FAILED, ['grants[0].first_day AFTER_LAST_DAY']],
      [4, FAILED, ['grants[0].first_day INVALID_DATE']],
    ]);
    const grantOf = async (resident: string) => (await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident })).access!.grants[0];
    // 00:00 Europe/Stockholm on the first day (UTC+1 in January).
    expect(await grantOf(later)).toMatchObject({ firstDay: '2099-01-15', pending: true, startsAt: new Date('2099-01-14T23:00:00Z'), untilDate: '2099-12-31' });
    expect(await grantOf(passed)).toMatchObject({ firstDay: '2020-01-15', pending: false, startsAt: undefined });
    const eservice = await sut.eservice();
    const allowed = async (resident: string) => (await eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: 'restricted-1' })).allowed;
    expect(await allowed(later)).toBe(false);
    expect(await allowed(passed)).toBe(true);
  });

  it("fails alone a row that would end a held pending grant before the first day it keeps; the batch's other rows are applied", async () => {
    const [pending, other] = [aResident(), aResident()];
    await admin.importAccesses({ clinicId, importId: randomUUID(), rows: [row(1, pending, { grants: [{ ...until('2099-12-31'), firstDay: '2099-06-01' }] })] });

    const { results } = await admin.importAccesses({ clinicId, importId: randomUUID(), rows: [row(1, pending, { grants: [until('2099-03-31')] }), row(2, other)] });

    expect(results.map((r) => [r.line, r.outcome, r.violations.map((v) => `${v.field} ${v.reason}`)])).toEqual([
      [1, FAILED, ['grants[0].until_date BEFORE_FIRST_DAY']],
      [2, APPLIED, []],
    ]);
    expect((await staff.getResidentAccess({ clinicId, personalIdentityNumber: pending })).access!.grants[0]).toMatchObject({
      firstDay: '2099-06-01',
      untilDate: '2099-12-31',
      pending: true,
    });
  });

  it('applies two rows of one resident in one batch one after the other, each its own event', async () => {
    const resident = aResident();
    const importId = randomUUID();
    const { results } = await admin.importAccesses({ clinicId, importId, rows: [row(1, resident), row(2, resident, { approved: false, grants: [untilFurtherNotice()] })] });
    expect(results.map((r) => r.outcome)).toEqual([APPLIED, APPLIED]);
    expect((await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident })).access).toMatchObject({
      approval: expect.anything(),
      grants: [{ caseTypeId: 'restricted-1' }],
      version: 2,
    });
    const events = await sut.events.waitFor(importedEvents(importId), 2);
    expect(events.map((e) => [e.value.requestId, e.value.version])).toEqual([
      [`${importId}:1`, 1],
      [`${importId}:2`, 2],
    ]);
  });

  it("is for the clinic's administrators: staff, and administrators of another clinic, are refused and nothing is stored", async () => {
    const resident = aResident();
    const request = { clinicId, importId: randomUUID(), rows: [row(1, resident)] };
    const otherClinic = await sut.givenClinic({ caseTypes: RESTRICTED_AND_GENERAL });
    const adminElsewhere = sut.api(await signTestToken({ sub: 'admin-2', clinics: [otherClinic], roles: ['staff', 'admin'] }));
    for (const caller of [staff, adminElsewhere]) {
      const failure = await failureOf(caller.importAccesses(request));
      expect(failure.code).toBe(status.PERMISSION_DENIED);
    }
    expect((await failureOf(sut.api(null).importAccesses(request))).code).toBe(status.UNAUTHENTICATED);
    expect(await sut.access.countDocuments({ clinicId, resident })).toBe(0);
  });

  it('refuses a malformed batch as a whole (lines, import id, row count), naming the fields, and stores nothing', async () => {
    const resident = aResident();
    const failure = await failureOf(admin.importAccesses({ clinicId, importId: 'not an id', rows: [row(1, resident), row(1, aResident()), row(0, aResident())] }));
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(errorDetails(failure).violations.map((v) => [v.field, v.reason])).toEqual([
      ['import_id', 'INVALID_REQUEST_ID'],
      ['rows[1].line', 'DUPLICATE_LINE'],
      ['rows[2].line', 'INVALID_LINE'],
    ]);
    expect(await sut.access.countDocuments({ clinicId, resident })).toBe(0);
    const empty = await failureOf(admin.importAccesses({ clinicId, importId: randomUUID(), rows: [] }));
    expect(errorDetails(empty).violations.map((v) => [v.field, v.reason])).toEqual([['rows', 'REQUIRED']]);
  });
});
