// `npm run lint:breaking`: the working tree's proto/ against the one main had when this branch left
// it (the merge-base with `main`, else `origin/main`; on main itself, its last commit), with the
// rules of buf.yaml's `breaking` section. Local only: the base is taken from git, never the network.
// Usage: node scripts/buf-breaking.mjs [repository root, default: this one]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const own = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(process.argv[2] ?? own);
const buf = join(own, 'node_modules', '.bin', process.platform === 'win32' ? 'buf.cmd' : 'buf');

const git = (...args) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' });

function baseCommit() {
  for (const branch of ['main', 'origin/main']) {
    if (git('rev-parse', '--verify', '--quiet', `${branch}^{commit}`).status !== 0) continue;
    const base = git('merge-base', 'HEAD', branch);
    if (base.status === 0) return { commit: base.stdout.trim(), branch };
  }
  return null;
}

const base = baseCommit();
if (!base) {
  console.error('buf breaking: no branch main (or origin/main) with a common ancestor of HEAD to compare proto/ against; fetch main first');
  process.exit(2);
}
const label = `${base.branch} (${base.commit.slice(0, 12)})`;
if (git('cat-file', '-e', `${base.commit}:buf.yaml`).status !== 0) {
  console.log(`buf breaking: ${label} has no buf.yaml, so no contract to keep yet`);
  process.exit(0);
}

// The base's buf.yaml and proto/, unpacked from git: works in worktrees and needs no remote.
const against = mkdtempSync(join(tmpdir(), 'buf-breaking-'));
let status;
try {
  const archive = spawnSync('sh', ['-c', `git archive --format=tar "${base.commit}" buf.yaml proto | tar -x -C "${against}"`], { cwd: repo, stdio: 'inherit' });
  if (archive.status !== 0 || !existsSync(join(against, 'buf.yaml'))) {
    console.error(`buf breaking: could not unpack proto/ of ${label}`);
    status = 2;
  } else {
    status = spawnSync(buf, ['breaking', '--against', against], { cwd: repo, stdio: 'inherit' }).status ?? 1;
    if (status === 0) console.log(`buf breaking: proto/ keeps the contract of ${label}`);
    else console.error(`buf breaking: proto/ breaks the contract of ${label} (see above)`);
  }
} finally {
  rmSync(against, { recursive: true, force: true });
}
process.exit(status);
