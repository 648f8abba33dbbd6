import { MongoClient } from 'mongodb';
import { provideServers } from './servers';

/** Starts (or finds) the real servers once per test run and hands their addresses to every worker. */
export default async function globalSetup(): Promise<void> {
  const servers = await provideServers();
  process.env.TEST_MONGODB_URI = servers.mongoUri;
  process.env.TEST_KAFKA_BROKERS = servers.kafkaBrokers;
  const ferretDb = await isFerretDb(servers.mongoUri);
  // Where they come from: tests that need the local stack's tooling (e.g. building FerretDB) say when it is absent.
  process.env.TEST_SERVERS_ORIGIN = servers.origin;
  process.stderr.write(`\nintegration servers: ${servers.origin} (${ferretDb ? 'FerretDB' : 'MongoDB'} ${servers.mongoUri}, Kafka ${servers.kafkaBrokers})\n`);
  (globalThis as { __servers__?: typeof servers }).__servers__ = servers;
}

async function isFerretDb(uri: string): Promise<boolean> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    return typeof (await client.db('admin').command({ buildInfo: 1 })).ferretdbVersion === 'string';
  } finally {
    await client.close();
  }
}
