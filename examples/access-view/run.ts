/**
 * Runs the example consumer against a Kafka cluster and prints a resident's view each time it
 * changes:  npx tsx examples/access-view/run.ts <12-digit number> [brokers] [topic]
 * Reads the topic from the beginning with its own consumer group, so it rebuilds the whole view.
 * It prints a personal identity number it was given: a local-development tool only.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { AccessView, type AccessEvent } from './access-view';

async function main(): Promise<void> {
  const [resident, brokers = '127.0.0.1:9092', topic = 'resident-access.access-changed.v1'] = process.argv.slice(2);
  if (!resident || !/^\d{12}$/.test(resident)) {
    process.stderr.write('usage: npx tsx examples/access-view/run.ts <12-digit number> [brokers] [topic]\n');
    process.exit(64);
  }
  const view = new AccessView();
  const kafka = new Kafka({ clientId: 'access-view-example', brokers: brokers.split(','), logLevel: logLevel.WARN });
  const consumer = kafka.consumer({ groupId: `access-view-example-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      // A tombstone: nothing is left for the key, which the event right before it already said.
      if (message.value === null) return;
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      const event: AccessEvent = { key: String(message.key), headers, value: JSON.parse(String(message.value)) };
      const result = view.apply(event);
      if (result === 'applied' && event.value.access.personalIdentityNumber === resident) {
        process.stdout.write(`${headers.ce_time} ${event.value.cause}: ${JSON.stringify(view.of(resident))}\n`);
      }
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void consumer.disconnect().then(() => process.exit(0)));
}

void main();
