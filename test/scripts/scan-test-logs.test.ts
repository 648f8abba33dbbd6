import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aResident, tenDigitForm } from '../builders/identity';

const script = join(__dirname, '..', '..', 'scripts', 'scan-test-logs.mjs');

/** A repository-shaped folder with these files, scanned by the real script. */
function scanOf(files: Record<string, string>): { status: number | null; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'scan-test-logs-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const run = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const line = (message: string) => `${JSON.stringify({ level: 30, time: 1795986115123, msg: message })}\n`;

describe('the personal-data scan of the test logs', () => {
  const resident = aResident();
  const other = aResident();
  const recorded = { '.local/test-logs/identity-numbers.7.txt': `${other}\n${resident}\n` };

  it('passes logs that hold none of the recorded numbers', () => {
    const { status, output } = scanOf({ ...recorded, '.local/test-logs/service-log.7.txt': line('rpc') + line('resident [redacted]') });

    expect(status).toBe(0);
    expect(output).toContain('0 hits');
  });

  it.each([
    ['12-digit', resident],
    ['10-digit', tenDigitForm(resident)],
  ])('fails on a planted number in its %s form, naming file, line and which number but never the number', (_form, written) => {
    const { status, output } = scanOf({ ...recorded, '.local/test-logs/service-log.7.txt': line('rpc') + line(`looked up ${written}`) });

    expect(status).toBe(1);
    expect(output).toContain('.local/test-logs/service-log.7.txt:2: holds test identity number #1 (recorded at .local/test-logs/identity-numbers.7.txt:2)');
    expect(output).not.toContain(resident);
    expect(output).not.toContain(tenDigitForm(resident));
    expect(output).not.toContain(resident.slice(2));
  });

  // The forms the service's scrubber redacts (one shared definition): a leak in any of them is a hit.
  const cc = resident.slice(0, 2);
  const [yy, mm, dd, serial] = [resident.slice(2, 4), resident.slice(4, 6), resident.slice(6, 8), resident.slice(8)];
  it.each([
    ['a dot, as in a request id', `req ${cc}${yy}${mm}${dd}.${serial}`],
    ['an underscore', `${yy}${mm}${dd}_${serial}`],
    ['spaces', `${cc}${yy} ${mm} ${dd} ${serial}`],
    ['dashes in the date', `${cc}${yy}-${mm}-${dd}-${serial}`],
    ['a +', `${yy}${mm}${dd}+${serial}`],
    ['a spaced en dash', `${cc}${yy}${mm}${dd} \u2013 ${serial}`],
  ])('fails on a planted number written with %s', (_form, written) => {
    const { status, output } = scanOf({ ...recorded, '.local/test-logs/service-log.7.txt': line(`looked up ${written}`) });

    expect(status).toBe(1);
    expect(output).toContain('.local/test-logs/service-log.7.txt:1: holds test identity number #1');
    expect(output).not.toContain(written);
  });

  it('records numbers a test source writes with any separator', () => {
    const { status, output } = scanOf({
      'test/component/some.test.ts': `const requestId = '${resident.slice(0, 8)}.${resident.slice(8)}';\n`,
      '.local/logs/ferretdb.log': `query {_id: "x|${resident}"}\n`,
    });

    expect(status).toBe(1);
    expect(output).toContain('.local/logs/ferretdb.log:1: holds test identity number #0 (recorded at test/component/some.test.ts:1)');
  });

  it("scans the local servers' logs, and looks for the numbers written in test sources too", () => {
    const { status, output } = scanOf({
      'test/component/some.test.ts': `const resident = '${resident}';\n`,
      '.local/logs/ferretdb.log': `query {_id: "${resident}"}\n`,
    });

    expect(status).toBe(1);
    expect(output).toContain('.local/logs/ferretdb.log:1: holds test identity number #0 (recorded at test/component/some.test.ts:1)');
    expect(output).not.toContain(resident);
  });

  it('does not take a longer run of digits, such as a timestamp, for a number', () => {
    const { status } = scanOf({ ...recorded, '.local/test-logs/service-log.7.txt': line(`id 9${resident}0`) });

    expect(status).toBe(0);
  });
});
