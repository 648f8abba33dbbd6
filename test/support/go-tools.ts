import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/**
 * The path of a tool built from the Go module proxy into the cache on first use
 * (scripts/install-tools.mjs). Throws, naming why, when it cannot be had: the tests that need it fail.
 */
export function installedTool(name: 'promtool' | 'helm'): string {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'install-tools.mjs'), name], { cwd: root, encoding: 'utf8', timeout: 20 * 60_000 });
  const path = new RegExp(`^${name}: (.+)$`, 'm').exec(run.stdout ?? '')?.[1];
  if (run.status !== 0 || !path) throw new Error(`${name} could not be installed (exit ${run.status ?? run.signal}): ${run.stderr}`);
  return path;
}

export const promtoolPath = (): string => installedTool('promtool');

/** Runs promtool; answers its exit status and everything it printed. */
export function promtool(bin: string, args: string[], cwd = root): { status: number | null; output: string } {
  const run = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
