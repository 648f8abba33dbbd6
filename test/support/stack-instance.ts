import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = join(__dirname, '..', '..', 'scripts', 'stack', 'instance-cli.mjs');

/**
 * A port free now, below the kernel's ephemeral range (32768 and up by default): a port from that
 * range can be taken meanwhile as the source port of any outgoing connection (the tests open
 * hundreds), and a server restarted on it later would then fail to bind.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port found below the ephemeral range');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** An extra listener with TLS and SCRAM-SHA-512 logins (scripts/stack/kafka.mjs). */
export interface SaslSslListener {
  port: number;
  keystoreFile: string;
  keystorePassword: string;
  users: { name: string; password: string }[];
}

/** A Kafka broker of the test's own, on its own ports and data, that the test may stop and restart. */
export async function ownKafka(name: string, options: { saslSsl?: SaslSslListener } = {}) {
  const [port, controllerPort] = [await freePort(), await freePort()];
  const env = options.saslSsl ? { ...process.env, STACK_KAFKA_SASL_SSL: JSON.stringify(options.saslSsl) } : process.env;
  const act = async (action: 'start' | 'stop' | 'kill' | 'destroy') => {
    await run(process.execPath, [cli, 'kafka', name, action, String(port), String(controllerPort)], { timeout: 120_000, env });
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
