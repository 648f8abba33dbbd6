import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from './main';
import { COMMAND_USAGE, COMMANDS, USAGE } from './usage';

/** run() in-process with its own streams; standard input holds `input` and is then closed. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}, input = '') {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  stdin.end(input);
  const sink = (write: (text: string) => void) => ({ write: (text: string) => (write(text), true) });
  const code = await run(args, env, {
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: sink((t) => (stdout += t)) as unknown as NodeJS.WritableStream,
    stderr: sink((t) => (stderr += t)) as unknown as NodeJS.WriteStream,
  });
  return { code, stdout, stderr };
}

const token = { RESIDENT_ACCESS_TOKEN: 'operator-token' };
const packageVersion = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('the CLI command line', () => {
  it('--help prints the usage with the exit codes to stdout and exits 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) expect(await cli(args)).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(USAGE).toMatch(/Exit codes:\n {2}0 {2}done\n {2}1 {2}the call failed.*\n {2}2 {2}wrong command line.*\n {2}3 {2}a needed input is missing/);
  });

  it.each(COMMANDS)('%s --help prints that command’s own usage to stdout and exits 0', async (command) => {
    expect(await cli([command, '--help'])).toEqual({ code: 0, stdout: COMMAND_USAGE[command], stderr: '' });
    expect(await cli(['help', command])).toEqual({ code: 0, stdout: COMMAND_USAGE[command], stderr: '' });
    expect(COMMAND_USAGE[command]).toMatch(new RegExp(`^Usage: resident-access ${command}`));
  });

  it('--version prints the package’s version and exits 0', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `resident-access ${packageVersion}\n`, stderr: '' });
  });

  it('a wrong command line puts the error and the usage on stderr, nothing on stdout, and exits 2', async () => {
    expect(await cli([])).toEqual({ code: 2, stdout: '', stderr: `resident-access: no command given\n\n${USAGE}` });
    expect(await cli(['frobnicate'], token)).toEqual({ code: 2, stdout: '', stderr: `resident-access: unknown command "frobnicate"\n\n${USAGE}` });
    expect(await cli(['outbox', '--clinic', 'SE2321000016-1234'], token)).toEqual({
      code: 2,
      stdout: '',
      stderr: `resident-access: --clinic is not an option of outbox\n\n${COMMAND_USAGE.outbox}`,
    });
    expect(await cli(['jobs', 'extra'], token)).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/^resident-access: jobs takes no arguments\n\nUsage: resident-access jobs/),
    });
    expect(await cli(['republish', '--all', '--clinic', 'SE2321000016-1234'], token)).toMatchObject({ code: 2, stdout: '' });
  });

  it('does not echo a mistyped command that may be an identity number', async () => {
    const result = await cli(['19121212-1212'], token);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe('resident-access: unknown command');
  });

  it('a missing or unreadable token is one line on stderr and exit 3', async () => {
    const noToken = 'resident-access: no operator token: pass --token-file FILE, or set RESIDENT_ACCESS_TOKEN_FILE or RESIDENT_ACCESS_TOKEN\n';
    for (const command of [['outbox'], ['jobs'], ['inspect'], ['republish', '--all']]) expect(await cli(command)).toEqual({ code: 3, stdout: '', stderr: noToken });
    expect(await cli(['outbox', '--token-file', '/nonexistent/token'])).toEqual({ code: 3, stdout: '', stderr: 'resident-access: cannot read the token file /nonexistent/token\n' });
  });

  it('inspect without a number on standard input, or in an unreadable --resident-file, exits 3 before calling', async () => {
    expect(await cli(['inspect'], token, '\n')).toEqual({ code: 3, stdout: '', stderr: 'resident-access: no personal identity number on standard input\n' });
    expect(await cli(['inspect', '--resident-file', '/nonexistent/number'], token)).toEqual({
      code: 3,
      stdout: '',
      stderr: 'resident-access: cannot read --resident-file /nonexistent/number\n',
    });
  });

  it('the number as an argument and in a file at once is a wrong command line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-main-'));
    try {
      const result = await cli(['inspect', '191212121212', '--resident-file', join(dir, 'number')], token);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(/^resident-access: give the personal identity number either as an argument or in --resident-file, not both\n\nUsage: resident-access inspect/);
      expect(result.stderr).not.toContain('191212121212');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('export: a missing --clinic, a bad --page-size or --json is a wrong command line (exit 2) before the token is read', async () => {
    for (const [args, message] of [
      [['export'], 'export needs --clinic C'],
      [['export', '--clinic', 'SE2321000016-1234', '--page-size', '0'], '--page-size must be a whole number from 1 to 1000'],
      [['export', '--clinic', 'SE2321000016-1234', '--page-size', 'ten'], '--page-size must be a whole number from 1 to 1000'],
      [['export', '--clinic', 'SE2321000016-1234', '--json'], 'export writes CSV: --json is not an option of export'],
      [['export', '--clinic', 'SE2321000016-1234', '--resident', '191212121212'], '--resident is not an option of export'],
    ] as const) {
      expect(await cli([...args])).toEqual({ code: 2, stdout: '', stderr: `resident-access: ${message}\n\n${COMMAND_USAGE.export}` });
    }
  });

  it('export without a token, or with an --output it cannot write, exits 3 before calling', async () => {
    expect(await cli(['export', '--clinic', 'SE2321000016-1234'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'resident-access: no staff token: pass --token-file FILE, or set RESIDENT_ACCESS_TOKEN_FILE or RESIDENT_ACCESS_TOKEN\n',
    });
    expect(await cli(['export', '--clinic', 'SE2321000016-1234', '--output', '/nonexistent/residents.csv'], token)).toEqual({
      code: 3,
      stdout: '',
      stderr: 'resident-access: cannot write --output /nonexistent/residents.csv\n',
    });
  });
});
