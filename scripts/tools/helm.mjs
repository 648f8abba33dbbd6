// Helm, for rendering deploy/helm/resident-access in the tests: built once from its Go module into
// the install cache (RESIDENT_ACCESS_CACHE_DIR/bin or .local/cache/bin), like FerretDB. Run directly,
// it installs if needed and prints the binary's path.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { layout } from '../stack/paths.mjs';
import { runCommand, withLock } from '../stack/process.mjs';

export const HELM_VERSION = '3.22.0';
const MODULE = 'helm.sh/helm/v3/cmd/helm';
const run = promisify(execFile);

// `go install` leaves helm's version variable at its source default, so a stamp names what was built.
const stampFile = (bin) => `${bin}.version`;

function isInstalled(bin) {
  try {
    return fs.existsSync(bin) && fs.readFileSync(stampFile(bin), 'utf8').trim() === HELM_VERSION;
  } catch {
    return false;
  }
}

/** Returns the path of the helm binary, building it first if needed (a few minutes, once). */
export async function installHelm({ root, log = (m) => process.stderr.write(`[helm] ${m}\n`) } = {}) {
  const L = layout(root);
  const bin = path.join(L.bin, `helm-${HELM_VERSION}`);
  if (isInstalled(bin)) return bin;
  fs.mkdirSync(L.run, { recursive: true });
  return withLock(path.join(L.run, 'install-helm.lock'), async () => {
    if (isInstalled(bin)) return bin;
    log(`building helm v${HELM_VERSION} with go (first use only; a few minutes)`);
    // Built into a directory of its own and moved into place, so no one runs a half-written binary.
    fs.mkdirSync(L.cache, { recursive: true });
    const staging = fs.mkdtempSync(path.join(L.cache, 'helm-build-'));
    const logFile = path.join(L.logs, 'install-helm.log');
    fs.mkdirSync(L.logs, { recursive: true });
    try {
      await runCommand('go', ['install', '-trimpath', `${MODULE}@v${HELM_VERSION}`], {
        cwd: staging,
        env: { ...process.env, GOBIN: staging, GO111MODULE: 'on', GOFLAGS: '-buildvcs=false' },
        logFile,
      });
    } catch (error) {
      throw new Error(`helm: could not build ${MODULE}@v${HELM_VERSION} (is Go >= 1.24 on PATH?); see ${logFile}: ${error.message}`);
    }
    fs.mkdirSync(L.bin, { recursive: true });
    fs.renameSync(path.join(staging, 'helm'), bin);
    fs.rmSync(staging, { recursive: true, force: true });
    await run(bin, ['version', '--short'], { timeout: 30_000 });
    fs.writeFileSync(stampFile(bin), `${HELM_VERSION}\n`);
    log(`installed ${bin}`);
    return bin;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  installHelm().then(
    (bin) => process.stdout.write(`${bin}\n`),
    (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
