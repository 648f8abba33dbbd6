/**
 * The service under test in its own Node process, so its memory is measured without the bench's
 * clients, raw driver and Kafka consumer, and it has an event loop of its own as in production.
 *
 * The child runs `startService(loadConfig(env), { clock })` (public entry points only) with a clock
 * the parent can move: `setClock(at)` makes "now" `at` from then on, running in real time. Logs are
 * formatted as in production but discarded. The child reports its peak resident set size: the
 * kernel's high-water mark (VmHWM) where there is one, else its own 100 ms samples.
 *
 * The child loads TypeScript through tsx's CommonJS hook only (`--require tsx/cjs`), which runs in
 * the main thread: no loader worker thread inflates the figure. The JIT'd transform code is still
 * in the process, so the figure is a little above a compiled `node dist/main.js`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { serviceEnv, uniqueName } from '../test/support/test-env';

type ToChild = { type: 'clock'; at: string } | { type: 'memory' } | { type: 'stop' } | { type: 'exit' };
type FromChild =
  | { type: 'started'; port: number }
  | { type: 'clock-set' }
  | { type: 'memory'; peakRssMb: number; rssMb: number }
  | { type: 'stopped'; peakRssMb: number }
  | { type: 'failed'; message: string };

export interface ServiceProcess {
  port: number;
  pid: number;
  /** From now on the service's clock reads `at`, advancing in real time. */
  setClock(at: Date): Promise<void>;
  /** Peak and current resident set size of the service process, in MB. */
  memory(): Promise<{ peakRssMb: number; rssMb: number }>;
  /** Stops the service gracefully; resolves with its peak RSS. Kills it when it does not stop in time. */
  stop(): Promise<{ peakRssMb: number | null }>;
  /**
   * Ends the service at once (process.exit, SIGKILL if that hangs), after asking for its peak
   * RSS: the bench measures no shutdown, and a graceful stop waits for the relay's and the expiry
   * worker's current batches.
   */
  kill(): Promise<{ peakRssMb: number | null }>;
}

const PROFILE_DIR = path.join(__dirname, 'results', 'profiles');
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

// ---- parent side --------------------------------------------------------------------------------

/**
 * The environment of a service under bench: the test environment (port 0, its own database and
 * topics, JWT auth as in `authEnv`), with the service's own relay and health-check intervals
 * rather than the tests' faster ones.
 */
export function benchServiceEnv(authEnv: Record<string, string>, overrides: Record<string, string> = {}): Record<string, string> {
  const env = serviceEnv({ ...authEnv, MONGODB_DATABASE: uniqueName('bench').replace(/-/g, '_'), LOG_LEVEL: 'info', ...overrides });
  delete env.RELAY_POLL_INTERVAL_MS;
  delete env.HEALTH_CHECK_INTERVAL_MS;
  return env;
}

/** The Kafka topics a service with `env` uses (deleted at the end of a run). */
export const topicsOf = (env: Record<string, string>): string[] =>
  [env.KAFKA_ACCESS_TOPIC, env.KAFKA_SETTINGS_TOPIC, env.REGISTER_TOPIC].filter((t): t is string => Boolean(t));

export async function startServiceProcess(env: Record<string, string>, startTimeoutMs = 60_000): Promise<ServiceProcess> {
  const child: ChildProcess = fork(__filename, ['--serve'], {
    // BENCH_CPU_PROF=1: each service process writes a V8 CPU profile (open it in Chrome DevTools).
    execArgv: ['--require', 'tsx/cjs', ...(process.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])],
    cwd: path.join(__dirname, '..'),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const waiters: Array<(m: FromChild) => boolean> = [];
  let exited: string | null = null;
  child.on('message', (m: FromChild) => {
    const i = waiters.findIndex((w) => w(m));
    if (i >= 0) waiters.splice(i, 1);
  });
  child.on('exit', (code, signal) => {
    exited = `service process exited (${signal ?? code})`;
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

  let started: { port: number };
  try {
    started = await next('started', startTimeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const memory = async () => {
    const reply = next('memory', 10_000);
    send({ type: 'memory' });
    const { peakRssMb, rssMb } = await reply;
    return { peakRssMb, rssMb };
  };
  return {
    port: started.port,
    pid: child.pid!,
    async setClock(at) {
      const ack = next('clock-set', 10_000);
      send({ type: 'clock', at: at.toISOString() });
      await ack;
    },
    memory,
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

// ---- child side ---------------------------------------------------------------------------------

/** Linux: the kernel's peak RSS of this process (VmHWM), in bytes; null elsewhere. */
function kernelPeakRss(): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function serve(): Promise<void> {
  // Loaded here, not at the top: the parent side need not load the service's modules. (require,
  // not import(): the child has tsx's CommonJS hook only.)
  const { loadConfig } = require('../src/config/config') as typeof import('../src/config/config');
  const { startService } = require('../src/main') as typeof import('../src/main');
  const reply = (m: FromChild) => process.send?.(m);
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  let sampled = process.memoryUsage().rss;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 100);
  const peak = () => mb(Math.max(sampled, process.memoryUsage().rss, kernelPeakRss() ?? 0));

  const service = await startService(loadConfig(process.env), { clock, logDestination: { write: () => undefined } });
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      const peakRssMb = peak();
      clearInterval(sampler);
      await service.stop().catch(() => undefined);
      // Exit once the answer has left (or the parent is gone).
      if (process.connected) process.send!({ type: 'stopped', peakRssMb } satisfies FromChild, () => process.exit(0));
      else process.exit(0);
    })());
  process.on('message', (m: ToChild) => {
    if (m.type === 'clock') {
      offsetMs = Date.parse(m.at) - Date.now();
      reply({ type: 'clock-set' });
    } else if (m.type === 'memory') {
      reply({ type: 'memory', peakRssMb: peak(), rssMb: mb(process.memoryUsage().rss) });
    } else if (m.type === 'stop') {
      void stop();
    } else if (m.type === 'exit') {
      process.exit(0);
    }
  });
  // The bench went away (crashed, or cut off by its time bound and dropping the database): do not
  // outlive it, and write nothing more.
  process.on('disconnect', () => process.exit(0));
  reply({ type: 'started', port: service.port });
}

if (require.main === module && process.argv.includes('--serve')) {
  serve().catch((error: unknown) => {
    process.send?.({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies FromChild);
    process.exit(1);
  });
}
