// A FerretDB server (MongoDB wire protocol) on the SQLite backend, or on the PostgreSQL backend
// with a PostgreSQL server of its own (STACK_FERRETDB_BACKEND=postgresql).
import fs from 'node:fs';
import path from 'node:path';
import { installFerretDB, installStockFerretDB, ferretdbBinary } from './install-ferretdb.mjs';
import { installPostgres } from './install-postgresql.mjs';
import { instanceDirs, instancePostgresDirs, mainDirs } from './paths.mjs';
import { HOST, isPortFree } from './ports.mjs';
import { createPostgresInstance } from './postgresql.mjs';
import { createServer } from './server.mjs';
import { mongoAnswers } from './wait.mjs';

export const FERRETDB_BACKENDS = ['sqlite', 'postgresql'];
export const DEFAULT_POSTGRES_PORT = 5433;

/** The backend named by STACK_FERRETDB_BACKEND (default sqlite). */
export function ferretdbBackend(env = process.env) {
  const raw = env.STACK_FERRETDB_BACKEND;
  if (raw === undefined || raw === '') return 'sqlite';
  if (!FERRETDB_BACKENDS.includes(raw)) {
    throw new Error(`STACK_FERRETDB_BACKEND must be one of ${FERRETDB_BACKENDS.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

// A named instance's PostgreSQL keeps the port it got first (in a file beside its data), so that
// a restarted FerretDB finds it; a new one is taken only when that port is now someone else's.
// Below the kernel's ephemeral range, like the fault tests' own ports (test/support/stack-instance.ts).
async function instancePostgresPort(dirs, isRunning) {
  const file = path.join(dirs.home, 'port');
  let port = null;
  try {
    port = Number.parseInt(fs.readFileSync(file, 'utf8'), 10) || null;
  } catch {
    // first start
  }
  if (port !== null && (isRunning(port) || (await isPortFree(port)))) return port;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isPortFree(candidate)) {
      fs.mkdirSync(dirs.home, { recursive: true });
      fs.writeFileSync(file, `${candidate}\n`);
      return candidate;
    }
  }
  throw new Error('postgresql: no free port found below the ephemeral range');
}

/**
 * @param {object} opts
 * @param {string} opts.name            instance name; data in .local/instances/<name>
 * @param {number} [opts.port=27017]
 * @param {number|null} [opts.debugPort] FerretDB's HTTP debug/metrics listener; off unless given
 * @param {'sqlite'|'postgresql'} [opts.backend] default: STACK_FERRETDB_BACKEND, else sqlite
 * @param {number} [opts.postgresPort]  the PostgreSQL server's port (main stack; a named instance
 *                                      picks a free one and keeps it)
 * @param {string} [opts.root]          repository root
 * @param {number} [opts.startTimeoutMs=90000]
 * @param {Function|false} [opts.log]
 * @param {boolean} [opts.main]         internal: the default stack's flat .local layout
 * @param {object} [opts.tls]           an extra TLS listener for security tests: { port, certFile, keyFile,
 *                                      caFile? } (with caFile, clients must present a certificate it signed)
 * @param {boolean} [opts.stock]        run the unpatched FerretDB release (bin/ferretdb-stock) instead of
 *                                      the patched build: only for tests that show what the patch changes
 */
export function createFerretInstance(opts) {
  const { name, root, port = 27017, debugPort = null, tls, stock = false } = opts;
  if (stock && opts.main) throw new Error('the main stack runs the patched FerretDB only');
  const installBinary = () => (stock ? installStockFerretDB : installFerretDB)({ root, log: opts.log });
  const backend = opts.backend ?? ferretdbBackend(process.env);
  if (!FERRETDB_BACKENDS.includes(backend)) throw new Error(`unknown FerretDB backend ${JSON.stringify(backend)}`);
  const dirs = opts.main ? mainDirs(root, 'ferretdb') : instanceDirs(root, name);
  const pgDirs = opts.main ? mainDirs(root, 'postgresql') : instancePostgresDirs(root, name);
  const sqliteDir = `${dirs.dataDir}${path.sep}`;
  const uri = `mongodb://${HOST}:${port}`;
  const label = opts.main ? 'ferretdb' : `ferretdb[${name}]`;

  // The PostgreSQL server of this FerretDB (created on demand; its state lives in files).
  const postgresOn = (pgPort) =>
    createPostgresInstance({
      label: opts.main ? 'postgresql' : `postgresql[${name}]`,
      dirs: pgDirs,
      port: pgPort,
      root,
      log: opts.log,
      startTimeoutMs: opts.startTimeoutMs,
    });
  const mainPostgresPort = opts.postgresPort ?? DEFAULT_POSTGRES_PORT;
  const storedPostgresPort = () => {
    if (opts.main) return mainPostgresPort;
    try {
      return Number.parseInt(fs.readFileSync(path.join(pgDirs.home, 'port'), 'utf8'), 10) || 0;
    } catch {
      return 0;
    }
  };
  const postgres = () => postgresOn(storedPostgresPort());

  const serverFor = (pgPort) => {
    const backendArgs =
      backend === 'postgresql'
        ? ['--handler=postgresql', `--postgresql-url=${postgresOn(pgPort).url}`]
        : // WAL without a sync per commit, as MongoDB's default write concern (journal flushed every
          // 100 ms): durable if the process dies, not the machine; a local stand-in (docs/ferretdb.md).
          ['--handler=sqlite', `--sqlite-url=file:${sqliteDir}?_pragma=synchronous(normal)`];
    const args = [
      ...backendArgs,
      `--state-dir=${dirs.home}`,
      `--listen-addr=${HOST}:${port}`,
      // "-" switches the debug HTTP server off; several instances would clash on one port.
      `--debug-addr=${debugPort ? `${HOST}:${debugPort}` : '-'}`,
      '--telemetry=disable',
      '--log-level=info',
      ...(tls
        ? [
            `--listen-tls=${HOST}:${tls.port}`,
            `--listen-tls-cert-file=${tls.certFile}`,
            `--listen-tls-key-file=${tls.keyFile}`,
            ...(tls.caFile ? [`--listen-tls-ca-file=${tls.caFile}`] : []),
          ]
        : []),
    ];
    return createServer({
      label,
      dirs,
      // In the command line of either backend (and of servers started before there was a choice).
      marker: `--state-dir=${dirs.home}`,
      ports: [port, ...(debugPort ? [debugPort] : []), ...(tls ? [tls.port] : [])],
      // A FerretDB answering on another backend (or another PostgreSQL) is restarted.
      // So does a stock FerretDB where the patched one is wanted, and the other way round.
      settings: { ...(backend === 'postgresql' ? { backend, postgresPort: pgPort } : {}), ...(stock ? { stock } : {}) },
      startTimeoutMs: opts.startTimeoutMs,
      stopGraceMs: 10_000,
      log: opts.log,
      prepare: async () => {
        await installBinary();
        if (backend === 'sqlite') fs.mkdirSync(dirs.dataDir, { recursive: true });
        fs.mkdirSync(dirs.home, { recursive: true });
      },
      command: () => ({ cmd: ferretdbBinary(root, { stock }), args, cwd: dirs.home, env: process.env }),
      probe: () => mongoAnswers(uri),
    });
  };
  const ferret = serverFor(null); // for everything but start: stop, kill, pid, logs

  async function start() {
    if (backend === 'sqlite') return ferret.start();
    const pgPort = opts.main ? mainPostgresPort : await instancePostgresPort(pgDirs, (p) => postgresOn(p).isRunning());
    await postgresOn(pgPort).start();
    return serverFor(pgPort).start();
  }

  // A named instance is one database server: stop, kill and destroy act on its PostgreSQL too
  // (whatever the backend now chosen, so none is left behind). The main stack's `down` stops the
  // main PostgreSQL itself (scripts/stack/index.mjs).
  async function stop(options) {
    const how = await ferret.stop(options);
    if (!opts.main) await postgres().stop();
    return how;
  }

  async function kill() {
    const killed = await ferret.kill();
    if (!opts.main) await postgres().kill();
    return killed;
  }

  async function destroy() {
    await ferret.kill();
    if (!opts.main) await postgres().destroy();
    await ferret.destroy();
  }

  // The backend the running server was started with (its settings file), else null.
  function runningBackend() {
    if (!ferret.isRunning()) return null;
    try {
      return JSON.parse(fs.readFileSync(`${dirs.pidFile}.settings`, 'utf8')).backend ?? 'sqlite';
    } catch {
      return 'sqlite';
    }
  }

  return {
    ...ferret,
    start,
    runningBackend,
    stop,
    kill,
    destroy,
    name,
    kind: 'ferretdb',
    backend,
    port,
    uri,
    dataDir: backend === 'postgresql' ? pgDirs.dataDir : dirs.dataDir,
    /** Its PostgreSQL server (whether or not the postgresql backend is chosen now). */
    postgres,
    install: async () => {
      await installBinary();
      if (backend === 'postgresql') await installPostgres({ root, log: opts.log });
    },
  };
}
