import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { probeHealth } from './health-probe';

describe("the health probe of `helm test`'s pod", () => {
  const server = new Server();
  const health = new HealthImplementation({ '': 'SERVING', liveness: 'NOT_SERVING' });
  let address = '';
  beforeAll(async () => {
    health.addToServer(server);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());

  it("reads an entry's status from grpc.health.v1", async () => {
    await expect(probeHealth(address, '', 2000)).resolves.toEqual({ answered: true, status: 'SERVING' });
    await expect(probeHealth(address, 'liveness', 2000)).resolves.toEqual({ answered: true, status: 'NOT_SERVING' });
  });

  it('says why when an entry is unknown or nothing answers', async () => {
    await expect(probeHealth(address, 'no-such-entry', 2000)).resolves.toEqual({ answered: false, reason: expect.stringMatching(/^5 /) as unknown });
    await expect(probeHealth('127.0.0.1:1', '', 2000)).resolves.toEqual({ answered: false, reason: expect.stringMatching(/^14 /) as unknown });
  });
});
