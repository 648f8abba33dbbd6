import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = join(__dirname, '..', '..', 'bin', 'resident-access.mjs');

export interface CliRun {
  /** What the CLI reads on standard input (a pipe, closed after it); nothing by default. */
  input?: string;
  /** Another copy of bin/resident-access.mjs (e.g. in a folder shaped like the image). */
  bin?: string;
  /** Environment added to the test's own, after the connection settings. */
  env?: Record<string, string>;
}

/**
 * Runs the operators' CLI as its own process against a service on 127.0.0.1:`port` (plaintext),
 * with `token` in RESIDENT_ACCESS_TOKEN (none when null). Asynchronous: the service under test runs in this process.
 */
export function runCli(port: number, token: string | null, args: string[], run: CliRun = {}): Promise<CliResult> {
  const env = cliEnv(port, token, run.env);
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [run.bin ?? BIN, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    // Closed in every case: a CLI that reads standard input must not wait for more.
    child.stdin?.end(run.input ?? '');
  });
}

/** The CLI as a running process (for a test that signals it), started as runCli starts it. */
export function startCli(port: number, token: string, args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(port, token), stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited };
}

/** The test's environment with the connection to 127.0.0.1:`port` (plaintext) and `token` (none when null). */
function cliEnv(port: number, token: string | null, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, RESIDENT_ACCESS_ADDRESS: `127.0.0.1:${port}`, RESIDENT_ACCESS_INSECURE: 'true', ...extra };
  if (token === null) delete env.RESIDENT_ACCESS_TOKEN;
  else env.RESIDENT_ACCESS_TOKEN = token;
  return env;
}
