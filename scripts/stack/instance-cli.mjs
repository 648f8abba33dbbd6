#!/usr/bin/env node
// Controls one named server instance of the tests' own (a fault test stops and restarts it
// without touching the shared stack). Prints one JSON line with its address on stdout.
//   node scripts/stack/instance-cli.mjs kafka|ferretdb <name> start|stop|kill|destroy|install <port> [controllerPort] [advertisedPort]
//   node scripts/stack/instance-cli.mjs kafka-cluster <name> start|stop|kill|destroy <port,port,...> <controllerPort,...> [node id]
// install: builds or downloads its programs only (start does so too, on first use).
// kafka-cluster: one node per port (createKafkaCluster); with a node id (from 1) the action is that node's alone.
// advertisedPort (kafka only): the port the broker advertises to clients instead of <port>, such as
// a fault test's TCP proxy that forwards to <port>.
// STACK_KAFKA_SASL_SSL (kafka only, JSON, see createKafkaInstance's saslSsl): an extra SASL_SSL listener.
// STACK_FERRETDB_TLS (ferretdb only, JSON, see createFerretInstance's tls): an extra TLS listener.
// STACK_FERRETDB_STOCK=true (ferretdb only): the unpatched FerretDB release, for tests that show what
// the local patch changes (see createFerretInstance's stock).
import { createFerretInstance, createKafkaCluster, createKafkaInstance } from './index.mjs';

const [kind, name, action, port, controllerPort, advertisedPort] = process.argv.slice(2);
const portList = (list) =>
  String(list ?? '')
    .split(',')
    .filter(Boolean)
    .map(Number);
const factories = {
  'kafka-cluster': () => {
    const cluster = createKafkaCluster({ name, ports: portList(port), controllerPorts: portList(controllerPort) });
    return advertisedPort ? cluster.node(advertisedPort) : cluster;
  },
  kafka: () =>
    createKafkaInstance({
      name,
      port: Number(port),
      controllerPort: Number(controllerPort),
      ...(advertisedPort ? { advertisedPort: Number(advertisedPort) } : {}),
      ...(process.env.STACK_KAFKA_SASL_SSL ? { saslSsl: JSON.parse(process.env.STACK_KAFKA_SASL_SSL) } : {}),
    }),
  ferretdb: () =>
    createFerretInstance({
      name,
      port: Number(port),
      ...(process.env.STACK_FERRETDB_TLS ? { tls: JSON.parse(process.env.STACK_FERRETDB_TLS) } : {}),
      stock: process.env.STACK_FERRETDB_STOCK === 'true',
    }),
};
if (!factories[kind] || !name || !['start', 'stop', 'kill', 'destroy', 'install'].includes(action) || !port) {
  process.stderr.write(
    'usage: instance-cli.mjs kafka|ferretdb <name> start|stop|kill|destroy|install <port> [controllerPort] [advertisedPort]\n' +
      '       instance-cli.mjs kafka-cluster <name> start|stop|kill|destroy <port,...> <controllerPort,...> [node id]\n',
  );
  process.exit(2);
}
const instance = factories[kind]();
try {
  await instance[action]();
  process.stdout.write(`${JSON.stringify({ brokers: instance.brokers, advertisedBrokers: instance.advertisedBrokers, uri: instance.uri })}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
