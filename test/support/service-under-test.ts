import { MongoClient, type Collection } from 'mongodb';
import { loadConfig } from '../../src/config/config';
import type { Clock } from '../../src/domain/ports/clock';
import { startService, type RunningService } from '../../src/main';
import type { AccessDocument } from '../../src/storage-mongo/access-document';
import { apiOf, connectClient, type Api, type Client } from './grpc-client';
import { EventConsumer } from './event-consumer';
import { LogCapture } from './log-capture';
import { serviceEnv } from './test-env';

export interface ServiceUnderTest {
  service: RunningService;
  client: Client;
  api: Api;
  logs: LogCapture;
  events: EventConsumer;
  access: Collection<AccessDocument>;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The real service in-process on port 0, a real gRPC client, its own topic and consumer, and the database. */
export async function startServiceUnderTest(options: { env?: Record<string, string>; clock?: Clock } = {}): Promise<ServiceUnderTest> {
  const env = serviceEnv(options.env);
  const logs = new LogCapture();
  const events = await new EventConsumer(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!).start();
  const service = await startService(loadConfig(env), { logDestination: logs, clock: options.clock });
  const client = connectClient(service.port);
  const mongo = await new MongoClient(env.MONGODB_URI!).connect();
  return {
    service,
    client,
    api: apiOf(client),
    logs,
    events,
    access: mongo.db(env.MONGODB_DATABASE).collection<AccessDocument>('access'),
    env,
    async stop() {
      client.close();
      await service.stop();
      await events.stop();
      await mongo.db(env.MONGODB_DATABASE).dropDatabase();
      await mongo.close();
    },
  };
}
