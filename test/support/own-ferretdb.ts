import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './stack-instance';

const run = promisify(execFile);
const cli = join(__dirname, '..', '..', 'scripts', 'stack', 'instance-cli.mjs');

/**
 * A FerretDB of the test's own, on its own port and SQLite data, that the test may stop and
 * restart. `stop` and `kill` keep the data, so a restarted instance serves the same databases;
 * `destroy` kills it and removes the data. `stock`: the unpatched FerretDB release instead of the
 * stack's patched build (built on first use; `installStockFerretDB` in scripts/stack builds it ahead).
 */
export async function ownFerretDB(name: string, options: { tls?: { port: number; certFile: string; keyFile: string; caFile?: string }; stock?: boolean } = {}) {
  const port = await freePort();
  const env = {
    ...process.env,
    ...(options.tls ? { STACK_FERRETDB_TLS: JSON.stringify(options.tls) } : {}),
    ...(options.stock ? { STACK_FERRETDB_STOCK: 'true' } : {}),
  };
  const act = async (action: 'start' | 'stop' | 'kill' | 'destroy' | 'install', timeout = 120_000) => {
    await run(process.execPath, [cli, 'ferretdb', name, action, String(port)], { timeout, env });
  };
  return {
    port,
    uri: `mongodb://127.0.0.1:${port}`,
    /** Builds its FerretDB binary if it is not built yet (minutes: a Go build), without starting it. */
    install: () => act('install', 600_000),
    start: () => act('start'),
    /** SIGTERM, then waits for it to exit (SIGKILL after the stack's grace period). */
    stop: () => act('stop'),
    kill: () => act('kill'),
    /** Kills it and removes its data. */
    destroy: () => act('destroy'),
    /** The last lines of its log, for a failing test's message. */
    logTail: (lines = 40): string => {
      try {
        return readFileSync(join(__dirname, '..', '..', '.local', 'instances', name, 'server.log'), 'utf8')
          .split('\n')
          .slice(-lines)
          .join('\n');
      } catch (error) {
        return `(no log: ${(error as Error).message})`;
      }
    },
  };
}
