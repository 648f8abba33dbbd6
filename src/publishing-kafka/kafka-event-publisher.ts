import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer, type RetryOptions } from 'kafkajs';
import type { EventPublisher } from '../relay/ports';
import type { TraceContextFields } from '../domain/ports/trace-context';
import { endPublishSpan, sendUntraced, startPublishSpan, withTraceHeaders } from './publish-spans';
import { ensureTopic, type TopicSettings } from './topic';

/**
 * Sends events with acks from all in-sync replicas. Connects lazily and starts over after a
 * failure, so the service runs (and keeps accepting commands) while Kafka is down.
 */
export class KafkaEventPublisher<E extends TraceContextFields & { eventId: string }> implements EventPublisher<E> {
  private producer: Producer | null = null;
  private topicReady = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: TopicSettings,
    /** The Kafka messages of one event (CloudEvents binary mode), sent together in this order. */
    private readonly toMessages: (event: E) => Message[],
    /** kafkajs's retries inside one send; the relay retries beyond them. */
    private readonly sendRetry: RetryOptions,
  ) {}

  async publish(events: E[]): Promise<void> {
    if (events.length === 0) return;
    const span = startPublishSpan(this.topic.name, events);
    try {
      const producer = await this.connected();
      await sendUntraced(() =>
        producer.send({
          topic: this.topic.name,
          acks: -1,
          compression: CompressionTypes.None,
          messages: events.flatMap((event) => withTraceHeaders(this.toMessages(event), event, span)),
        }),
      );
      endPublishSpan(span);
    } catch (error) {
      endPublishSpan(span, error);
      await this.reset();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.reset();
  }

  private async connected(): Promise<Producer> {
    if (!this.topicReady) {
      await ensureTopic(this.kafka, this.topic);
      this.topicReady = true;
    }
    if (!this.producer) {
      const producer = this.kafka.producer({
        allowAutoTopicCreation: false,
        // Murmur2, as the Java client: other producers of the same keys land on the same partitions.
        createPartitioner: Partitioners.DefaultPartitioner,
        // At most one request in flight keeps per-partition order even when a send is retried.
        maxInFlightRequests: 1,
        retry: this.sendRetry,
      });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect().catch(() => undefined);
  }
}
