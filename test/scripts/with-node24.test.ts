import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const launcher = join(root, 'scripts', 'with-node24.mjs');
const imageMajor = /^FROM node:(\d+)\./m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
// Fetching the image's Node on first use (when jest itself runs on another) can take a while.
const FETCH_MS = 5 * 60_000;

const withNode24 = (...command: string[]) => spawnSync(process.execPath, [launcher, ...command], { encoding: 'utf8', timeout: FETCH_MS });

describe('scripts/with-node24.mjs <command>', () => {
  it(
    "runs the command with the image's Node major version as `node` on its PATH",
    () => {
      const run = withNode24('node', '-p', 'process.version');
      expect(imageMajor).toBeDefined();
      expect(run.stdout.trim()).toMatch(new RegExp(`^v${imageMajor}\\.\\d+\\.\\d+$`));
    },
    FETCH_MS,
  );

  it(
    "exits with the command's exit status",
    () => {
      expect(withNode24('node', '-e', 'process.exit(7)').status).toBe(7);
    },
    FETCH_MS,
  );

  it(
    'passes a SIGTERM on to the command and waits for it to stop',
    async () => {
      // The command exits 3 on SIGTERM, else 9 after 10 s.
      const child = spawn(process.execPath, [
        launcher,
        'node',
        '-e',
        'process.on("SIGTERM", () => { console.log("stopping"); process.exit(3); }); console.log("ready"); setTimeout(() => process.exit(9), 10_000);',
      ]);
      let output = '';
      const ready = new Promise<void>((resolve) =>
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          output += chunk;
          if (output.includes('ready')) resolve();
        }),
      );
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await ready;
      child.kill('SIGTERM');

      expect(await exited).toBe(3);
      expect(output).toContain('stopping');
    },
    FETCH_MS,
  );
});
