import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnService } from '../support/service-process';
import { serviceEnv } from '../support/test-env';
import { testAuthEnv } from '../support/tokens';

/** The major version of the image's `FROM node:x.y.z-...`: production's runtime. */
function imageNodeMajor(): string {
  const dockerfile = readFileSync(join(__dirname, '..', '..', 'Dockerfile'), 'utf8');
  const major = /^FROM node:(\d+)\.\d+\.\d+-/m.exec(dockerfile)?.[1];
  if (!major) throw new Error('Dockerfile: no FROM node:<x.y.z>-... line');
  return major;
}

describe('the runtime', () => {
  let service: ReturnType<typeof spawnService> | undefined;
  afterEach(async () => {
    if (service?.child.exitCode !== null) return;
    service.child.kill('SIGTERM');
    await service.exited;
  });

  // The service process inherits the test runner's Node (process.execPath), as the component tests,
  // which run the service inside jest, do: npm test runs on production's (scripts/with-node24.mjs).
  it("the service the tests start runs on the image's Node major version and logs it at start", async () => {
    service = spawnService(serviceEnv(await testAuthEnv()));
    await service.started;
    const started = JSON.parse(service.stdout.find((line) => line.includes('"resident-access started"'))!) as { node?: string };

    expect(started.node).toMatch(new RegExp(`^v${imageNodeMajor()}\\.\\d+\\.\\d+$`));
  });
});
