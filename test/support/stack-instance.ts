import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/**
 * A Kafka cluster of the test's own (scripts/stack/kafka.mjs createKafkaCluster): `nodes` JVMs,
 * each broker and controller, every topic replicated to all of them with a majority in sync.
 * `kill(node)` SIGKILLs one node (numbered from 1), keeping its data; `pause(node)` freezes one.
 */
export async function ownKafkaCluster(name: string, nodes = 3) {
  const ports: number[] = [];
  while (ports.length < 2 * nodes) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [clientPorts, controllerPorts] = [ports.slice(0, nodes), ports.slice(nodes)];
  const act = async (action: 'start' | 'stop' | 'kill' | 'destroy', node?: number) => {
    await run(process.execPath, [cli, 'kafka-cluster', name, action, clientPorts.join(','), controllerPorts.join(','), ...(node ? [String(node)] : [])], { timeout: 180_000 });
  };
  // The JVM of one node (scripts/stack/paths.mjs instanceDirs: its pid file).
  const pidOf = (node: number) => Number(readFileSync(join(__dirname, '..', '..', '.local', 'instances', `${name}-${node}`, 'server.pid'), 'utf8').trim());
  return {
    brokers: clientPorts.map((p) => `127.0.0.1:${p}`).join(','),
    start: (node?: number) => act('start', node),
    kill: (node?: number) => act('kill', node),
    /** SIGSTOP: the node stops answering (and fetching) without its connections closing; `resume` sends SIGCONT. */
    pause: (node: number) => process.kill(pidOf(node), 'SIGSTOP'),
    resume: (node: number) => process.kill(pidOf(node), 'SIGCONT'),
    /** Kills every node and removes their data. */
    destroy: () => act('destroy'),
  };
}
