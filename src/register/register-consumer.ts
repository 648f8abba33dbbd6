import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { parseRegisterMessage, type RegisterState } from './register-message';
import { BackgroundLoop, type BackoffOptions } from '../shared/retry';
import { REGISTER_TUNING } from './settings';

/** Where register states go; `MongoResidentRegister` is the one in production. */
export interface RegisterWriter {
  apply(state: RegisterState): Promise<'written' | 'ignored'>;
  /** `registeredAt` null: a tombstone, which removes whatever is stored. */
  remove(personalIdentityNumber: string, registeredAt: Date | null): Promise<'written' | 'ignored'>;
}

/** Where the consumer reports how far behind the topic it is (metrics). */
export interface RegisterConsumerObserver {
  /** After a batch of `partition`: how many messages remain up to its end. */
  behind(partition: number, messages: number): void;
  /** The group reassigned partitions: earlier figures may belong to another member now. */
  reassigned(): void;
}

export interface RegisterConsumerOptions {
  kafka: Kafka;
  topic: string;
  /** e.g. `resident-access.register`; every instance of the service shares it. */
  groupId: string;
  register: RegisterWriter;
  logger: Logger;
  observer?: RegisterConsumerObserver;
  now?: () => Date;
  /** Backoff between attempts to join while Kafka is unreachable or the topic is missing. */
  retry?: BackoffOptions;
}

export interface RegisterConsumerCounts {
  applied: number;
  removed: number;
  /** States and removals older than what is stored (replays, duplicates). */
  ignored: number;
  skipped: number;
}

/**
 * Feeds the resident register from the population-register topic, from its beginning, so a new
 * database fills itself. The service starts without Kafka: `start()` returns at once and joining
 * is retried in the background until `stop()`.
 */
export class RegisterConsumer {
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly tally: RegisterConsumerCounts = { applied: 0, removed: 0, ignored: 0, skipped: 0 };
  private consumer: Consumer | null = null;
  private running = false;
  /** Joins the group, retrying with back-off until it joined or stop(). */
  private readonly joining: BackgroundLoop;

  constructor(private readonly options: RegisterConsumerOptions) {
    this.log = options.logger.child({ component: 'register-consumer', topic: options.topic });
    this.now = options.now ?? (() => new Date());
    this.joining = new BackgroundLoop(() => this.joinOnce(), {
      backoff: options.retry ?? REGISTER_TUNING.registerJoinRetry,
      onError: (error, retryInMs) => {
        if (this.running) this.log.warn({ error: describe(error), retryInMs }, 'register consumer could not join; retrying');
      },
    });
  }

  get counts(): Readonly<RegisterConsumerCounts> {
    return { ...this.tally };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.joinInBackground();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.joining.stop();
    await this.discardConsumer();
  }

  private joinInBackground(): void {
    if (this.running) this.joining.start();
  }

  private async joinOnce(): Promise<'done'> {
    try {
      await this.join();
      return 'done';
    } catch (error) {
      await this.discardConsumer();
      throw error;
    }
  }

  private async join(): Promise<void> {
    const { kafka, groupId, topic } = this.options;
    // The register integration owns the topic: never create it by subscribing.
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts itself after retriable errors; after any other crash, join anew.
      if (payload.restart || !this.running) return;
      this.log.error({ error: describe(payload.error) }, 'register consumer crashed; joining again');
      void this.discardConsumer().then(() => this.joinInBackground());
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = Object.values(payload.memberAssignment).reduce((sum, p) => sum + p.length, 0);
      this.log.info({ groupId, partitions }, 'register consumer joined its group');
      this.options.observer?.reassigned();
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.options.observer?.behind(payload.partition, Math.max(0, Number(payload.offsetLag)));
    });
    await consumer.connect();
    this.throwIfStopped();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    this.throwIfStopped();
    await consumer.run({ eachMessage: (payload) => this.handle(payload) });
  }

  // One partition's messages arrive one at a time, which the register's read-compare-write relies on.
  private async handle({ message, partition }: EachMessagePayload): Promise<void> {
    const parsed = parseRegisterMessage(message.key, message.value, this.now());
    if (parsed.kind === 'skip') {
      this.tally.skipped += 1;
      // Reason, field and position only: the message itself holds a personal identity number.
      this.log.warn({ reason: parsed.reason, field: parsed.field, partition, offset: message.offset, skipped: this.tally.skipped }, 'register message skipped');
      return;
    }
    const { register } = this.options;
    if (parsed.kind === 'state') {
      const outcome = await register.apply(parsed.state);
      this.tally[outcome === 'written' ? 'applied' : 'ignored'] += 1;
    } else {
      const outcome = await register.remove(parsed.personalIdentityNumber, parsed.registeredAt);
      this.tally[outcome === 'written' ? 'removed' : 'ignored'] += 1;
    }
  }

  private throwIfStopped(): void {
    if (!this.running) throw new Error('register consumer stopped');
  }

  private async discardConsumer(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect().catch(() => undefined);
  }
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'unknown', message: String(error) };
}
