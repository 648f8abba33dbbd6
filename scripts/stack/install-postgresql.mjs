// Finds PostgreSQL 15's server programs for the FerretDB PostgreSQL backend, or fetches Debian's
// packages into the cache without root: `apt-get download` + `dpkg -x` (no maintainer scripts run,
// nothing outside the cache is touched). Only used when STACK_FERRETDB_BACKEND=postgresql.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { layout } from './paths.mjs';
import { runCommand, withLock } from './process.mjs';
import { toLogger } from './log.mjs';

export const POSTGRES_MAJOR = '15';
const SYSTEM_BIN_DIR = `/usr/lib/postgresql/${POSTGRES_MAJOR}/bin`;
const PROGRAMS = ['postgres', 'initdb'];
const run = promisify(execFile);

// The extracted packages keep Debian's layout under this root, so the programs find their share
// and lib directories relative to their own path (PostgreSQL installs are relocatable).
const extractRoot = (root) => path.join(layout(root).cache, `postgresql-${POSTGRES_MAJOR}`);
const extractedBinDir = (root) => path.join(extractRoot(root), SYSTEM_BIN_DIR);
const doneFile = (root) => path.join(extractRoot(root), '.complete');

const hasPrograms = (dir) => PROGRAMS.every((p) => isExecutable(path.join(dir, p)));

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function libraryPath(root) {
  const r = extractRoot(root);
  return ['usr/lib/x86_64-linux-gnu', 'lib/x86_64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'lib/aarch64-linux-gnu', 'usr/lib', 'lib']
    .map((d) => path.join(r, d))
    .filter((d) => fs.existsSync(d))
    .join(path.delimiter);
}

/**
 * Where the PostgreSQL server programs are, and the environment to run them with.
 * Order: STACK_POSTGRES_BIN_DIR, Debian's /usr/lib/postgresql/15/bin, then packages extracted
 * into the cache (fetched now if missing).
 * @returns {Promise<{binDir: string, env: Record<string, string>, source: string}>}
 */
export async function installPostgres({ root, log, env = process.env } = {}) {
  const override = env.STACK_POSTGRES_BIN_DIR;
  if (override) {
    if (!hasPrograms(override)) throw new Error(`postgresql: STACK_POSTGRES_BIN_DIR=${override} has no ${PROGRAMS.join(' and ')}`);
    return { binDir: override, env: {}, source: 'STACK_POSTGRES_BIN_DIR' };
  }
  if (hasPrograms(SYSTEM_BIN_DIR)) return { binDir: SYSTEM_BIN_DIR, env: {}, source: 'system' };
  const cached = () => fs.existsSync(doneFile(root)) && hasPrograms(extractedBinDir(root));
  const fromCache = () => {
    const lib = libraryPath(root);
    return { binDir: extractedBinDir(root), env: lib ? { LD_LIBRARY_PATH: lib } : {}, source: 'cache' };
  };
  if (cached()) return fromCache();
  return withLock(path.join(layout(root).run, 'install-postgresql.lock'), async () => {
    if (!cached()) await fetchPackages({ root, log });
    return fromCache();
  });
}

async function isInstalled(pkg) {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${db:Status-Status}', pkg]);
    return stdout.trim() === 'installed';
  } catch {
    return false;
  }
}

// Libraries every Debian system has, and LLVM (only for JIT, which the stack switches off).
const SKIP = new Set(['libc6', 'libgcc-s1', 'libstdc++6', 'libllvm14', 'libselinux1', 'libsystemd0', 'libpam0g', 'zlib1g']);

// postgresql-15 and the libraries it needs that this machine lacks, following Depends of lib*.
async function packagesToFetch() {
  const wanted = [`postgresql-${POSTGRES_MAJOR}`];
  const seen = new Set(wanted);
  for (let i = 0; i < wanted.length; i += 1) {
    const { stdout } = await run('apt-cache', ['depends', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', wanted[i]], {
      maxBuffer: 1 << 20,
    });
    for (const m of stdout.matchAll(/^\s*\|?Depends: ([^<\s]+)/gm)) {
      const dep = m[1].replace(/:any$/, '');
      if (seen.has(dep) || !dep.startsWith('lib') || SKIP.has(dep)) continue;
      seen.add(dep);
      if (!(await isInstalled(dep))) wanted.push(dep);
    }
  }
  return wanted;
}

async function fetchPackages({ root, log }) {
  const say = toLogger(log);
  const L = layout(root);
  const logFile = path.join(L.logs, 'install-postgresql.log');
  const fail = (why) =>
    new Error(
      `postgresql: PostgreSQL ${POSTGRES_MAJOR} is needed for STACK_FERRETDB_BACKEND=postgresql and ${why}; ` +
        `install it (apt-get install postgresql-${POSTGRES_MAJOR}) or set STACK_POSTGRES_BIN_DIR to its bin directory`,
    );
  let pkgs;
  try {
    pkgs = await packagesToFetch();
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'apt-cache is not available' : `apt-cache knows no postgresql-${POSTGRES_MAJOR} (${(err.stderr || err.message).trim().split('\n').pop()})`;
    throw fail(`was not found in ${SYSTEM_BIN_DIR}; fetching it failed: ${why}`);
  }
  say(`postgresql: ${SYSTEM_BIN_DIR} missing; fetching ${pkgs.join(' ')} with apt-get download (first use only)`);
  const r = extractRoot(root);
  const debs = path.join(L.cache, `postgresql-${POSTGRES_MAJOR}-debs`);
  fs.rmSync(r, { recursive: true, force: true });
  fs.rmSync(debs, { recursive: true, force: true });
  fs.mkdirSync(debs, { recursive: true });
  try {
    await runCommand('apt-get', ['download', ...pkgs], { cwd: debs, env: process.env, logFile });
    for (const deb of fs.readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
      await runCommand('dpkg', ['-x', path.join(debs, deb), r], { cwd: debs, env: process.env, logFile });
    }
  } catch (err) {
    throw fail(`was not found in ${SYSTEM_BIN_DIR}; apt-get download/dpkg -x failed (see ${logFile}): ${err.message.split('\n')[0]}`);
  } finally {
    fs.rmSync(debs, { recursive: true, force: true });
  }
  if (!hasPrograms(extractedBinDir(root))) throw fail(`the fetched packages have no ${extractedBinDir(root)}`);
  const lib = libraryPath(root);
  try {
    await run(path.join(extractedBinDir(root), 'postgres'), ['--version'], { env: { ...process.env, LD_LIBRARY_PATH: lib } });
  } catch (err) {
    throw fail(`the fetched postgres does not run here (${(err.stderr || err.message).trim().split('\n')[0]})`);
  }
  fs.writeFileSync(doneFile(root), `${pkgs.join(' ')}\n`);
  say(`postgresql: installed into ${r}`);
}
