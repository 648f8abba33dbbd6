import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'buf-breaking.mjs');
const CLINIC_PROTO = 'proto/residentaccess/v1/clinic.proto';
const CASE_TYPE_FIELDS = '  bool restricted = 3;\n}';

/** A git repository holding this project's buf.yaml and proto/ on main, committed once. */
function repositoryOnMain(): { dir: string; git: (...args: string[]) => void; edit: (change: (text: string) => string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'buf-breaking-test-'));
  const git = (...args: string[]) => {
    const run = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  };
  cpSync(join(root, 'buf.yaml'), join(dir, 'buf.yaml'));
  cpSync(join(root, 'proto'), join(dir, 'proto'), { recursive: true });
  git('init', '--quiet', '--initial-branch=main');
  git('add', '.');
  git('commit', '--quiet', '-m', 'the contract');
  const edit = (change: (text: string) => string) => {
    const path = join(dir, CLINIC_PROTO);
    const before = readFileSync(path, 'utf8');
    const after = change(before);
    if (after === before) throw new Error('the edit changed nothing');
    writeFileSync(path, after);
  };
  return { dir, git, edit };
}

function check(dir: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('the breaking-change check of proto/ against main', () => {
  const dirs: string[] = [];
  const onMain = () => {
    const repository = repositoryOnMain();
    dirs.push(repository.dir);
    return repository;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('passes an unchanged contract on main itself, as in CI', () => {
    const { dir } = onMain();
    expect(check(dir)).toMatchObject({ status: 0 });
  });

  it('fails a branch that removes a field, naming it', () => {
    const { dir, git, edit } = onMain();
    git('switch', '--quiet', '-c', 'feature');
    edit((text) => text.replace('  bool restricted = 3;\n', ''));
    git('commit', '--quiet', '-am', 'drop restricted');

    const result = check(dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('clinic.proto');
    expect(result.output).toMatch(/"3".*"restricted".*deleted/i);
  });

  it('fails a field whose number changed, also before it is committed', () => {
    const { dir, edit } = onMain();
    edit((text) => text.replace('  bool restricted = 3;', '  bool restricted = 13;'));

    const result = check(dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('clinic.proto');
  });

  it('passes a branch that only adds a field', () => {
    const { dir, git, edit } = onMain();
    git('switch', '--quiet', '-c', 'feature');
    edit((text) => text.replace(CASE_TYPE_FIELDS, '  bool restricted = 3;\n  // Shown to residents under the name.\n  string description = 4;\n}'));
    git('commit', '--quiet', '-am', 'add description');

    expect(check(dir)).toMatchObject({ status: 0 });
  });

  it('compares with main as the branch left it, so later changes on main do not count', () => {
    const { dir, git, edit } = onMain();
    git('switch', '--quiet', '-c', 'feature');
    git('switch', '--quiet', 'main');
    // main drops the field afterwards (its own decision); the branch still has it, which is no break.
    edit((text) => text.replace('  bool restricted = 3;\n', '  reserved 3;\n  reserved "restricted";\n'));
    git('commit', '--quiet', '-am', 'main drops restricted');
    git('switch', '--quiet', 'feature');

    expect(check(dir)).toMatchObject({ status: 0 });
  });
});
