import { requireSuitableServer } from '../../scripts/database-server-check';
import { provideServers } from './servers';

/** Starts (or finds) the real servers once per test run and hands their addresses to every worker. */
export default async function globalSetup(): Promise<void> {
  const servers = await provideServers();
  process.env.TEST_MONGODB_URI = servers.mongoUri;
  process.env.TEST_KAFKA_BROKERS = servers.kafkaBrokers;
  // A FerretDB without the stack's patch loses compare-and-set writes: every test would mislead.
  const server = await requireSuitableServer(servers.mongoUri);
  // Where they come from: tests that need the local stack's tooling (e.g. building FerretDB) say when it is absent.
  process.env.TEST_SERVERS_ORIGIN = servers.origin;
  process.stderr.write(`\nintegration servers: ${servers.origin} (${server} ${servers.mongoUri}, Kafka ${servers.kafkaBrokers})\n`);
  (globalThis as { __servers__?: typeof servers }).__servers__ = servers;
}
