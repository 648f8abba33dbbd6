import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from './exit-codes';
import { openOutputFile } from './output-file';

describe('the export file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'output-file-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes its name only when complete, readable by its owner only', async () => {
    const path = join(dir, 'out.csv');
    const file = await openOutputFile(path);
    file.stream.write('a,b\r\n');
    expect(readdirSync(dir)).not.toContain('out.csv');
    await file.complete();
    expect(readdirSync(dir)).toEqual(['out.csv']);
    expect(readFileSync(path, 'utf8')).toBe('a,b\r\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('discarded, leaves nothing behind and an older file of that name as it was', async () => {
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'the last export\r\n');
    const file = await openOutputFile(path);
    file.stream.write('half an export');
    await file.discard();
    expect(readdirSync(dir)).toEqual(['out.csv']);
    expect(readFileSync(path, 'utf8')).toBe('the last export\r\n');
  });

  it('a folder that does not exist is an InputError naming the option', async () => {
    const path = join(dir, 'missing', 'out.csv');
    await expect(openOutputFile(path)).rejects.toEqual(new InputError(`cannot write --output ${path}`));
  });
});
