import { provideServers } from './servers';

/** Starts (or finds) the real servers once per test run and hands their addresses to every worker. */
export default async function globalSetup(): Promise<void> {
  const servers = await provideServers();
  process.env.TEST_MONGODB_URI = servers.mongoUri;
  process.env.TEST_KAFKA_BROKERS = servers.kafkaBrokers;
  process.stderr.write(`\nintegration servers: ${servers.origin} (MongoDB ${servers.mongoUri}, Kafka ${servers.kafkaBrokers})\n`);
  (globalThis as { __servers__?: typeof servers }).__servers__ = servers;
}
