// Builds a Go program from the Go module proxy into the cache's bin (RESIDENT_ACCESS_CACHE_DIR or
// .local/cache), once per version: a stamp beside the binary names the module version it was built
// from, so a warm cache (CI keeps it between runs) skips the build and a version change rebuilds.
import fs from 'node:fs';
import path from 'node:path';
import { layout } from '../stack/paths.mjs';
import { runCommand, withLock } from '../stack/process.mjs';
import { toLogger } from '../stack/log.mjs';

const stampOf = (bin) => `${bin}.version`;

function isInstalled(bin, stamp) {
  try {
    return fs.existsSync(bin) && fs.readFileSync(stampOf(bin), 'utf8') === stamp;
  } catch {
    return false;
  }
}

/**
 * Returns the path of `name` built from `pkg@version` (`go install`), building it first if needed.
 * `about` says how long a first build takes, for the message shown while it runs.
 */
export async function installGoTool({ name, pkg, version, about, root, log }) {
  const say = toLogger(log ?? ((msg) => process.stderr.write(`[tools] ${msg}\n`)));
  const L = layout(root);
  const bin = path.join(L.bin, name);
  const stamp = `${pkg}@${version}\n`;
  if (isInstalled(bin, stamp)) return bin;
  fs.mkdirSync(L.bin, { recursive: true });
  // The lock sits in the shared cache: clones sharing it must not build into one file at once.
  return withLock(
    path.join(L.bin, `.${name}.lock`),
    async () => {
      if (isInstalled(bin, stamp)) return bin;
      say(`${name}: building ${pkg}@${version} with go (first use only; ${about})`);
      const logFile = path.join(L.local, 'logs', `install-${name}.log`);
      fs.rmSync(stampOf(bin), { force: true });
      const env = { ...process.env, GOBIN: L.bin, GO111MODULE: 'on', GOFLAGS: '-buildvcs=false' };
      try {
        await runCommand('go', ['install', '-trimpath', `${pkg}@${version}`], { cwd: L.root, env, logFile });
      } catch (error) {
        throw new Error(`${name}: could not build ${pkg}@${version} (${error.message}); see ${logFile}`);
      }
      fs.writeFileSync(stampOf(bin), stamp);
      say(`${name}: installed ${bin}`);
      return bin;
    },
    { timeoutMs: 30 * 60_000 },
  ); // a build on a busy machine may take a while; wait for it rather than fail
}
