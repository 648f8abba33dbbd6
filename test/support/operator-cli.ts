import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = join(__dirname, '..', '..', 'bin', 'resident-access.mjs');

/**
 * Runs the operators' CLI as its own process against a service on 127.0.0.1:`port` (plaintext),
 * with `token` in RESIDENT_ACCESS_TOKEN. Asynchronous: the service under test runs in this process.
 */
export function runCli(port: number, token: string, args: string[]): Promise<CliResult> {
  const env = { ...process.env, RESIDENT_ACCESS_ADDRESS: `127.0.0.1:${port}`, RESIDENT_ACCESS_TOKEN: token, RESIDENT_ACCESS_INSECURE: 'true' };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
