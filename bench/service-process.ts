/**
 * The service under test in its own Node process, so its memory is measured without the bench's
 * clients, raw driver and Kafka consumer, and it has an event loop of its own as in production.
 *
 * The child is the compiled service as the image runs it: `npm run build` (once per bench
 * process, `buildService`) compiles src/ to dist/, and bench/service-child.cjs, plain JavaScript
 * under plain `node` (no TypeScript hook, NODE_ENV=production as in the image), requires
 * dist/config/config.js and dist/main.js and runs `startService(loadConfig(env), { clock })`
 * (the entry points `node dist/main.js` uses) with a clock the parent can move: `setClock(at)`
 * makes "now" `at` from then on, running in real time. Logs are formatted as in production but
 * discarded. The child reports its peak resident set size: the kernel's high-water mark (VmHWM)
 * where there is one, else its own 100 ms samples.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { serviceEnv, uniqueName } from '../test/support/test-env';
import { stopFirstOnAbort } from './common';

/** The messages bench/service-child.cjs understands and sends. */
type ToChild =
  | { type: 'clock'; at: string }
  | { type: 'memory' }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string }
  | { type: 'heap-snapshot'; file: string }
  | { type: 'stop' }
  | { type: 'exit' };
export interface ServiceMemory {
  peakRssMb: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  /** Resident anonymous (V8's and malloc's heaps) and file-backed (code) memory, from /proc (0 elsewhere). */
  rssAnonMb: number;
  rssFileMb: number;
  /** V8's heap spaces: [size, used] in MB by space name. */
  heapSpaces: Record<string, [number, number]>;
}
type FromChild =
  | { type: 'started'; port: number; node: string }
  | { type: 'clock-set' }
  | { type: 'profile-started' }
  | { type: 'profile-written'; file: string }
  | ({ type: 'memory' } & ServiceMemory)
  | { type: 'heap-snapshot-written'; file: string }
  | { type: 'stopped'; peakRssMb: number }
  | { type: 'failed'; message: string };

export interface ServiceProcess {
  port: number;
  pid: number;
  /** The Node runtime the service runs on (`process.version` in the child). */
  node: string;
  /** From now on the service's clock reads `at`, advancing in real time. */
  setClock(at: Date): Promise<void>;
  /** Peak and current resident set size of the service process, and its heap, in MB. */
  memory(): Promise<ServiceMemory>;
  /**
   * Diagnostics only: writes a V8 heap snapshot of the service to `file`. Writing it takes about
   * as much memory again as the heap, so the process's peak RSS is meaningless afterwards.
   */
  heapSnapshot(file: string): Promise<string>;
  /** A V8 CPU profile (100 µs sampling) of what the service does from `profileStart` to `profileStop`, written to `file`. */
  profileStart(): Promise<void>;
  profileStop(file: string): Promise<string>;
  /** Stops the service gracefully; resolves with its peak RSS. Kills it when it does not stop in time. */
  stop(): Promise<{ peakRssMb: number | null }>;
  /**
   * Ends the service at once (process.exit, SIGKILL if that hangs), after asking for its peak
   * RSS: the bench measures no shutdown, and a graceful stop waits for the relay's and the expiry
   * worker's current batches.
   */
  kill(): Promise<{ peakRssMb: number | null }>;
}

const ROOT = path.join(__dirname, '..');
const CHILD = path.join(__dirname, 'service-child.cjs');
const PROFILE_DIR = path.join(__dirname, 'results', 'profiles');

/**
 * The environment of a service under bench: the test environment (port 0, its own database and
 * topics, JWT auth as in `authEnv`), with the service's own relay and health-check intervals
 * rather than the tests' faster ones.
 */
export function benchServiceEnv(authEnv: Record<string, string>, overrides: Record<string, string> = {}): Record<string, string> {
  const env = serviceEnv({
    ...authEnv,
    MONGODB_DATABASE: uniqueName('bench').replace(/-/g, '_'),
    LOG_LEVEL: 'info',
    // The bench's one e-service subject reads far beyond the per-caller default (500/s): it measures
    // the service, not the limit.
    RATE_LIMIT_ENTITLEMENTS_PER_SECOND: '1000000',
    RATE_LIMIT_ENTITLEMENTS_BURST: '1000000',
    RATE_LIMIT_RESIDENT_CALLS_PER_SECOND: '1000000',
    RATE_LIMIT_RESIDENT_CALLS_BURST: '1000000',
    RATE_LIMIT_LISTINGS_PER_SECOND: '1000000',
    RATE_LIMIT_LISTINGS_BURST: '1000000',
    ...overrides,
  });
  delete env.RELAY_POLL_INTERVAL_MS;
  delete env.HEALTH_CHECK_INTERVAL_MS;
  return env;
}

/** The Kafka topics a service with `env` uses (deleted at the end of a run). */
export const topicsOf = (env: Record<string, string>): string[] => [env.KAFKA_ACCESS_TOPIC, env.KAFKA_SETTINGS_TOPIC, env.REGISTER_TOPIC].filter((t): t is string => Boolean(t));

let built: Promise<number> | null = null;

/**
 * Compiles the service as the image does (`npm run build`: generated code from proto/, then tsc
 * to dist/), once per bench process: every service process of the run then runs what src/ holds
 * now. Resolves with the seconds it took; rejects with the compiler's output.
 */
export function buildService(): Promise<number> {
  return (built ??= new Promise((resolve, reject) => {
    const started = Date.now();
    execFile('npm', ['run', '--silent', 'build'], { cwd: ROOT, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm run build failed (the bench runs the compiled service):\n${stdout}${stderr}`));
      else resolve((Date.now() - started) / 1000);
    });
  }));
}

/** The image's NODE_OPTIONS (Dockerfile), so the measured process has the image's heap bounds. */
export function imageNodeOptions(): string {
  const match = /NODE_OPTIONS="([^"]*)"/.exec(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  if (!match) throw new Error('the Dockerfile sets no NODE_OPTIONS');
  return match[1]!;
}

export async function startServiceProcess(env: Record<string, string>, startTimeoutMs = 60_000): Promise<ServiceProcess> {
  await buildService();
  const child: ChildProcess = fork(CHILD, [], {
    // Plain node, as `node dist/main.js` in the image. BENCH_CPU_PROF=1: each service process
    // writes a V8 CPU profile (open it in Chrome DevTools).
    execArgv: process.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', NODE_OPTIONS: imageNodeOptions(), ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const waiters: Array<(m: FromChild) => boolean> = [];
  let exited: string | null = null;
  child.on('message', (m: FromChild) => {
    const i = waiters.findIndex((w) => w(m));
    if (i >= 0) waiters.splice(i, 1);
  });
  // A run cut off or stopped by a signal ends the service before dropping its data.
  const unregister = stopFirstOnAbort(async () => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  });
  child.on('exit', (code, signal) => {
    exited = `service process exited (${signal ?? code})`;
    unregister();
  });
  const next = <T extends FromChild['type']>(type: T, timeoutMs: number): Promise<Extract<FromChild, { type: T }>> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error(exited));
      const timer = setTimeout(() => reject(new Error(`service process: no ${type} within ${timeoutMs} ms`)), timeoutMs);
      const onExit = () => reject(new Error(exited ?? 'service process exited'));
      child.once('exit', onExit);
      waiters.push((m) => {
        if (m.type === 'failed') {
          clearTimeout(timer);
          child.off('exit', onExit);
          reject(new Error(`service process: ${m.message}`));
          return true;
        }
        if (m.type !== type) return false;
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(m as Extract<FromChild, { type: T }>);
        return true;
      });
    });
  const send = (m: ToChild) => child.send(m);

  let started: { port: number; node: string };
  try {
    started = await next('started', startTimeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const memory = async (): Promise<ServiceMemory> => {
    const reply = next('memory', 10_000);
    send({ type: 'memory' });
    const { type: _type, ...figures } = await reply;
    return figures;
  };
  return {
    port: started.port,
    pid: child.pid!,
    node: started.node,
    async setClock(at) {
      const ack = next('clock-set', 10_000);
      send({ type: 'clock', at: at.toISOString() });
      await ack;
    },
    memory,
    async heapSnapshot(file) {
      const written = next('heap-snapshot-written', 300_000);
      send({ type: 'heap-snapshot', file });
      return (await written).file;
    },
    async profileStart() {
      const started = next('profile-started', 10_000);
      send({ type: 'profile-start' });
      await started;
    },
    async profileStop(file) {
      const written = next('profile-written', 60_000);
      send({ type: 'profile-stop', file });
      return (await written).file;
    },
    async kill() {
      if (exited) return { peakRssMb: null };
      const peakRssMb = await memory().then(
        (m) => m.peakRssMb,
        () => null,
      );
      // process.exit() in the child: no graceful stop, but a CPU profile (BENCH_CPU_PROF) is written.
      const gone = new Promise((resolve) => child.once('exit', resolve));
      send({ type: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
      return { peakRssMb };
    },
    async stop() {
      if (exited) return { peakRssMb: null };
      const reply = next('stopped', 30_000);
      send({ type: 'stop' });
      try {
        return { peakRssMb: (await reply).peakRssMb };
      } catch {
        child.kill('SIGKILL');
        return { peakRssMb: null };
      }
    },
  };
}
