import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The test run's record for the personal-data scan (scripts/scan-test-logs.mjs): every identity
 * number the tests use, and every log line the services under test write. One file of each per
 * test process, only ever appended to, so parallel jest workers never share a file.
 */
export const TEST_LOG_DIR = join(__dirname, '..', '..', '.local', 'test-logs');

const files = new Map<string, number>();

function append(name: string, lines: readonly string[]): void {
  if (lines.length === 0) return;
  let fd = files.get(name);
  if (fd === undefined) {
    mkdirSync(TEST_LOG_DIR, { recursive: true });
    fd = openSync(join(TEST_LOG_DIR, `${name}.${process.pid}.txt`), 'a');
    files.set(name, fd);
  }
  writeSync(fd, lines.map((l) => `${l}\n`).join(''));
}

process.once('exit', () => files.forEach((fd) => closeSync(fd)));

/** Numbers (12 digits) a test sends or stores: the scan fails if any log line holds one. */
export function recordIdentityNumbers(numbers: readonly string[]): void {
  append('identity-numbers', numbers);
}

/** Lines a service under test wrote (in-process or a child process), as written. */
export function recordServiceLog(lines: readonly string[]): void {
  append(
    'service-log',
    lines.map((l) => l.replace(/\r?\n/g, '\\n')),
  );
}
