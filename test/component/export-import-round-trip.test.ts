import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResidentAccess } from '../../src/gen/residentaccess/v1/access';
import { RESIDENTS_COLLECTION, type ResidentDocument } from '../../src/storage-mongo/mongo-resident-register';
import { aResident } from '../builders/identity';
import type { Api } from '../support/grpc-client';
import { runCli } from '../support/operator-cli';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { signTestToken } from '../support/tokens';

const CASE_TYPES = [
  { id: 'diabetes-team', name: 'Diabetes team', restricted: true },
  { id: 'psychotherapy', name: 'Psychotherapy follow-up', restricted: true },
  { id: 'lab', name: 'Lab', restricted: true },
];

/** What a clinic gives a resident, without who did it and when (an import is its own change). */
const given = (access: ResidentAccess) => ({
  approved: access.approval !== undefined,
  grants: access.grants.map(({ caseTypeId, untilDate, firstDay, pending, startsAt }) => ({ caseTypeId, untilDate, firstDay, pending, startsAt })),
});

describe('export of one clinic, imported into another', () => {
  let sut: ServiceUnderTest;
  let dir: string;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
    dir = mkdtempSync(join(tmpdir(), 'round-trip-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sut.stop();
  });

  it('gives the same approvals and grants, a pending grant and a name with a line break included', async () => {
    const from = await sut.givenClinic({ caseTypes: CASE_TYPES });
    const to = await sut.givenClinic({ caseTypes: CASE_TYPES });
    const staff: Api = await sut.staff(from);
    const [lineBreak, pending, grantedOnly] = [aResident(), aResident(), aResident()];
    await sut.db.collection<ResidentDocument>(RESIDENTS_COLLECTION).insertOne({
      _id: lineBreak,
      givenName: 'Carl\r\nGustaf',
      familyName: 'Berg',
      protectedIdentity: false,
      regionCode: '01',
      municipalityCode: '0180',
      registeredAt: new Date('2025-05-30T06:15:00Z'),
    });
    const call = { requestId: '', etag: '' };
    for (const resident of [lineBreak, pending]) await staff.approveResident({ clinicId: from, personalIdentityNumber: resident, ...call, requestId: randomUUID() });
    const grant = (resident: string, caseTypeId: string, end: { untilDate: string } | { untilFurtherNotice: true }, firstDay?: string) =>
      staff.grantCaseType({ clinicId: from, personalIdentityNumber: resident, caseTypeId, ...end, ...(firstDay ? { firstDay } : {}), ...call, requestId: randomUUID() });
    await grant(lineBreak, 'lab', { untilDate: '2099-06-30' });
    await grant(pending, 'diabetes-team', { untilDate: '2099-12-31' }, '2099-03-01');
    await grant(pending, 'psychotherapy', { untilFurtherNotice: true }, '2099-04-01');
    await grant(pending, 'lab', { untilFurtherNotice: true });
    await grant(grantedOnly, 'psychotherapy', { untilDate: '2099-01-31' });

    const exported = await runCli(sut.service.port, await signTestToken({ sub: 'staff-1', clinics: [from], roles: ['staff'] }), ['export', '--clinic', from]);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(exported.stdout).toContain('"Carl\r\nGustaf Berg"');
    const file = join(dir, 'clinic.csv');
    writeFileSync(file, exported.stdout);
    const adminOfTo = await signTestToken({ sub: 'admin-1', clinics: [to], roles: ['staff', 'admin'] });
    const imported = await runCli(sut.service.port, adminOfTo, ['import', file, '--clinic', to]);

    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/3 rows, 3 applied, 0 already applied, 0 unchanged, 0 failed\n$/);
    const staffOfTo = await sut.staff(to);
    for (const resident of [lineBreak, pending, grantedOnly]) {
      const before = (await staff.getResidentAccess({ clinicId: from, personalIdentityNumber: resident })).access!;
      const after = (await staffOfTo.getResidentAccess({ clinicId: to, personalIdentityNumber: resident })).access!;
      expect(given(after)).toEqual(given(before));
    }
    expect(given((await staffOfTo.getResidentAccess({ clinicId: to, personalIdentityNumber: pending })).access!).grants).toEqual([
      { caseTypeId: 'diabetes-team', untilDate: '2099-12-31', firstDay: '2099-03-01', pending: true, startsAt: new Date('2099-02-28T23:00:00Z') },
      { caseTypeId: 'lab', untilDate: '', firstDay: '', pending: false, startsAt: undefined },
      { caseTypeId: 'psychotherapy', untilDate: '', firstDay: '2099-04-01', pending: true, startsAt: new Date('2099-03-31T22:00:00Z') },
    ]);
  });
});
