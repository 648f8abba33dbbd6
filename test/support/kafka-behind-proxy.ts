import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './stack-instance';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

const run = promisify(execFile);
const cli = join(__dirname, '..', '..', 'scripts', 'stack', 'instance-cli.mjs');

/**
 * A Kafka broker of the test's own behind a TCP proxy of the test's own. The broker listens on its
 * own port but advertises the proxy's, so every client (whatever address it bootstraps from) talks
 * to the broker through the proxy, and the test can delay, cut or refuse that traffic.
 */
export async function ownKafkaBehindProxy(name: string) {
  const [port, controllerPort] = [await freePort(), await freePort()];
  // The proxy first: the broker is configured with its port, and its start-up warm-up already goes through it.
  const proxy: TcpProxy = await startTcpProxy(port);
  const act = async (action: 'start' | 'stop' | 'kill' | 'destroy') => {
    await run(process.execPath, [cli, 'kafka', name, action, String(port), String(controllerPort), String(proxy.port)], { timeout: 120_000 });
  };
  return {
    /** What clients use: the proxy. */
    brokers: proxy.address,
    /** The broker's own listener, bypassing the proxy for the bootstrap only. */
    directBrokers: `127.0.0.1:${port}`,
    proxy,
    start: () => act('start'),
    stop: () => act('stop'),
    kill: () => act('kill'),
    /** Kills the broker, removes its data and stops the proxy. */
    destroy: async () => {
      try {
        await act('destroy');
      } finally {
        await proxy.stop();
      }
    },
  };
}
