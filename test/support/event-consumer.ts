import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import { uniqueName } from './test-env';
import { eventuallyFound } from './eventually';

export interface ConsumedEvent {
  key: string;
  headers: Record<string, string>;
  value: Record<string, unknown>;
  /** The value exactly as received (UTF-8), for checks that must see the bytes, not our parse of them. */
  body: string;
  partition: number;
  offset: string;
}

/** A record with a null value: nothing is left for its key (the event before it has the final state). */
export interface ConsumedTombstone {
  key: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * The test's own Kafka consumer: reads a topic from the beginning and keeps every event, and the
 * tombstones apart from them (tests that look at events need not skip them).
 */
export class EventConsumer {
  readonly events: ConsumedEvent[] = [];
  readonly tombstones: ConsumedTombstone[] = [];
  private consumer: Consumer | null = null;

  constructor(
    private readonly brokers: string,
    private readonly topic: string,
  ) {}

  async start(): Promise<this> {
    const kafka = new Kafka({ clientId: 'test-consumer', brokers: this.brokers.split(','), logLevel: logLevel.NOTHING });
    // The service creates the topic lazily; create it here so the consumer can subscribe first.
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: this.topic, numPartitions: 3 }], waitForLeaders: true }).catch(() => false);
    await admin.disconnect();
    this.consumer = kafka.consumer({ groupId: uniqueName('test-group'), sessionTimeout: 10000, heartbeatInterval: 1000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        const key = message.key?.toString() ?? '';
        const headers = stringHeaders(message.headers);
        if (message.value === null) {
          this.tombstones.push({ key, headers, partition, offset: message.offset });
          return;
        }
        const body = message.value.toString();
        this.events.push({
          key,
          headers,
          value: JSON.parse(body) as Record<string, unknown>,
          body,
          partition,
          offset: message.offset,
        });
      },
    });
    return this;
  }

  /** Waits until `count` events match, polling; fails with what was seen after `timeoutMs`. */
  async waitFor(predicate: (e: ConsumedEvent) => boolean, count = 1, timeoutMs = 30000): Promise<ConsumedEvent[]> {
    let matching: ConsumedEvent[] = [];
    const enough = () => {
      matching = this.events.filter(predicate);
      return matching.length >= count ? matching : undefined;
    };
    return eventuallyFound(enough, { what: `${count} matching events`, timeoutMs, intervalMs: 50 }).catch((error: Error) => {
      throw new Error(`${error.message}, saw ${matching.length} of ${this.events.length}`);
    });
  }

  /** Waits until a tombstone on `key` has been read, polling; fails after `timeoutMs`. */
  async waitForTombstone(key: string, timeoutMs = 30000): Promise<ConsumedTombstone> {
    return eventuallyFound(() => this.tombstones.find((t) => t.key === key), { what: 'a tombstone on a key', timeoutMs, intervalMs: 50 }).catch((error: Error) => {
      throw new Error(`${error.message}, saw ${this.tombstones.length} tombstones`);
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) result[k] = Array.isArray(v) ? String(v[0]) : String(v);
  return result;
}
