/**
 * SpiceDB on a PostgreSQL of its own, both started and stopped by the bench: PostgreSQL 15 on a
 * free loopback port with a fresh data directory under .local/bench/ (the stack's own instance code,
 * scripts/stack/postgresql.mjs: trust authentication, synchronous_commit=off as for FerretDB's
 * postgresql backend), `spicedb datastore migrate head`, then `spicedb serve` on the postgres engine
 * with a preshared key, gRPC without TLS on a free loopback port, no HTTP gateway, no metrics
 * listener, no telemetry and no release check (the network is closed). SpiceDB's other settings are
 * its defaults (caches, connection pools, 5 s revision quantization).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cleanUpOnAbort, log } from '../common';
import { installSpicedb, postgresVersion, REPO_ROOT, scriptModule, SPICEDB_VERSION } from './install';

interface PostgresInstance {
  start(): Promise<unknown>;
  destroy(): Promise<void>;
}

export interface SpicedbServer {
  address: string;
  presharedKey: string;
  version: string;
  postgresVersion: string;
  logFile: string;
  /** The SpiceDB process's peak resident set size (VmHWM), MB; null where /proc does not tell. */
  peakRssMb(): number | null;
  /** Stops SpiceDB and PostgreSQL and removes the data directory. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startSpicedb(): Promise<SpicedbServer> {
  const bin = await installSpicedb();
  const ports = await scriptModule<{ freePorts(n: number): Promise<number[]> }>('stack/ports.mjs');
  const stackPostgres = await scriptModule<{ createPostgresInstance(opts: object): PostgresInstance }>('stack/postgresql.mjs');
  const processes = await scriptModule<{ runCommand(cmd: string, args: string[], opts: object): Promise<void> }>('stack/process.mjs');
  const [pgPort, grpcPort] = (await ports.freePorts(2)) as [number, number];
  const home = path.join(REPO_ROOT, '.local', 'bench', `spicedb-${Date.now().toString(36)}`);
  const logFile = path.join(home, 'spicedb.log');
  const postgres = stackPostgres.createPostgresInstance({
    label: 'peer postgresql',
    dirs: { home: path.join(home, 'postgresql'), dataDir: path.join(home, 'postgresql', 'data'), logFile: path.join(home, 'postgresql.log'), pidFile: path.join(home, 'postgresql.pid') },
    port: pgPort,
    root: REPO_ROOT,
    log: (message: string) => log(`peer: ${message}`),
  });
  let spicedb: ChildProcess | null = null;
  let peakRssMb: number | null = null;
  const stop = async () => {
    if (spicedb) {
      peakRssMb = readPeakRssMb(spicedb.pid);
      await stopChild(spicedb);
      spicedb = null;
    }
    await postgres.destroy();
    fs.rmSync(home, { recursive: true, force: true });
  };
  const unregister = cleanUpOnAbort(stop);
  try {
    await postgres.start();
    const datastore = ['--datastore-engine', 'postgres', '--datastore-conn-uri', `postgres://postgres@${HOST}:${pgPort}/postgres?sslmode=disable`];
    await processes.runCommand(bin, ['datastore', 'migrate', 'head', ...datastore, '--log-level', 'warn', '--skip-release-check'], { cwd: home, env: process.env, logFile });
    const presharedKey = randomBytes(24).toString('hex');
    fs.appendFileSync(logFile, `\n=== ${new Date().toISOString()} spicedb serve on ${HOST}:${grpcPort}\n`);
    const out = fs.openSync(logFile, 'a');
    try {
      spicedb = spawn(
        bin,
        [
          'serve',
          ...datastore,
          '--grpc-preshared-key',
          presharedKey,
          '--grpc-addr',
          `${HOST}:${grpcPort}`,
          '--grpc-shutdown-grace-period',
          '1s',
          '--http-enabled=false',
          '--metrics-enabled=false',
          '--telemetry-endpoint=',
          '--skip-release-check',
          '--log-level',
          'warn',
        ],
        // The key travels in argv, as `spicedb serve` documents; it protects a throwaway datastore.
        { cwd: home, env: process.env, stdio: ['ignore', out, out] },
      );
    } finally {
      fs.closeSync(out);
    }
    const version = await reportedVersion(bin);
    return {
      address: `${HOST}:${grpcPort}`,
      presharedKey,
      version,
      postgresVersion: await postgresVersion(),
      logFile,
      peakRssMb: () => (spicedb ? readPeakRssMb(spicedb.pid) : peakRssMb),
      stop: () => stop().finally(unregister),
    };
  } catch (error) {
    await stop().finally(unregister);
    throw error;
  }
}

/** `spicedb version` prints the module version it was built from; the pinned one if it prints none. */
async function reportedVersion(bin: string): Promise<string> {
  const output = await new Promise<string>((resolve) => {
    const child = spawn(bin, ['version', '--skip-release-check'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', () => resolve(''));
    child.once('exit', () => resolve(text));
  });
  return /v\d+\.\d+\.\d+\S*/.exec(output)?.[0] ?? SPICEDB_VERSION;
}

function readPeakRssMb(pid: number | undefined): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/** SIGTERM, then SIGKILL after 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited.finally(() => clearTimeout(timer));
}
