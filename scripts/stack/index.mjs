// Programmatic API of the local stack (FerretDB + Kafka), for the CLI, test setup and fault tests.
// ESM: load with `await import('<repo>/scripts/stack/index.mjs')`.
import fs from 'node:fs';
import path from 'node:path';
import { createFerretInstance } from './ferretdb.mjs';
import { installFerretDB } from './install-ferretdb.mjs';
import { installKafka } from './install-kafka.mjs';
import { createKafkaInstance } from './kafka.mjs';
import { toLogger } from './log.mjs';
import { checkName, instanceDirs, layout } from './paths.mjs';
import { ownedPid, readPid, removePidFile, terminate } from './process.mjs';

export { createFerretInstance } from './ferretdb.mjs';
export { createKafkaInstance } from './kafka.mjs';
export { freePort, freePorts, isPortFree } from './ports.mjs';
export { FERRETDB_VERSION, installFerretDB } from './install-ferretdb.mjs';
export { KAFKA_VERSION, installKafka } from './install-kafka.mjs';

function envPort(env, key, fallback) {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${key} must be a port number, got ${raw}`);
  return port;
}

// The default stack. Ports: options, else STACK_MONGO_PORT / STACK_KAFKA_PORT /
// STACK_KAFKA_CONTROLLER_PORT, else 27017 / 9092 / 9093.
function mainStack(opts = {}) {
  const env = opts.env ?? process.env;
  const common = { main: true, root: opts.root, log: opts.log, startTimeoutMs: opts.startTimeoutMs };
  return {
    ferretdb: createFerretInstance({
      ...common,
      name: 'ferretdb',
      port: opts.mongoPort ?? envPort(env, 'STACK_MONGO_PORT', 27017),
    }),
    kafka: createKafkaInstance({
      ...common,
      name: 'kafka',
      port: opts.kafkaPort ?? envPort(env, 'STACK_KAFKA_PORT', 9092),
      controllerPort: opts.kafkaControllerPort ?? envPort(env, 'STACK_KAFKA_CONTROLLER_PORT', 9093),
    }),
  };
}

const splitBrokers = (s) => s.split(',').map((b) => b.trim()).filter(Boolean);

/** Installs both servers (no-op when already installed). */
export async function install({ root, log } = {}) {
  await Promise.all([installFerretDB({ root, log }), installKafka({ root, log })]);
}

/**
 * Starts FerretDB and Kafka (idempotent) and waits until both answer.
 * A server whose env var (MONGODB_URI / KAFKA_BROKERS) is set is not started; that value is used.
 * @returns {Promise<{mongoUri: string, kafkaBrokers: string, kafkaBrokerList: string[], started: string[]}>}
 */
export async function up(opts = {}) {
  const env = opts.env ?? process.env;
  const say = toLogger(opts.log);
  const stack = mainStack(opts);
  const external = { ferretdb: env.MONGODB_URI || null, kafka: env.KAFKA_BROKERS || null };
  if (external.ferretdb && external.kafka) say('MONGODB_URI and KAFKA_BROKERS are set: using them, starting nothing');
  else if (external.ferretdb) say('MONGODB_URI is set: using it, not starting ferretdb');
  else if (external.kafka) say('KAFKA_BROKERS is set: using it, not starting kafka');

  const names = Object.keys(stack).filter((n) => !external[n]);
  const results = await Promise.allSettled(names.map((n) => stack[n].start()));
  const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason?.message ?? String(r.reason));
  if (failed.length > 0) throw new Error(failed.join('\n\n'));

  const kafkaBrokers = external.kafka ?? stack.kafka.brokers;
  return {
    mongoUri: external.ferretdb ?? stack.ferretdb.uri,
    kafkaBrokers,
    kafkaBrokerList: splitBrokers(kafkaBrokers),
    started: names.filter((n, i) => results[i].value.started),
  };
}

/** Stops what `up` started (by pid file). With `{ instances: true }` also every named instance. */
export async function down(opts = {}) {
  const stack = mainStack(opts);
  const [ferretdb, kafka] = await Promise.all([stack.ferretdb.stop(), stack.kafka.stop()]);
  const result = { ferretdb, kafka };
  if (opts.instances) Object.assign(result, await stopAllInstances(opts));
  return result;
}

function instanceNames(root) {
  const dir = layout(root).instances;
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((name) => {
    try {
      return Boolean(checkName(name));
    } catch {
      return false;
    }
  });
}

// Stray instances (e.g. from an aborted fault test), found by their pid files.
async function stopAllInstances({ root } = {}) {
  const names = instanceNames(root);
  const out = {};
  await Promise.all(
    names.map(async (name) => {
      const d = instanceDirs(root, name);
      if (readPid(d.pidFile) === null) return;
      const pid = ownedPid(d.pidFile, d.home);
      out[`instance ${name}`] = pid === null ? 'not running' : await terminate(pid, { graceMs: 30_000 });
      removePidFile(d.pidFile);
      fs.rmSync(`${d.pidFile}.settings`, { force: true });
    }),
  );
  return out;
}

/** State of the default stack, plus any running named instance. */
export async function status(opts = {}) {
  const stack = mainStack(opts);
  const describe = async (s, address) => ({
    running: s.isRunning(),
    answering: await s.isAnswering(),
    pid: s.pid(),
    address,
    log: s.logFile,
  });
  const [ferretdb, kafka] = await Promise.all([
    describe(stack.ferretdb, stack.ferretdb.uri),
    describe(stack.kafka, stack.kafka.brokers),
  ]);
  const instances = {};
  for (const name of instanceNames(opts.root)) {
    const d = instanceDirs(opts.root, name);
    const pid = ownedPid(d.pidFile, d.home);
    if (pid !== null) instances[name] = { pid, home: path.relative(layout(opts.root).root, d.home) };
  }
  return { ferretdb, kafka, instances };
}
