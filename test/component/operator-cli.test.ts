import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aResident } from '../builders/identity';
import type { ConsumedEvent } from '../support/event-consumer';
import type { Api } from '../support/grpc-client';
import { runCli } from '../support/operator-cli';
import { RESTRICTED_AND_GENERAL, startWithClinic, type ServiceUnderTest } from '../support/service-under-test';
import { signTestToken } from '../support/tokens';
import { eventually } from '../support/eventually';

const residentOf = (e: ConsumedEvent) => (e.value.access as { personalIdentityNumber?: string } | undefined)?.personalIdentityNumber;
const clinicOf = (e: ConsumedEvent) => (e.value.access as { clinicId?: string } | undefined)?.clinicId;

describe('the operator CLI (AdminService)', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  let operatorToken: string;
  const cli = (...args: string[]) => runCli(sut.service.port, operatorToken, args);
  const cliWithInput = (input: string, ...args: string[]) => runCli(sut.service.port, operatorToken, args, { input });

  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic(RESTRICTED_AND_GENERAL));
    operatorToken = await signTestToken({ sub: 'operator-1', scope: 'resident-access:operator' });
  });
  afterAll(async () => {
    await sut.stop();
  });

  /** An approved resident with a grant, both events published (so their audit entries exist). */
  async function approvedWithGrant(): Promise<string> {
    const resident = aResident();
    const ids = [randomUUID(), randomUUID()];
    await staff.approveResident({ clinicId, personalIdentityNumber: resident, requestId: ids[0]!, etag: '' });
    await staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate: '2099-12-31', requestId: ids[1]!, etag: '' });
    for (const id of ids) await sut.events.waitFor((e) => e.value.requestId === id);
    return resident;
  }

  it('inspect shows the access at every clinic, each case type with its reason, the audit and the unpublished events, and logs the read', async () => {
    const resident = await approvedWithGrant();

    const asTable = await cli('inspect', resident);
    expect(asTable).toMatchObject({ code: 0, stderr: '' });
    expect(asTable.stdout).toContain(`Resident ${resident}`);
    expect(asTable.stdout).toMatch(new RegExp(`${clinicId}\\s+restricted-1\\s+yes\\s+yes\\s+GRANT\\s+2099-12-31`));
    expect(asTable.stdout).toMatch(new RegExp(`${clinicId}\\s+general\\s+no\\s+yes\\s+APPROVED`));
    expect(asTable.stdout).toMatch(/GRANTED\s+staff-1/);
    expect(asTable.stdout).toContain('Unpublished events: 0');

    const asJson = await cli('inspect', resident, '--json', '--audit-entries', '1');
    expect(asJson.code).toBe(0);
    const inspection = JSON.parse(asJson.stdout);
    expect(inspection.clinics).toHaveLength(1);
    expect(inspection.clinics[0].access).toMatchObject({ clinicId, version: 2, etag: 'W/"2"', grants: [{ caseTypeId: 'restricted-1', untilDate: '2099-12-31' }] });
    expect(inspection.clinics[0].caseTypes).toEqual([
      { caseTypeId: 'general', name: 'General', restricted: false, available: true, reason: 'AVAILABILITY_REASON_APPROVED', untilDate: '' },
      { caseTypeId: 'restricted-1', name: 'Restricted', restricted: true, available: true, reason: 'AVAILABILITY_REASON_GRANT', untilDate: '2099-12-31' },
    ]);
    // Newest first, as many as asked.
    expect(inspection.recentAuditEntries.map((e: { action: string }) => e.action)).toEqual(['ACCESS_CHANGE_CAUSE_GRANTED']);
    expect(inspection.unpublishedEvents).toEqual({ count: 0, oldestTime: null });

    await eventually(
      async () => (await sut.db.collection('access_log').countDocuments({ subject: 'operator-1', read: 'InspectResident', authority: 'scope:resident-access:operator' })) === 2,
      { what: 'the operator reads logged', timeoutMs: 10_000 },
    );
  });

  it('inspect explains a case type that is not available', async () => {
    const resident = aResident();
    await staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate: '2099-12-31', requestId: randomUUID(), etag: '' });
    await staff.removeGrant({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', requestId: randomUUID(), etag: '' });

    const inspection = JSON.parse((await cli('inspect', resident, '--json')).stdout);
    expect(inspection.clinics[0].caseTypes.map((c: { available: boolean; reason: string }) => [c.available, c.reason])).toEqual([
      [false, 'AVAILABILITY_REASON_NOT_APPROVED'],
      [false, 'AVAILABILITY_REASON_NO_VALID_GRANT'],
    ]);
  });

  it('inspect shows a grant waiting for its first day as pending, and why its case type is not available yet', async () => {
    const resident = aResident();
    await staff.grantCaseType({
      clinicId,
      personalIdentityNumber: resident,
      caseTypeId: 'restricted-1',
      untilFurtherNotice: true,
      firstDay: '2099-06-01',
      requestId: randomUUID(),
      etag: '',
    });
    expect((await cli('inspect', resident)).stdout).toContain('restricted-1 from 2099-06-01 until further notice (pending)');

    const inspection = JSON.parse((await cli('inspect', resident, '--json')).stdout);
    expect(inspection.clinics[0].access.grants).toEqual([
      expect.objectContaining({ caseTypeId: 'restricted-1', firstDay: '2099-06-01', pending: true, startsAt: '2099-05-31T22:00:00.000Z' }),
    ]);
    expect(inspection.clinics[0].caseTypes.map((c: { caseTypeId: string; available: boolean; reason: string }) => [c.caseTypeId, c.available, c.reason])).toEqual([
      ['general', false, 'AVAILABILITY_REASON_NOT_APPROVED'],
      ['restricted-1', false, 'AVAILABILITY_REASON_GRANT_PENDING'],
    ]);
  });

  it('republish of a clinic writes a new REPUBLISHED event with the current state for each resident, published in order', async () => {
    const residents = [await approvedWithGrant(), await approvedWithGrant()];
    const requestId = randomUUID();

    const result = await cli('republish', '--clinic', clinicId, '--request-id', requestId, '--json');
    expect(result.code).toBe(0);
    const { job } = JSON.parse(result.stdout);
    expect(job).toMatchObject({ id: requestId, kind: 'JOB_KIND_REPUBLISH', clinicId, state: 'JOB_STATE_SUCCEEDED', scope: 'clinic', actor: 'operator-1' });
    expect(job.changedCount).toBeGreaterThanOrEqual(2);

    for (const resident of residents) {
      const [event] = await sut.events.waitFor((e) => residentOf(e) === resident && clinicOf(e) === clinicId && e.value.cause === 'ACCESS_CHANGE_CAUSE_REPUBLISHED');
      expect(event!.value).toMatchObject({
        version: 3,
        actor: 'operator-1',
        requestId,
        access: { approval: expect.anything(), grants: [{ caseTypeId: 'restricted-1', untilDate: '2099-12-31' }] },
      });
    }
  });

  it('republish of one resident shows the job as a table; jobs lists it', async () => {
    const resident = await approvedWithGrant();
    const requestId = randomUUID();

    const result = await cli('republish', '--clinic', clinicId, '--resident', resident, '--request-id', requestId);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`${requestId}\\s+REPUBLISH\\s+${clinicId}\\s+one resident\\s+SUCCEEDED\\s+1\\s+0\\s+operator-1`));
    expect(result.stdout).not.toContain(resident);
    await sut.events.waitFor((e) => residentOf(e) === resident && e.value.cause === 'ACCESS_CHANGE_CAUSE_REPUBLISHED');

    const jobs = await cli('jobs');
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toMatch(/^ID\s+KIND\s+CLINIC\s+SCOPE\s+STATE/);
    expect(jobs.stdout).toMatch(new RegExp(`${requestId}\\s+REPUBLISH\\s+${clinicId}\\s+one resident\\s+SUCCEEDED`));
    const listed = JSON.parse((await cli('jobs', '--json', '--watch')).stdout);
    expect(listed.jobs.find((j: { id: string }) => j.id === requestId)).toMatchObject({ kind: 'JOB_KIND_REPUBLISH', changedCount: 1, state: 'JOB_STATE_SUCCEEDED' });
  });

  it('jobs lists bulk removals too', async () => {
    const resident = await approvedWithGrant();
    const requestId = randomUUID();
    await staff.removeApprovals({ clinicId, requestId, residents: { personalIdentityNumbers: [resident] } });

    const listed = JSON.parse((await cli('jobs', '--json')).stdout);
    expect(listed.jobs.find((j: { id: string }) => j.id === requestId)).toMatchObject({ kind: 'JOB_KIND_BULK_REMOVAL', clinicId, scope: '1 listed residents' });
  });

  it('outbox shows the backlog of each outbox', async () => {
    // A document with an event waiting, as a command leaves it before the relay publishes.
    const since = new Date(Date.now() - 60_000);
    await sut.db
      .collection('clinics')
      .updateOne({ _id: clinicId } as never, { $set: { outboxPending: true, outboxSince: since, relayLease: { owner: 'elsewhere', until: new Date(Date.now() + 3_600_000) } } });

    const asJson = JSON.parse((await cli('outbox', '--json')).stdout);
    expect(asJson.outboxes.map((o: { name: string }) => o.name)).toEqual(['access', 'settings']);
    expect(asJson.outboxes[1]).toEqual({ name: 'settings', pendingDocuments: 1, oldestPendingTime: since.toISOString() });
    const asTable = await cli('outbox');
    expect(asTable.stdout).toMatch(/^OUTBOX\s+PENDING DOCUMENTS\s+OLDEST PENDING\s+AGE/);
    expect(asTable.stdout).toMatch(new RegExp(`settings\\s+1\\s+${since.toISOString()}\\s+\\d+s`));
    await sut.db.collection('clinics').updateOne({ _id: clinicId } as never, { $set: { outboxPending: false, relayLease: null }, $unset: { outboxSince: '' } });
  });

  it('refuses every caller without the operator scope', async () => {
    const staffToken = await signTestToken({ sub: 'staff-1', clinics: [clinicId], roles: ['staff', 'admin'] });
    const eserviceToken = await signTestToken({ sub: 'resident-eservice', scope: 'resident-access:entitlements' });
    for (const token of [staffToken, eserviceToken]) {
      for (const args of [['outbox'], ['jobs'], ['inspect', aResident()], ['republish', '--all']]) {
        const result = await runCli(sut.service.port, token, args);
        expect(result).toMatchObject({ code: 1, stdout: '' });
        expect(result.stderr).toBe('resident-access: PERMISSION_DENIED: the resident-access:operator scope is required\n');
      }
    }
  });

  it('inspect takes the number from standard input or --resident-file, so that it stays out of shell history and ps', async () => {
    const resident = await approvedWithGrant();
    const dir = mkdtempSync(join(tmpdir(), 'operator-cli-'));
    try {
      const numberFile = join(dir, 'number');
      writeFileSync(numberFile, `${resident}\n`);
      for (const result of [
        await cliWithInput(`${resident}\n`, 'inspect', '--json'),
        await cli('inspect', '--resident-file', numberFile, '--json'),
        await cliWithInput(resident, 'inspect', '--resident-file', '-', '--json'),
      ]) {
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(JSON.parse(result.stdout)).toMatchObject({ personalIdentityNumber: resident, clinics: [{ access: { clinicId, version: 2 } }] });
      }

      const requestId = randomUUID();
      const republished = await cli('republish', '--clinic', clinicId, '--resident-file', numberFile, '--request-id', requestId, '--json');
      expect(republished.code).toBe(0);
      expect(JSON.parse(republished.stdout).job).toMatchObject({ id: requestId, scope: 'one resident', changedCount: 1, state: 'JOB_STATE_SUCCEEDED' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a number, or with more than one line, exits 3 with one line that echoes no number', async () => {
    const none = await cliWithInput('', 'inspect');
    expect(none).toEqual({ code: 3, stdout: '', stderr: 'resident-access: no personal identity number on standard input\n' });
    const resident = aResident();
    const two = await cliWithInput(`${resident}\n${aResident()}\n`, 'inspect');
    expect(two).toEqual({ code: 3, stdout: '', stderr: 'resident-access: standard input must hold one personal identity number on one line\n' });
  });

  it('a missing token is one line and exit 3, before anything is read or sent', async () => {
    const result = await runCli(sut.service.port, null, ['inspect'], { input: `${aResident()}\n`, env: { RESIDENT_ACCESS_TOKEN_FILE: '' } });
    expect(result).toEqual({ code: 3, stdout: '', stderr: 'resident-access: no operator token: pass --token-file FILE, or set RESIDENT_ACCESS_TOKEN_FILE or RESIDENT_ACCESS_TOKEN\n' });
  });

  it('runs without the proto files (the image ships dist/ and package.json, no proto/)', async () => {
    // A folder shaped like the image: the CLI's code and package.json, no proto/.
    const app = mkdtempSync(join(tmpdir(), 'operator-cli-app-'));
    try {
      const root = join(__dirname, '..', '..');
      for (const path of ['src', 'bin', 'package.json']) cpSync(join(root, path), join(app, path), { recursive: true });
      symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
      const result = await runCli(sut.service.port, operatorToken, ['outbox', '--json'], { bin: join(app, 'bin', 'resident-access.mjs') });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(result.stdout).outboxes.map((o: { name: string }) => o.name)).toEqual(['access', 'settings']);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('bad input: INVALID_ARGUMENT naming the field without echoing the number; a wrong command line exits 2', async () => {
    const invalid = await cli('inspect', '191212121213');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe('resident-access: INVALID_ARGUMENT: invalid request: personal_identity_number\n');
    const badResident = await cli('republish', '--clinic', clinicId, '--resident', '19121212');
    expect(badResident.stderr).toBe('resident-access: INVALID_ARGUMENT: invalid request: personal_identity_number\n');

    const usage = await cli('republish');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('republish needs --clinic');
    expect((await cli('inspect', aResident(), 'extra')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    expect(invalid.stderr + usage.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('--insecure to a host that is not loopback exits 2 before sending the token, unless --allow-insecure-remote', async () => {
    // Linux connects 0.0.0.0 to this machine: the service under test, at an address that is not loopback to the check.
    const remote = `0.0.0.0:${sut.service.port}`;
    const refused = await cli('outbox', '--address', remote);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.split('\n')[0]).toBe('resident-access: --insecure would send the operator token in clear to a host that is not loopback: use TLS, or add --allow-insecure-remote');
    expect(refused.stderr).not.toContain(operatorToken);

    const allowed = await cli('outbox', '--address', remote, '--allow-insecure-remote');
    expect(allowed).toMatchObject({ code: 0, stderr: '' });
    expect(allowed.stdout).toContain('access');
  });
});
