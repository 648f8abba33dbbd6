import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

const root = join(__dirname, '..', '..');
const devTokens = join(root, 'scripts', 'dev-tokens.mjs');

/** Runs `body` in an ES module that has imported scripts/dev-tokens.mjs as `dev`; answers what it prints as JSON. */
function withDevTokens<T>(body: string): T {
  const source = `import * as dev from ${JSON.stringify(devTokens)};\n${body}`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8' })) as T;
}

describe('the new user path: npm start’s local tokens work with the operator CLI', () => {
  let sut: ServiceUnderTest;
  let localRoot: string;
  let files: { operatorTokenFile: string; residentNumberFile: string };

  beforeAll(async () => {
    localRoot = mkdtempSync(join(tmpdir(), 'local-tokens-'));
    // What npm start does: sign the local tokens, and start the service with the settings that accept them.
    const { env, ...written } = withDevTokens<{ env: Record<string, string>; operatorTokenFile: string; residentNumberFile: string }>(
      `const auth = await dev.ensureDevAuth({ root: ${JSON.stringify(localRoot)}, clinicId: 'SE2321000016-1234' });
       console.log(JSON.stringify({ env: dev.localAuthEnv(auth), operatorTokenFile: auth.operatorTokenFile, residentNumberFile: auth.residentNumberFile }));`,
    );
    files = written;
    sut = await startServiceUnderTest({ env });
  });
  afterAll(async () => {
    await sut?.stop();
    rmSync(localRoot, { recursive: true, force: true });
  });

  it('the CLI command npm start prints runs as the local operator and inspects the example resident', async () => {
    const command = withDevTokens<string>(`console.log(JSON.stringify(dev.operatorCliExample(${JSON.stringify({ address: `127.0.0.1:${sut.service.port}`, ...files })})));`);
    expect(command).toMatch(/^npx resident-access inspect .*--token-file .* < /);

    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('RESIDENT_ACCESS_')) delete env[name];
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile('/bin/sh', ['-c', command], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
      ),
    );
    expect(result.stderr).not.toContain('resident-access:');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('Resident 202007121391');
    await expect(sut.db.collection('access_log').countDocuments({ subject: 'dev-operator', read: 'InspectResident' })).resolves.toBe(1);
  });
});
