import { ownFerretDB } from '../support/own-ferretdb';
import { spawnService } from '../support/service-process';
import { serviceEnv, uniqueName } from '../support/test-env';
import { testAuthEnv } from '../support/tokens';

/**
 * The service refuses a FerretDB without the resident-access patch (src/storage-mongo/server-check.ts):
 * its conditional updates are not atomic, so the service would lose writes. Started against a stock
 * FerretDB 1.24.2 of the test's own, it exits with EX_CONFIG (78) and one line on stderr.
 *
 * Building the stock FerretDB needs the local stack's tooling (Go, the stack scripts), there when the
 * integration servers are the local stack; elsewhere the test is registered under a name that says it
 * does not apply and why (as in test/storage/conditional-writes.test.ts).
 */
const origin = process.env.TEST_SERVERS_ORIGIN ?? 'unknown';

describe('start-up refuses a database server that would lose writes', () => {
  if (origin !== 'local-stack') {
    it(`stock FerretDB refusal: not applicable, the servers come from ${origin} (it runs only where they are the local stack)`, () => {
      expect(origin).not.toBe('local-stack');
    });
    return;
  }

  let stock: Awaited<ReturnType<typeof ownFerretDB>> | undefined;
  let service: ReturnType<typeof spawnService> | undefined;
  afterAll(async () => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await stock?.destroy();
  });

  it('stock FerretDB 1.24.2: exit 78 with one line naming the missing patch and the fix', async () => {
    stock = await ownFerretDB(uniqueName('stock-ferretdb'), { stock: true });
    await stock.install(); // on first use a Go build of a few minutes, cached beside the patched binary
    await stock.start();
    service = spawnService({ ...serviceEnv(await testAuthEnv()), MONGODB_URI: stock.uri });
    const outcome = await Promise.race([service.exited.then((exit) => ({ exit })), service.started.then((port) => ({ port }))]);
    if ('port' in outcome) throw new Error(`the service started on stock FerretDB (port ${outcome.port}) instead of refusing it`);
    const { code } = outcome.exit;
    const message = service.stderr.join('');
    expect(message.trim().split('\n')).toHaveLength(1);
    expect(message).toContain(`MONGODB_URI points at FerretDB v1.24.2 without the resident-access patch`);
    expect(message).toContain('npm run stack -- down');
    expect(message).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    expect(code).toBe(78);
  }, 600_000);
});
