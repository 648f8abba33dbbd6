import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESIDENTS_COLLECTION, type ResidentDocument } from '../../src/storage-mongo/mongo-resident-register';
import { aClinicId, aResident } from '../builders/identity';
import { readCsv } from '../support/csv-reader';
import type { Api } from '../support/grpc-client';
import { runCli, startCli } from '../support/operator-cli';
import { eventually } from '../support/eventually';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { signTestToken } from '../support/tokens';

const HEADER = ['personal_identity_number', 'name', 'approved', 'grants'];
const CASE_TYPES = [
  { id: 'general', name: 'General', restricted: false },
  { id: 'diabetes-team', name: 'Diabetes team', restricted: true },
  { id: 'psychotherapy', name: 'Psychotherapy follow-up', restricted: true },
];

/** `count` distinct random residents. */
function distinctResidents(count: number): string[] {
  const residents = new Set<string>();
  while (residents.size < count) residents.add(aResident());
  return [...residents];
}

interface Expected {
  resident: string;
  name: string;
  approved: boolean;
  grants: { caseTypeId: string; untilDate: string }[];
}

/** The rows the export must write for these residents: in number order, grants by case type. */
const rowsOf = (expected: Expected[]) =>
  [...expected]
    .sort((a, b) => a.resident.localeCompare(b.resident))
    .map((e) => [
      e.resident,
      e.name,
      String(e.approved),
      [...e.grants]
        .sort((a, b) => a.caseTypeId.localeCompare(b.caseTypeId))
        .map((g) => (g.untilDate ? `${g.caseTypeId}:${g.untilDate}` : g.caseTypeId))
        .join(';'),
    ]);

describe('resident-access export (CSV of a clinic through ListResidents)', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  let expected: Expected[];
  let elsewhere: string;
  let ended: string;
  const exporter = async (sub: string, roles: string[] = ['staff'], clinic = clinicId) => signTestToken({ sub, clinics: [clinic], roles });

  beforeAll(async () => {
    // Two pages at once, then two a second: an export of more pages must wait as the service asks.
    sut = await startServiceUnderTest({ env: { RATE_LIMIT_LISTINGS_BURST: '2', RATE_LIMIT_LISTINGS_PER_SECOND: '2' } });
    clinicId = await sut.givenClinic({ caseTypes: CASE_TYPES });
    staff = await sut.staff(clinicId);
    const register = sut.db.collection<ResidentDocument>(RESIDENTS_COLLECTION);
    const registered = (resident: string, givenName: string, familyName: string, protectedIdentity = false) =>
      register.insertOne({ _id: resident, givenName, familyName, protectedIdentity, regionCode: '01', municipalityCode: '0180', registeredAt: new Date('2025-05-30T06:15:00Z') });
    const approve = (resident: string) => staff.approveResident({ clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' });
    const grant = (resident: string, caseTypeId: string, untilDate: string) =>
      staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId, ...(untilDate ? { untilDate } : { untilFurtherNotice: true }), requestId: randomUUID(), etag: '' });

    const [comma, quotes, newline, secret, unregistered, grantedOnly, ...plain] = distinctResidents(11) as [string, string, string, string, string, string, ...string[]];
    await registered(comma, 'Anna', 'Lindqvist, Ek');
    await registered(quotes, 'Bo "Bosse"', 'Ek');
    await registered(newline, 'Carl\r\nGustaf', 'Berg');
    await registered(secret, 'Secret', 'Person', true);
    await registered(grantedOnly, 'Dag', 'Hammar');
    for (const [i, resident] of plain.entries()) await registered(resident, `Resident${i}`, 'Plain');

    expected = [
      { resident: comma, name: 'Anna Lindqvist, Ek', approved: true, grants: [] },
      { resident: quotes, name: 'Bo "Bosse" Ek', approved: true, grants: [{ caseTypeId: 'psychotherapy', untilDate: '' }] },
      { resident: newline, name: 'Carl\r\nGustaf Berg', approved: true, grants: [] },
      {
        resident: secret,
        name: '',
        approved: true,
        grants: [
          { caseTypeId: 'psychotherapy', untilDate: '2099-06-30' },
          { caseTypeId: 'diabetes-team', untilDate: '' },
        ],
      },
      { resident: unregistered, name: '', approved: true, grants: [] },
      { resident: grantedOnly, name: 'Dag Hammar', approved: false, grants: [{ caseTypeId: 'diabetes-team', untilDate: '2099-12-31' }] },
      ...plain.map((resident, i) => ({ resident, name: `Resident${i} Plain`, approved: true, grants: [] })),
    ];
    for (const e of expected) {
      if (e.approved) await approve(e.resident);
      for (const g of e.grants) await grant(e.resident, g.caseTypeId, g.untilDate);
    }
    // Neither is a resident of this clinic now: one is at another clinic, one's approval was removed.
    elsewhere = aResident();
    const otherClinic = await sut.givenClinic({ caseTypes: CASE_TYPES });
    await (await sut.staff(otherClinic)).approveResident({ clinicId: otherClinic, personalIdentityNumber: elsewhere, requestId: randomUUID(), etag: '' });
    ended = aResident();
    await approve(ended);
    await staff.removeApproval({ clinicId, personalIdentityNumber: ended, requestId: randomUUID(), etag: '' });
  });
  afterAll(async () => {
    await sut.stop();
  });

  /** The resident's access-log entries of the export's listing, as the resident sees them (the e-service acting for the resident). */
  const listingReads = async (resident: string, subject: string) => {
    const forResident = await sut.eserviceFor(resident, `session-${randomUUID()}`);
    const page = await forResident.listResidentAccessLog({ personalIdentityNumber: '', clinicId: '', pageSize: 1000, pageToken: '' });
    return page.entries.filter((e) => e.subject === subject && e.read === 'ListResidents').map((e) => ({ clinicId: e.clinicId, authority: e.authority }));
  };

  it('writes every resident of the clinic over several pages, protected names omitted, quoting correct; each exported resident is a read in the access log', async () => {
    const subject = `exporter-${randomUUID()}`;
    const result = await runCli(sut.service.port, await exporter(subject), ['export', '--clinic', clinicId, '--page-size', '3']);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [header, ...rows] = readCsv(result.stdout);
    expect(header).toEqual(HEADER);
    expect(rows).toEqual(rowsOf(expected));
    expect(result.stdout).toContain('"Anna Lindqvist, Ek"');
    expect(result.stdout).toContain('"Bo ""Bosse"" Ek"');
    expect(result.stdout).toContain('"Carl\r\nGustaf Berg"');
    expect(result.stdout).not.toMatch(/Secret|Person/);
    const [protectedResident, grantedOnly] = [expected[3]!.resident, expected[5]!.resident];
    expect(result.stdout).toContain(`\r\n${protectedResident},,true,diabetes-team;psychotherapy:2099-06-30\r\n`);
    expect(result.stdout).toContain(`\r\n${grantedOnly},Dag Hammar,false,diabetes-team:2099-12-31\r\n`);
    expect(result.stdout).not.toContain(elsewhere);
    expect(result.stdout).not.toContain(ended);

    // 11 residents in pages of 3: four calls, each resident read once, under the exporter's staff role at the clinic.
    for (const { resident } of expected) expect(await listingReads(resident, subject)).toEqual([{ clinicId, authority: 'role:staff' }]);
    for (const notExported of [elsewhere, ended]) expect(await listingReads(notExported, subject)).toEqual([]);
  });

  it('waits as the listings’ rate limit asks (RetryInfo) instead of failing: one resident a page', async () => {
    const result = await runCli(sut.service.port, await exporter(`exporter-${randomUUID()}`), ['export', '--clinic', clinicId, '--page-size', '1']);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(readCsv(result.stdout).slice(1)).toEqual(rowsOf(expected));
  });

  it('--output writes the same CSV to a file only its owner can read, and a summary to stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-cli-'));
    try {
      const file = join(dir, 'residents.csv');
      const result = await runCli(sut.service.port, await exporter(`exporter-${randomUUID()}`), ['export', '--clinic', clinicId, '--output', file]);

      expect(result).toEqual({ code: 0, stdout: `exported 11 residents of ${clinicId} to ${file}\n`, stderr: '' });
      expect(readCsv(readFileSync(file, 'utf8'))).toEqual([HEADER, ...rowsOf(expected)]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir)).toEqual(['residents.csv']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown clinic, or one where the token holds no staff role, is PERMISSION_DENIED: exit 1, nothing written, no file left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-cli-'));
    try {
      const denied = 'resident-access: PERMISSION_DENIED: permission denied on this clinic, or it does not exist\n';
      const unknown = aClinicId();
      const file = join(dir, 'residents.csv');
      expect(await runCli(sut.service.port, await exporter('exporter-x', ['staff'], unknown), ['export', '--clinic', unknown, '--output', file])).toEqual({
        code: 1,
        stdout: '',
        stderr: denied,
      });
      expect(readdirSync(dir)).toEqual([]);
      // An administrator without the staff role, and the operator, cannot list the clinic's residents.
      expect(await runCli(sut.service.port, await exporter('admin-only', ['admin']), ['export', '--clinic', clinicId])).toEqual({ code: 1, stdout: '', stderr: denied });
      const operator = await signTestToken({ sub: 'operator-1', scope: 'resident-access:operator' });
      expect(await runCli(sut.service.port, operator, ['export', '--clinic', clinicId])).toEqual({ code: 1, stdout: '', stderr: denied });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Ctrl-C during an export to --output ends it as SIGINT does and leaves no partial file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-'));
    try {
      // One resident per page at two pages a second: the export is still writing when interrupted.
      const run = startCli(sut.service.port, await exporter(`exporter-${randomUUID()}`), ['export', '--clinic', clinicId, '--page-size', '1', '--output', join(dir, 'out.csv')]);
      await eventually(() => readdirSync(dir).some((name) => name.endsWith('.partial')), { what: 'the partial file', timeoutMs: 20_000, intervalMs: 20 });
      run.child.kill('SIGINT');
      expect(await run.exited).toEqual({ code: null, signal: 'SIGINT' });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad input: a malformed clinic id is INVALID_ARGUMENT naming the field; a missing --clinic or a bad --page-size is a wrong command line', async () => {
    const token = await exporter('exporter-y');
    expect(await runCli(sut.service.port, token, ['export', '--clinic', 'not a clinic'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'resident-access: INVALID_ARGUMENT: invalid request: clinic_id\n',
    });
    const missing = await runCli(sut.service.port, token, ['export']);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/^resident-access: export needs --clinic C\n\nUsage: resident-access export/);
    const pageSize = await runCli(sut.service.port, token, ['export', '--clinic', clinicId, '--page-size', '1001']);
    expect(pageSize).toMatchObject({ code: 2, stdout: '' });
    expect(pageSize.stderr).toMatch(/^resident-access: --page-size must be a whole number from 1 to 1000\n/);
  });
});
