// `npm test`: type check, buf lint, buf breaking against main, layer rules, eslint, prettier --check,
// every jest test (with the arguments given, e.g. `npm test -- --json --outputFile=...`), then the personal-data scan of every log line the run
// produced (scripts/scan-test-logs.mjs). Every step runs even when one before it failed, so one
// run shows every failure; the exit status is the first failing step's. Which steps failed is
// written to .local/test-steps.json for CI's summary line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const local = join(root, '.local');

// The scan reads what this run records there, and nothing older.
rmSync(join(local, 'test-logs'), { recursive: true, force: true });

const steps = [
  ['typecheck', 'npm', ['run', '-s', 'typecheck']],
  ['buf lint', 'npm', ['run', '-s', 'lint:proto']],
  ['buf breaking', 'npm', ['run', '-s', 'lint:breaking']],
  ['layer rules', 'npm', ['run', '-s', 'lint:deps']],
  // `npm run lint` without its `generate`: the type check just wrote src/gen.
  ['eslint', process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '.']],
  ['prettier', 'npm', ['run', '-s', 'format:check']],
  ['jest', process.execPath, [join(root, 'node_modules/jest/bin/jest.js'), '--ci', ...process.argv.slice(2)]],
  ['personal-data scan', process.execPath, [join(root, 'scripts/scan-test-logs.mjs')]],
];

const results = steps.map(([name, command, args]) => {
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const status = run.status ?? 1;
  if (status !== 0) process.stderr.write(`npm test: ${name} failed (${run.signal ?? `exit ${status}`})\n`);
  return { step: name, status };
});

mkdirSync(local, { recursive: true });
writeFileSync(join(local, 'test-steps.json'), `${JSON.stringify(results, null, 2)}\n`);
process.exit(results.find((r) => r.status !== 0)?.status ?? 0);
