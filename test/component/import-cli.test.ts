import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aResident, tenDigitForm } from '../builders/identity';
import type { Api } from '../support/grpc-client';
import { runCli } from '../support/operator-cli';
import { RESTRICTED_AND_GENERAL, startWithClinic, type ServiceUnderTest } from '../support/service-under-test';
import { recordIdentityNumbers } from '../support/test-logs';
import { signTestToken } from '../support/tokens';

describe('resident-access import', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  let adminToken: string;
  let dir: string;
  const cli = (...args: string[]) => runCli(sut.service.port, adminToken, args);
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const accessOf = async (resident: string) => (await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident })).access!;

  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic(RESTRICTED_AND_GENERAL));
    adminToken = await signTestToken({ sub: 'admin-1', clinics: [clinicId], roles: ['staff', 'admin'] });
    dir = mkdtempSync(join(tmpdir(), 'import-cli-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sut.stop();
  });

  it('imports a CSV with a header: good rows applied, each bad line reported by line and reason without its number, exit 4', async () => {
    const [approved, granted, both] = [aResident(), aResident(), aResident()];
    const wrong = `${both.slice(0, 11)}${(Number(both[11]) + 1) % 10}`;
    recordIdentityNumbers([wrong]);
    const csv = file(
      'clinic.csv',
      [
        'personal_identity_number,approved,grants',
        `${approved},yes,`,
        `${tenDigitForm(granted)},no,restricted-1:2099-12-31`,
        `"${both}",true,"restricted-1"`,
        `${wrong},yes,`,
        '',
        `${aResident()},maybe,`,
        `${aResident()},yes,general`,
      ].join('\n') + '\n',
    );

    const result = await cli('import', csv, '--clinic', clinicId);

    expect(result.code).toBe(4);
    expect(result.stdout.split('\n')).toEqual([
      expect.stringMatching(/^line 5: personal_identity_number INVALID_PERSONAL_IDENTITY_NUMBER \(/),
      expect.stringMatching(/^line 7: line INVALID_FIELD \(approved must be/),
      expect.stringMatching(/^line 8: grants\[0\]\.case_type_id CASE_TYPE_NOT_RESTRICTED \(/),
      expect.stringMatching(new RegExp(`^import [0-9a-f]{40} into ${clinicId}: 6 rows, 3 applied, 0 already applied, 0 unchanged, 3 failed$`)),
      '',
    ]);
    for (const written of [wrong, wrong.slice(2), tenDigitForm(wrong)]) expect(result.stdout + result.stderr).not.toContain(written);
    // Not a terminal: a plain line per batch.
    expect(result.stderr).toBe('imported 5 of 5 rows\n');
    expect(await accessOf(approved)).toMatchObject({ approval: { approved: { actor: 'admin-1' } }, grants: [] });
    expect(await accessOf(granted)).toMatchObject({ approval: undefined, grants: [{ caseTypeId: 'restricted-1', untilDate: '2099-12-31' }] });
    expect(await accessOf(both)).toMatchObject({ approval: expect.anything(), grants: [{ caseTypeId: 'restricted-1', untilDate: '' }], version: 1 });

    // The same file again is the same import: nothing applied twice.
    const again = await cli('import', csv, '--clinic', clinicId);
    expect(again.code).toBe(4);
    expect(again.stdout).toMatch(/6 rows, 0 applied, 3 already applied, 0 unchanged, 3 failed\n$/);
    expect(await accessOf(both)).toMatchObject({ version: 1 });

    // Operators see the import among the jobs: rows applied once, each batch's other rows as answered.
    const importId = /^import ([0-9a-f]{40}) /m.exec(again.stdout)![1]!;
    const operatorToken = await signTestToken({ sub: 'operator-1', scope: 'resident-access:operator' });
    const { jobs } = JSON.parse((await runCli(sut.service.port, operatorToken, ['jobs', '--json'])).stdout) as { jobs: Array<{ id: string }> };
    expect(jobs.find((j) => j.id === importId)).toMatchObject({
      kind: 'JOB_KIND_IMPORT',
      clinicId,
      state: 'JOB_STATE_SUCCEEDED',
      scope: 'import',
      actor: 'admin-1',
      changedCount: 3,
      unchangedCount: 3,
      failedCount: 4,
    });
  });

  it('imports NDJSON (by its extension), with a JSON summary', async () => {
    const [first, second] = [aResident(), aResident()];
    const ndjson = file(
      'clinic.ndjson',
      [
        JSON.stringify({ personal_identity_number: first, approved: true }),
        JSON.stringify({ personal_identity_number: second, grants: [{ case_type_id: 'restricted-1', until_date: '2099-01-31' }] }),
        '{"personal_identity_number": ',
      ].join('\n'),
    );

    const result = await cli('import', ndjson, '--clinic', clinicId, '--json', '--import-id', 'migration-1');

    expect(result.code).toBe(4);
    expect(JSON.parse(result.stdout)).toEqual({
      importId: 'migration-1',
      clinicId,
      format: 'ndjson',
      rows: 3,
      applied: 2,
      alreadyApplied: 0,
      unchanged: 0,
      failed: 1,
      failures: [{ line: 3, violations: [{ field: 'line', reason: 'INVALID_JSON', description: 'the line is not one JSON object' }] }],
    });
    expect(await accessOf(first)).toMatchObject({ approval: { approved: { requestId: 'migration-1:1' } } });
    expect(await accessOf(second)).toMatchObject({ grants: [{ caseTypeId: 'restricted-1', untilDate: '2099-01-31', granted: { requestId: 'migration-1:2' } }] });
  });

  it('reads NDJSON by content when the name says nothing, and answers 0 when every row went in', async () => {
    const resident = aResident();
    const result = await cli('import', file('export', `${JSON.stringify({ personal_identity_number: resident, approved: true })}\n`), '--clinic', clinicId);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 rows, 1 applied, 0 already applied, 0 unchanged, 0 failed\n$/);
  });

  it('refuses a staff token (PERMISSION_DENIED, exit 1) and a command line without --clinic (exit 2)', async () => {
    const resident = aResident();
    const csv = file('staff.csv', `personal_identity_number,approved\n${resident},yes\n`);
    const staffToken = await signTestToken({ sub: 'staff-1', clinics: [clinicId], roles: ['staff'] });
    const refused = await runCli(sut.service.port, staffToken, ['import', csv, '--clinic', clinicId]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^resident-access: PERMISSION_DENIED: /);
    expect((await accessOf(resident)).version).toBe(0);
    expect((await cli('import', csv)).code).toBe(2);
  });
});
