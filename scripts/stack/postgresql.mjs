// A PostgreSQL 15 server for FerretDB's postgresql backend: its own data directory, loopback TCP
// only (no Unix socket), trust authentication, one database `ferretdb`.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { installPostgres } from './install-postgresql.mjs';
import { toLogger } from './log.mjs';
import { HOST } from './ports.mjs';
import { ownedPid, runCommand } from './process.mjs';
import { createServer } from './server.mjs';
import { postgresAnswers } from './wait.mjs';

export const POSTGRES_USER = 'postgres';
export const POSTGRES_DATABASE = 'ferretdb';
const run = promisify(execFile);

// PostgreSQL refuses to run as root. As root, its programs run in a user namespace as `nobody`
// mapped onto root: inside they are not root, outside their files stay root's, and no directory
// (a cache or a clone under /root) needs to be readable by another user.
const NOBODY = 65534;
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const wrap = (cmd, args) => (isRoot() ? { cmd: 'unshare', args: ['--user', `--map-user=${NOBODY}`, `--map-group=${NOBODY}`, '--', cmd, ...args] } : { cmd, args });

let userNamespaceChecked = false;
async function checkUserNamespace() {
  if (!isRoot() || userNamespaceChecked) return;
  try {
    await run('unshare', ['--user', `--map-user=${NOBODY}`, `--map-group=${NOBODY}`, '--', 'true'], { timeout: 10_000 });
    userNamespaceChecked = true;
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'unshare (util-linux) is not installed' : (err.stderr || err.message).trim().split('\n')[0];
    throw new Error(`postgresql: PostgreSQL does not run as root and the stack could not start it in a user namespace (${why}); run the stack as a user other than root`);
  }
}

/**
 * @param {object} opts
 * @param {string} opts.label
 * @param {{home: string, dataDir: string, logFile: string, pidFile: string}} opts.dirs
 * @param {number} opts.port
 * @param {string} [opts.root]
 * @param {number} [opts.startTimeoutMs]
 * @param {Function|false} [opts.log]
 */
export function createPostgresInstance(opts) {
  const { label, dirs, port, root } = opts;
  const say = toLogger(opts.log);
  const dataDir = dirs.dataDir;
  let pg = null; // {binDir, env} once prepared
  const bin = (name) => path.join(pg.binDir, name);
  const env = () => ({ ...process.env, ...pg.env });

  async function initIfNeeded() {
    if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
    const tmp = `${dataDir}.init`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    say(`${label}: creating a database cluster in ${dataDir}`);
    const opt = { cwd: dirs.home, env: env(), logFile: dirs.logFile };
    const initdb = wrap(bin('initdb'), ['-D', tmp, '-U', POSTGRES_USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    await runCommand(initdb.cmd, initdb.args, opt);
    const single = wrap(bin('postgres'), ['--single', '-D', tmp, '-c', 'unix_socket_directories=', '-c', 'jit=off', 'postgres']);
    await runCommand(single.cmd, single.args, { ...opt, input: `CREATE DATABASE ${POSTGRES_DATABASE};\n` });
    fs.renameSync(tmp, dataDir);
  }

  // After a kill, postmaster.pid names the dead postmaster. PostgreSQL removes such a lock file
  // itself, unless that pid still exists: a zombie not yet reaped by whoever inherited it, or a
  // reused pid. Keep it only while a live postmaster of this data directory has that pid.
  function clearStaleLockFile() {
    const lockFile = path.join(dataDir, 'postmaster.pid');
    if (fs.existsSync(lockFile) && ownedPid(lockFile, dataDir) === null) fs.rmSync(lockFile, { force: true });
  }

  const server = createServer({
    label,
    dirs,
    marker: dataDir,
    ports: [port],
    startTimeoutMs: opts.startTimeoutMs,
    stopGraceMs: 30_000,
    // SIGINT to the postmaster is PostgreSQL's fast shutdown (it stops its own backends); SIGTERM
    // would wait for FerretDB's pooled connections to close.
    stopSignal: 'SIGINT',
    signalGroup: false,
    log: opts.log,
    prepare: async () => {
      pg = await installPostgres({ root, log: opts.log });
      await checkUserNamespace();
      fs.mkdirSync(dirs.home, { recursive: true });
      await initIfNeeded();
      clearStaleLockFile();
    },
    command: () => {
      const c = wrap(bin('postgres'), [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        `listen_addresses=${HOST}`,
        '-c',
        'unix_socket_directories=',
        '-c',
        'jit=off',
        '-c',
        'max_connections=120',
        // No flush per commit, as the SQLite backend (synchronous=normal) and MongoDB's default
        // write concern: durable if a process dies, not the machine; a local stand-in.
        '-c',
        'synchronous_commit=off',
      ]);
      return { ...c, cwd: dirs.home, env: env() };
    },
    probe: () => postgresAnswers({ host: HOST, port, user: POSTGRES_USER, database: POSTGRES_DATABASE }),
  });

  return {
    ...server,
    kind: 'postgresql',
    port,
    url: `postgres://${POSTGRES_USER}@${HOST}:${port}/${POSTGRES_DATABASE}`,
    dataDir,
    // Kill first: the data directory must not be removed under a running server.
    destroy: async () => {
      await server.kill();
      fs.rmSync(dirs.home, { recursive: true, force: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(`${dataDir}.init`, { recursive: true, force: true });
    },
  };
}
