// Programmatic API of the local stack (FerretDB + Kafka, and PostgreSQL under FerretDB when
// STACK_FERRETDB_BACKEND=postgresql), for the CLI, test setup and fault tests.
// ESM: load with `await import('<repo>/scripts/stack/index.mjs')`.
import fs from 'node:fs';
import path from 'node:path';
import { createFerretInstance, DEFAULT_POSTGRES_PORT, ferretdbBackend } from './ferretdb.mjs';
import { installFerretDB } from './install-ferretdb.mjs';
import { installKafka } from './install-kafka.mjs';
import { installPostgres } from './install-postgresql.mjs';
import { createKafkaInstance } from './kafka.mjs';
import { toLogger } from './log.mjs';
import { checkName, instanceDirs, instancePostgresDirs, layout } from './paths.mjs';
import { ownedPid, readPid, removePidFile, terminate } from './process.mjs';

export { createFerretInstance, ferretdbBackend } from './ferretdb.mjs';
export { createKafkaCluster, createKafkaInstance } from './kafka.mjs';
export { freePort, freePorts, isPortFree } from './ports.mjs';
export { FERRETDB_VERSION, installFerretDB, installStockFerretDB } from './install-ferretdb.mjs';
export { KAFKA_VERSION, installKafka } from './install-kafka.mjs';

function envPort(env, key, fallback) {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${key} must be a port number, got ${raw}`);
  return port;
}

// The default stack. Ports: options, else STACK_MONGO_PORT / STACK_KAFKA_PORT /
// STACK_KAFKA_CONTROLLER_PORT / STACK_POSTGRES_PORT, else 27017 / 9092 / 9093 / 5433.
// FerretDB's backend: opts.ferretdbBackend, else STACK_FERRETDB_BACKEND, else sqlite.
function mainStack(opts = {}) {
  const env = opts.env ?? process.env;
  const common = { main: true, root: opts.root, log: opts.log, startTimeoutMs: opts.startTimeoutMs };
  return {
    ferretdb: createFerretInstance({
      ...common,
      name: 'ferretdb',
      port: opts.mongoPort ?? envPort(env, 'STACK_MONGO_PORT', 27017),
      backend: opts.ferretdbBackend ?? ferretdbBackend(env),
      postgresPort: opts.postgresPort ?? envPort(env, 'STACK_POSTGRES_PORT', DEFAULT_POSTGRES_PORT),
    }),
    kafka: createKafkaInstance({
      ...common,
      name: 'kafka',
      port: opts.kafkaPort ?? envPort(env, 'STACK_KAFKA_PORT', 9092),
      controllerPort: opts.kafkaControllerPort ?? envPort(env, 'STACK_KAFKA_CONTROLLER_PORT', 9093),
    }),
  };
}

const splitBrokers = (s) =>
  s
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);

/** Installs both servers, and PostgreSQL for the postgresql backend (no-op when already installed). */
export async function install({ root, log, env = process.env } = {}) {
  const postgres = ferretdbBackend(env) === 'postgresql' ? [installPostgres({ root, log, env })] : [];
  await Promise.all([installFerretDB({ root, log }), installKafka({ root, log }), ...postgres]);
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
  // PostgreSQL after the FerretDB that uses it, whichever backend is chosen now.
  const stopFerretAndPostgres = async () => [await stack.ferretdb.stop(), await stack.ferretdb.postgres().stop()];
  const [[ferretdb, postgresql], kafka] = await Promise.all([stopFerretAndPostgres(), stack.kafka.stop()]);
  const result = { ferretdb, postgresql, kafka };
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
      if (readPid(d.pidFile) !== null) {
        const pid = ownedPid(d.pidFile, d.home);
        out[`instance ${name}`] = pid === null ? 'not running' : await terminate(pid, { graceMs: 30_000 });
        removePidFile(d.pidFile);
        fs.rmSync(`${d.pidFile}.settings`, { force: true });
      }
      // A FerretDB instance's own PostgreSQL, after the FerretDB; SIGINT is its fast shutdown.
      const pg = instancePostgresDirs(root, name);
      if (readPid(pg.pidFile) !== null) {
        const pid = ownedPid(pg.pidFile, pg.dataDir);
        out[`instance ${name} postgresql`] = pid === null ? 'not running' : await terminate(pid, { graceMs: 30_000, stopSignal: 'SIGINT', group: false });
        removePidFile(pg.pidFile);
        fs.rmSync(`${pg.pidFile}.settings`, { force: true });
      }
    }),
  );
  return out;
}

function ferretdbBackendNote(ferretdb) {
  const running = ferretdb.runningBackend();
  if (running === null || running === ferretdb.backend) return `${ferretdb.backend} backend`;
  return `${running} backend; STACK_FERRETDB_BACKEND=${ferretdb.backend}: up restarts it`;
}

/**
 * State of the default stack, plus any running named instance. `postgresql` is there when the
 * postgresql backend is chosen or its server runs.
 */
export async function status(opts = {}) {
  const stack = mainStack(opts);
  const postgres = stack.ferretdb.postgres();
  const describe = async (s, address) => ({
    running: s.isRunning(),
    answering: await s.isAnswering(),
    pid: s.pid(),
    address,
    log: s.logFile,
  });
  const [ferretdb, kafka, postgresql] = await Promise.all([
    describe(stack.ferretdb, `${stack.ferretdb.uri} (${ferretdbBackendNote(stack.ferretdb)})`),
    describe(stack.kafka, stack.kafka.brokers),
    describe(postgres, postgres.url),
  ]);
  const instances = {};
  for (const name of instanceNames(opts.root)) {
    const d = instanceDirs(opts.root, name);
    const pid = ownedPid(d.pidFile, d.home);
    if (pid !== null) instances[name] = { pid, home: path.relative(layout(opts.root).root, d.home) };
    const pg = instancePostgresDirs(opts.root, name);
    const pgPid = ownedPid(pg.pidFile, pg.dataDir);
    if (pgPid !== null) instances[`${name} postgresql`] = { pid: pgPid, home: path.relative(layout(opts.root).root, pg.home) };
  }
  const result = { ferretdb, kafka, instances, backend: stack.ferretdb.backend };
  if (stack.ferretdb.backend === 'postgresql' || postgresql.running) result.postgresql = postgresql;
  return result;
}
