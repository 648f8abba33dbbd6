import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** This project's eslint.config.mjs run on one file in a throw-away TypeScript project; the rule ids it reports. */
function ruleIdsFor(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'lint-test-'));
  try {
    copyFileSync(join(root, 'eslint.config.mjs'), join(dir, 'eslint.config.mjs'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', lib: ['ES2022'], types: [] }, include: ['*.ts'] }));
    writeFileSync(join(dir, 'fixture.ts'), source);
    const run = spawnSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', 'fixture.ts'], { cwd: dir, encoding: 'utf8' });
    const [report] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
    return report!.messages.map((m) => m.ruleId ?? `(no rule) ${m.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the lint rules (eslint.config.mjs)', () => {
  const save = 'async function save(): Promise<void> {}\n';

  it('report a promise nobody awaits or handles', () => {
    expect(ruleIdsFor(`${save}export function click(): void {\n  save();\n}\n`)).toEqual(['@typescript-eslint/no-floating-promises']);
  });

  it('report a promise handed where nothing waits for it', () => {
    expect(ruleIdsFor(`${save}export const later = (run: () => void): void => run();\nlater(save);\n`)).toEqual(['@typescript-eslint/no-misused-promises']);
  });

  it('accept a promise awaited, or let go on purpose with void', () => {
    expect(ruleIdsFor(`${save}export async function click(): Promise<void> {\n  await save();\n  void save();\n}\n`)).toEqual([]);
  });
});
