// The test run's personal-data scan: fails when any log line the run produced holds an identity
// number the tests used. Reads the numbers recorded under .local/test-logs/ (test/support/test-logs.ts)
// and the 12-digit literals in test sources; scans the service logs recorded there and the local
// servers' logs (.local/logs, .local/instances). A hit names the file and line and which recorded
// number it is, never the number itself. Usage: node scripts/scan-test-logs.mjs [repo root]
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Every written form of a 12-digit number that can stand in a log: as is, YYMMDD-NNNN, YYMMDD+NNNN, YYMMDDNNNN. */
export function writtenForms(twelveDigits) {
  const ten = twelveDigits.slice(2);
  return [twelveDigits, `${ten.slice(0, 6)}-${ten.slice(6)}`, `${ten.slice(0, 6)}+${ten.slice(6)}`, ten];
}

const CANDIDATE = /(?<!\d)(?:\d{12}|\d{6}[-+]\d{4}|\d{10})(?!\d)/g;
const LITERAL = /(?<![\w\d])(?:\d{8}[-+]?\d{4}|\d{6}[-+]\d{4})(?![\w\d])/g;

/** Files under `dir` (recursively) whose name passes `keep`. */
function filesUnder(dir, keep) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, String(name)))
    .filter((file) => keep(file) && statSync(file).isFile());
}

/**
 * Every number to look for, each with where it was recorded ("file:line"), so a hit can be traced
 * without printing it. `forms` maps each written form to its number's index.
 */
export function collectNumbers(root) {
  const numbers = [];
  const forms = new Map();
  const add = (written, origin) => {
    const digits = written.replace(/[-+]/g, '');
    const variants = digits.length === 12 ? writtenForms(digits) : [written.replace('+', '-'), written.replace('-', '+'), digits];
    if (variants.every((v) => forms.has(v))) return;
    const index = numbers.push(origin) - 1;
    for (const v of variants) if (!forms.has(v)) forms.set(v, index);
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
        for (const literal of line.match(LITERAL) ?? []) add(literal, `${relative(root, file)}:${i + 1}`);
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

/** Every line of `files` holding a form of a recorded number: { file, line, index, origin }. */
export async function scan(root, files, { numbers, forms }) {
  const hits = [];
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let lineNo = 0;
    for await (const line of lines) {
      lineNo++;
      for (const candidate of line.match(CANDIDATE) ?? []) {
        const index = forms.get(candidate);
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
