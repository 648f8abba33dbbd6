import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = join(__dirname, '..', '..', 'scripts', 'stack', 'instance-cli.mjs');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A Kafka broker of the test's own, on its own ports and data, that the test may stop and restart. */
export async function ownKafka(name: string) {
  const [port, controllerPort] = [await freePort(), await freePort()];
  const act = async (action: 'start' | 'stop' | 'kill' | 'destroy') => {
    await run(process.execPath, [cli, 'kafka', name, action, String(port), String(controllerPort)], { timeout: 120_000 });
  };
  return {
    brokers: `127.0.0.1:${port}`,
    start: () => act('start'),
    stop: () => act('stop'),
    kill: () => act('kill'),
    /** Kills it and removes its data. */
    destroy: () => act('destroy'),
  };
}
