import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { recordServiceLog } from './test-logs';

export interface ServiceProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the bound port once the service logs that it started. */
  started: Promise<number>;
}

const root = join(__dirname, '..', '..');

/** Runs src/main.ts as its own process, exactly as `node dist/main.js` runs in production. */
export function spawnService(env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let onStarted: (port: number) => void = () => undefined;
  const started = new Promise<number>((resolve) => (onStarted = resolve));
  onWholeLines(child.stdout, (lines) => {
    recordServiceLog(lines);
    for (const line of lines) {
      stdout.push(line);
      if (line.includes('"resident-access started"')) onStarted((JSON.parse(line) as { port: number }).port);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  onWholeLines(child.stderr, recordServiceLog);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout, stderr, exited, started };
}

/** Hands on complete lines only: a pipe may cut a line between two chunks. */
function onWholeLines(stream: Readable, onLines: (lines: string[]) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    onLines(lines.filter(Boolean));
  });
  stream.on('end', () => onLines([partial].filter(Boolean)));
}
