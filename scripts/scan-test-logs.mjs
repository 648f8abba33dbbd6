// The test run's personal-data scan: fails when any log line the run produced holds an identity
// number the tests used. Reads the numbers recorded under .local/test-logs/ (test/support/test-logs.ts)
// and the numbers written in test sources; scans the service logs recorded there and the local
// servers' logs (.local/logs, .local/instances). A hit names the file and line and which recorded
// number it is, never the number itself. Usage: node scripts/scan-test-logs.mjs [repo root]
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Anything written like a number: the shape the service's log scrubber redacts (one definition,
 * src/observability/personal-number-pattern.json), so the scan finds every form the scrubber must.
 */
const pattern = JSON.parse(readFileSync(new URL('../src/observability/personal-number-pattern.json', import.meta.url), 'utf8'));
const numberShapes = () => new RegExp(Object.values(pattern.parts).join(''), 'g');

/** The digits a written number is looked up by: all 12 (with the century) and the last 10, or the 10 alone. */
export function lookupKeys(written) {
  const digits = written.replace(/[^0-9]/g, '');
  return digits.length === 12 ? [digits, digits.slice(2)] : [digits];
}

/**
 * Numbers written in a test source: whole tokens of the number shape, with the century or with a
 * separator (a bare 10-digit literal is as often a timestamp or a count).
 */
function literalsIn(line) {
  return [...line.matchAll(numberShapes())]
    .filter(({ 0: written, index }) => !/\w/.test(line[index - 1] ?? '') && !/\w/.test(line[index + written.length] ?? ''))
    .map(({ 0: written }) => written)
    .filter((written) => /[^0-9]/.test(written) || written.length === 12);
}

/** Files under `dir` (recursively) whose name passes `keep`. */
function filesUnder(dir, keep) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, String(name)))
    .filter((file) => keep(file) && statSync(file).isFile());
}

/**
 * Every number to look for, each with where it was recorded ("file:line"), so a hit can be traced
 * without printing it. `forms` maps each number's lookup keys (its digits) to its index.
 */
export function collectNumbers(root) {
  const numbers = [];
  const forms = new Map();
  const add = (written, origin) => {
    const keys = lookupKeys(written);
    if (keys.every((k) => forms.has(k))) return;
    const index = numbers.push(origin) - 1;
    for (const k of keys) if (!forms.has(k)) forms.set(k, index);
  };
  for (const file of filesUnder(join(root, '.local', 'test-logs'), (f) => /identity-numbers\.\d+\.txt$/.test(f))) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => line.trim() && add(line.trim(), `${relative(root, file)}:${i + 1}`));
  }
  const sources = [...filesUnder(join(root, 'test'), (f) => f.endsWith('.ts')), ...filesUnder(join(root, 'src'), (f) => /\.(test|arbitrary)\.ts$/.test(f))];
  for (const file of sources) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const literal of literalsIn(line)) add(literal, `${relative(root, file)}:${i + 1}`);
      });
  }
  return { numbers, forms };
}

/** The logs to scan: what the services under test wrote, and the local servers' own logs. */
export function logFiles(root) {
  return [
    ...filesUnder(join(root, '.local', 'test-logs'), (f) => /service-log\.\d+\.txt$/.test(f)),
    ...filesUnder(join(root, '.local', 'logs'), (f) => /\.log(\.\d+)?$/.test(f)),
    ...filesUnder(join(root, '.local', 'instances'), (f) => /\.log(\.\d+)?$/.test(f)),
  ];
}

/** Every line of `files` holding a recorded number in any written form: { file, line, index, origin }. */
export async function scan(root, files, { numbers, forms }) {
  const hits = [];
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let lineNo = 0;
    for await (const line of lines) {
      lineNo++;
      for (const [candidate] of line.matchAll(numberShapes())) {
        const index = lookupKeys(candidate)
          .map((key) => forms.get(key))
          .find((i) => i !== undefined);
        if (index !== undefined) hits.push({ file: relative(root, file), line: lineNo, index, origin: numbers[index] });
      }
    }
  }
  return hits;
}

async function main() {
  const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
  const recorded = collectNumbers(root);
  const files = logFiles(root);
  const hits = await scan(root, files, recorded);
  for (const hit of hits) console.error(`${hit.file}:${hit.line}: holds test identity number #${hit.index} (recorded at ${hit.origin})`);
  const summary = `personal-data scan: ${files.length} log files, ${recorded.numbers.length} test identity numbers, ${hits.length} hits`;
  if (hits.length > 0) {
    console.error(`${summary}: personal data in logs`);
    process.exit(1);
  }
  console.log(summary);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
