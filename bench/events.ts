import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { uniqueName } from '../test/support/test-env';

/** The part of an access event (the CloudEvent's JSON data) the bench looks at. */
export interface AccessEventValue {
  eventId?: string;
  cause?: string;
  requestId?: string;
  access?: { clinicId?: string; personalIdentityNumber?: string };
}

export interface EventConsumer {
  /** Messages received so far. */
  count(): number;
  stop(): Promise<void>;
}

/**
 * The bench's own consumer of an access topic, from its beginning: `onEvent` sees every event's
 * value with the time it arrived here and the message's Kafka timestamp (CreateTime, the broker's
 * default: set by the service's producer when it sends; the service sets none itself). Creates
 * the topic (3 partitions, as the service would) so the consumer can subscribe before the
 * service's first publish.
 */
export async function startEventConsumer(brokers: string, topic: string, onEvent: (value: AccessEventValue, arrivedAtMs: number, kafkaTimestampMs: number) => void): Promise<EventConsumer> {
  const kafka = new Kafka({ clientId: 'bench-consumer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true }).catch(() => false);
  await admin.disconnect();
  let received = 0;
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('bench-group'), sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const at = Date.now();
      // Tombstones (null value) follow a resident's final event at a clinic; they are not events.
      if (message.value === null) return;
      received++;
      try {
        const value = JSON.parse(message.value?.toString() ?? 'null') as AccessEventValue | null;
        if (value) onEvent(value, at, Number(message.timestamp));
      } catch {
        // not an access event
      }
    },
  });
  return { count: () => received, stop: () => consumer.disconnect() };
}

/** Deletes the bench's topics at the end of a run. */
export async function deleteTopics(brokers: string, topics: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ours = topics.filter((t) => existing.has(t));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
