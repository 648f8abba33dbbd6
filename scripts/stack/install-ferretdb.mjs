// Builds FerretDB from its Go module into .local/bin, once, with the patch in ferretdb-patch.mjs.
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

export function ferretdbBinary(root) {
  return path.join(layout(root).bin, 'ferretdb');
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

// A stamp next to the binary names the patch it was built with. A binary without it (built
// before the patch existed, e.g. in CI's cache) or with another patch id is rebuilt.
const stampFile = (bin) => `${bin}.patch`;
const STAMP = `v${FERRETDB_VERSION}+${FERRETDB_PATCH_ID}\n`;

function isPatched(bin) {
  try {
    return fs.readFileSync(stampFile(bin), 'utf8') === STAMP;
  } catch {
    return false;
  }
}

async function isInstalled(bin) {
  return isPatched(bin) && isWanted(await installedVersion(bin));
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
export async function installFerretDB({ root, log } = {}) {
  const say = toLogger(log);
  const L = layout(root);
  const bin = ferretdbBinary(root);
  if (await isInstalled(bin)) return bin;
  return withLock(path.join(L.run, 'install-ferretdb.lock'), async () => {
    if (await isInstalled(bin)) return bin;
    say(`ferretdb: building v${FERRETDB_VERSION} (patched: ${FERRETDB_PATCH_ID}) with go (first use only; about a minute)`);
    const logFile = path.join(L.logs, 'install-ferretdb.log');
    const env = { ...process.env, GOBIN: L.bin, GO111MODULE: 'on' };
    // A plain `go install ...@v1.24.2` builds a binary that panics at start: the module
    // zip lacks the generated build/version/version.txt. So fetch the module, add that
    // file to a copy, and `go install` the copy.
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
    const src = path.join(L.src, `ferretdb-${FERRETDB_VERSION}`);
    removeTree(src);
    fs.cpSync(dir, src, { recursive: true });
    makeWritable(src);
    fs.writeFileSync(path.join(src, 'build', 'version', 'version.txt'), `v${FERRETDB_VERSION}\n`);
    patchFerretDBSource(src); // throws if the source is not what the patch expects
    fs.mkdirSync(L.bin, { recursive: true });
    fs.rmSync(stampFile(bin), { force: true });
    // -buildvcs=false: the copy sits inside this repo's git tree, whose commit is not FerretDB's.
    await runCommand('go', ['install', '-buildvcs=false', '-trimpath', './cmd/ferretdb'], { cwd: src, env, logFile });
    removeTree(src);
    const got = await installedVersion(bin);
    if (!isWanted(got)) throw new Error(`ferretdb: built binary reports version ${got}; see ${logFile}`);
    fs.writeFileSync(stampFile(bin), STAMP);
    say(`ferretdb: installed ${bin}`);
    return bin;
  });
}
