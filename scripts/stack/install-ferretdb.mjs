// Builds FerretDB from its Go module into <cache>/bin, once, with the patch in ferretdb-patch.mjs
// (bin/ferretdb). Tests can also have it build the unpatched release (bin/ferretdb-stock), to show
// what the patch changes; the stack itself never runs that one.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { FERRETDB_PATCH_ID, patchFerretDBSource } from './ferretdb-patch.mjs';
import { layout } from './paths.mjs';
import { runCommand, withLock } from './process.mjs';
import { toLogger } from './log.mjs';

export const FERRETDB_VERSION = '1.24.2';
const MODULE = 'github.com/FerretDB/FerretDB';
const run = promisify(execFile);

/** @param {{stock?: boolean}} [opts] stock: the unpatched release, for tests only */
export function ferretdbBinary(root, { stock = false } = {}) {
  return path.join(layout(root).bin, stock ? 'ferretdb-stock' : 'ferretdb');
}

async function installedVersion(bin) {
  try {
    const { stdout } = await run(bin, ['--version'], { timeout: 10_000 });
    return /^version:\s*v?(\S+)/m.exec(stdout)?.[1] ?? null;
  } catch {
    return null;
  }
}

const isWanted = (v) => v !== null && v.split('.').slice(0, 2).join('.') === FERRETDB_VERSION.split('.').slice(0, 2).join('.');

// A stamp next to the binary names the patch it was built with ("stock" for none). A binary
// without it (built before the patch existed, e.g. in CI's cache) or with another patch id is rebuilt.
const stampFile = (bin) => `${bin}.patch`;
const stampOf = (stock) => `v${FERRETDB_VERSION}+${stock ? 'stock' : FERRETDB_PATCH_ID}\n`;

function isStamped(bin, stock) {
  try {
    return fs.readFileSync(stampFile(bin), 'utf8') === stampOf(stock);
  } catch {
    return false;
  }
}

async function isInstalled(bin, stock) {
  return isStamped(bin, stock) && isWanted(await installedVersion(bin));
}

// Files in the Go module cache are read-only; the copy must be editable and removable.
function makeWritable(dir) {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(p);
    else if (entry.isFile()) fs.chmodSync(p, 0o644);
  }
}

function removeTree(dir) {
  if (!fs.existsSync(dir)) return;
  makeWritable(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Returns the path of a patched FerretDB 1.24.x binary, building it first if needed. */
export function installFerretDB({ root, log } = {}) {
  return build({ root, log, stock: false });
}

/**
 * Returns the path of an unpatched (stock) FerretDB 1.24.x binary, bin/ferretdb-stock, building it
 * first if needed. For tests that show what the patch changes; nothing in the stack starts it.
 */
export function installStockFerretDB({ root, log } = {}) {
  return build({ root, log, stock: true });
}

async function build({ root, log, stock }) {
  const say = toLogger(log);
  const L = layout(root);
  const bin = ferretdbBinary(root, { stock });
  const what = stock ? 'unpatched (stock, for tests)' : `patched: ${FERRETDB_PATCH_ID}`;
  if (await isInstalled(bin, stock)) return bin;
  return withLock(path.join(L.run, `install-${path.basename(bin)}.lock`), async () => {
    if (await isInstalled(bin, stock)) return bin;
    say(`ferretdb: building v${FERRETDB_VERSION} (${what}) with go (first use only; about a minute)`);
    const logFile = path.join(L.logs, `install-${path.basename(bin)}.log`);
    const env = { ...process.env, GO111MODULE: 'on' };
    // A plain `go install ...@v1.24.2` builds a binary that panics at start: the module
    // zip lacks the generated build/version/version.txt. So fetch the module, add that
    // file to a copy, and build the copy.
    let dir;
    try {
      const { stdout } = await run('go', ['mod', 'download', '-json', `${MODULE}@v${FERRETDB_VERSION}`], {
        env,
        maxBuffer: 1 << 20,
      });
      dir = JSON.parse(stdout).Dir;
    } catch (err) {
      const hint = err.code === 'ENOENT' ? 'go not found on PATH (Go >= 1.24 is needed)' : err.stdout || err.message;
      throw new Error(`ferretdb: could not download ${MODULE}@v${FERRETDB_VERSION}: ${hint}`);
    }
    const src = path.join(L.src, `ferretdb-${FERRETDB_VERSION}${stock ? '-stock' : ''}`);
    removeTree(src);
    fs.cpSync(dir, src, { recursive: true });
    makeWritable(src);
    fs.writeFileSync(path.join(src, 'build', 'version', 'version.txt'), `v${FERRETDB_VERSION}\n`);
    if (!stock) patchFerretDBSource(src); // throws if the source is not what the patch expects
    fs.mkdirSync(L.bin, { recursive: true });
    fs.rmSync(stampFile(bin), { force: true });
    // -buildvcs=false: the copy sits inside this repo's git tree, whose commit is not FerretDB's.
    await runCommand('go', ['build', '-buildvcs=false', '-trimpath', '-o', bin, './cmd/ferretdb'], { cwd: src, env, logFile });
    removeTree(src);
    const got = await installedVersion(bin);
    if (!isWanted(got)) throw new Error(`ferretdb: built binary reports version ${got}; see ${logFile}`);
    fs.writeFileSync(stampFile(bin), stampOf(stock));
    say(`ferretdb: installed ${bin}`);
    return bin;
  });
}
