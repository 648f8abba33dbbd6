import type { Logger } from 'pino';
import type { Clock } from '../domain/ports/clock';
import type { ExpiredRecords } from '../domain/ports/expired-records';
import { InterruptibleSleep } from '../shared/interruptible-sleep';

/**
 * Enforces retention: every `intervalMs` (and at start) deletes the records past their end. Every
 * instance runs it; deleting what is already gone is harmless.
 */
export class RetentionPurge {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly sleeper = new InterruptibleSleep();

  constructor(
    private readonly records: ExpiredRecords,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.interrupt();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const counts = await this.records.purge(this.clock.now());
        for (const { collection, deleted } of counts) this.logger.info({ collection, deleted }, 'expired records purged');
      } catch (error) {
        this.logger.warn({ err: error }, 'purging expired records failed; will retry');
      }
      if (this.running) await this.sleeper.sleep(this.intervalMs);
    }
  }
}
