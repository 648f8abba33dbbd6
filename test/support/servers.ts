import { dockerEngineReachable } from './docker-engine';

export interface Servers {
  mongoUri: string;
  kafkaBrokers: string;
  /** How they were provided, for the test log. */
  origin: 'environment' | 'testcontainers' | 'local-stack';
  stop(): Promise<void>;
}

/**
 * The real servers the integration tests use, in order of preference: the ones named by
 * MONGODB_URI and KAFKA_BROKERS; containers where a Docker engine answers; otherwise the project's
 * own local stack (FerretDB + Kafka), started if it is not running. No path skips: if none works,
 * the setup throws and every integration test fails.
 */
export async function provideServers(): Promise<Servers> {
  const { MONGODB_URI, KAFKA_BROKERS } = process.env;
  if (MONGODB_URI && KAFKA_BROKERS) {
    return { mongoUri: MONGODB_URI, kafkaBrokers: KAFKA_BROKERS, origin: 'environment', stop: async () => undefined };
  }
  if (await dockerEngineReachable()) return startContainers();
  return startLocalStack();
}

async function startContainers(): Promise<Servers> {
  const { MongoDBContainer } = await import('@testcontainers/mongodb');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  // MongoDBContainer runs a single-node replica set, as production does.
  const [mongo, kafka] = await Promise.all([new MongoDBContainer('mongo:7.0').start(), new KafkaContainer('confluentinc/cp-kafka:7.6.1').withKraft().start()]);
  return {
    mongoUri: `${mongo.getConnectionString()}?directConnection=true`,
    kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    origin: 'testcontainers',
    stop: async () => {
      await Promise.all([mongo.stop(), kafka.stop()]);
    },
  };
}

async function startLocalStack(): Promise<Servers> {
  const stack = await importStack();
  const before = await stack.status();
  const { mongoUri, kafkaBrokers } = await stack.up();
  const startedHere = !(before.ferretdb.running && before.kafka.running);
  return {
    mongoUri,
    kafkaBrokers,
    origin: 'local-stack',
    // Leave a stack the developer started running; stop one this run started.
    stop: async () => {
      if (startedHere) await stack.down();
    },
  };
}

/** The stack scripts are ES modules; a real dynamic import (not ts-jest's require) loads them. */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

export function importStack(): Promise<any> {
  return nativeImport(require.resolve('../../scripts/stack/index.mjs'));
}
