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
  /** Its Prometheus /metrics port, once it started. */
  metricsPort: Promise<number>;
  /** Moves its clock to `at` (from then on running in real time); only with `movableClock`. */
  setClock(at: Date): Promise<void>;
}

const root = join(__dirname, '..', '..');

/**
 * Runs src/main.ts as its own process, exactly as `node dist/main.js` runs in production; with
 * `movableClock` (its first "now"), test/support/service-child.ts instead, whose clock `setClock` moves.
 */
export function spawnService(env: Record<string, string>, options: { movableClock?: Date } = {}): ServiceProcess {
  const clockEnv = options.movableClock ? { TEST_CLOCK_AT: options.movableClock.toISOString() } : {};
  const entry = options.movableClock ? 'test/support/service-child.ts' : 'src/main.ts';
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env, ...clockEnv },
    // An IPC channel for setClock, with the movable clock only.
    stdio: ['ignore', 'pipe', 'pipe', options.movableClock ? 'ipc' : 'ignore'],
  });
  const [childOut, childErr] = [child.stdout!, child.stderr!];
  const stdout: string[] = [];
  const stderr: string[] = [];
  let onStarted: (ports: { port: number; metricsPort: number }) => void = () => undefined;
  const ports = new Promise<{ port: number; metricsPort: number }>((resolve) => (onStarted = resolve));
  onWholeLines(childOut, (lines) => {
    recordServiceLog(lines);
    for (const line of lines) {
      stdout.push(line);
      if (line.includes('"resident-access started"')) onStarted(JSON.parse(line) as { port: number; metricsPort: number });
    }
  });
  childErr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  onWholeLines(childErr, recordServiceLog);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const setClock = (at: Date) =>
    new Promise<void>((resolve, reject) => {
      if (!child.send) return reject(new Error('setClock needs spawnService(env, { movableClock })'));
      const onMessage = (message: { type?: string; at?: string }) => {
        if (message.type !== 'clock-set' || message.at !== at.toISOString()) return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
      child.send({ type: 'clock', at: at.toISOString() }, (error) => error && reject(error));
    });
  return { child, stdout, stderr, exited, started: ports.then((p) => p.port), metricsPort: ports.then((p) => p.metricsPort), setClock };
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
