// The Node.js of the production image (the version in the Dockerfile's first FROM), for
// scripts/with-node24.mjs: the official binary as the npm registry ships it (node-<platform>-<arch>,
// the package the `node` package installs; `npm pack` checks it against the registry's integrity
// hash), unpacked once into the install cache. Prints the binary's path.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_ROOT, layout } from '../stack/paths.mjs';
import { withLock } from '../stack/process.mjs';

const run = promisify(execFile);

/** The x.y.z of the image's `FROM node:x.y.z-...`. */
export function imageNodeVersion(root = DEFAULT_ROOT) {
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const version = /^FROM node:(\d+\.\d+\.\d+)-/m.exec(dockerfile)?.[1];
  if (!version) throw new Error('Dockerfile: no FROM node:<x.y.z>-... line');
  return version;
}

export async function installImageNode({ root = DEFAULT_ROOT, log = (m) => process.stderr.write(`[node] ${m}\n`) } = {}) {
  const version = imageNodeVersion(root);
  const L = layout(root);
  const dir = path.join(L.cache, `node-${version}`);
  const bin = path.join(dir, 'bin', 'node');
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(L.run, { recursive: true });
  return withLock(path.join(L.run, 'install-node.lock'), async () => {
    if (fs.existsSync(bin)) return bin;
    const pkg = `node-${process.platform}-${process.arch}@${version}`;
    log(`fetching ${pkg} from the npm registry (first use only)`);
    fs.mkdirSync(L.cache, { recursive: true });
    const staging = fs.mkdtempSync(path.join(L.cache, 'node-fetch-'));
    try {
      const { stdout } = await run('npm', ['pack', pkg, '--silent', '--pack-destination', staging], { cwd: staging, maxBuffer: 1 << 20 });
      const tarball = path.join(staging, stdout.trim().split('\n').pop());
      await run('tar', ['xzf', tarball, '-C', staging, 'package/bin/node', 'package/LICENSE']);
      fs.rmSync(tarball);
      await run(path.join(staging, 'package', 'bin', 'node'), ['--version']);
      fs.renameSync(path.join(staging, 'package'), dir);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    log(`installed ${bin}`);
    return bin;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  installImageNode().then(
    (bin) => process.stdout.write(`${bin}\n`),
    (error) => {
      process.stderr.write(`node: ${error.message}\n`);
      process.exit(1);
    },
  );
}
