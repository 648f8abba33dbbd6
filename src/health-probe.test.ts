import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The program as the image runs it (`node dist/health-probe.js`), here from its source; not blocking, since this process serves the health port. */
function runProbe(...args: string[]): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(__dirname, 'health-probe.ts'), ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? Number(error.code) : 0, output: `${stdout}${stderr}`.trim() });
    });
  });
}

describe("health-probe, the command of the chart's `helm test` pod", () => {
  const server = new Server();
  let address = '';
  beforeAll(async () => {
    new HealthImplementation({ '': 'SERVING', liveness: 'NOT_SERVING' }).addToServer(server);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());

  it('exits 0 only when the entry is SERVING, saying what it saw', async () => {
    expect(await runProbe(address)).toEqual({ status: 0, output: `health "" at ${address}: SERVING` });
    expect(await runProbe(address, 'liveness')).toEqual({ status: 1, output: `health "liveness" at ${address}: NOT_SERVING` });
    expect(await runProbe('127.0.0.1:1')).toMatchObject({ status: 1, output: expect.stringContaining('no answer') as unknown });
  });

  it('refuses a wrong command line', async () => {
    expect(await runProbe()).toEqual({ status: 2, output: 'usage: health-probe <host:port> [entry]' });
  });
});
