import type { Logger } from 'pino';
import type { ExpireGrants } from '../commands/expire-grants/expire-grants';
import type { Clock } from '../domain/ports/clock';
import { addDays, startOfStockholmDay, stockholmDate } from '../domain/time/stockholm';
import { InterruptibleSleep } from '../shared/interruptible-sleep';

export interface ExpirySettings {
  /** Longest sleep between scans; also how soon overdue grants are found after downtime. */
  pollIntervalMs: number;
  batchSize: number;
}

export interface ExpiryObserver {
  grantsExpired(count: number, lagsSeconds: number[]): void;
}

/**
 * Ends dated grants on time. Grants end only at Stockholm midnights, so the worker sleeps until
 * the next one (or the poll interval, whichever is first), then ends everything due in batches
 * (one read each), each resident its own change and event. A scan after a restart catches up on all that is overdue.
 */
export class ExpiryWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly sleeper = new InterruptibleSleep();

  constructor(
    private readonly expire: ExpireGrants,
    private readonly clock: Clock,
    private readonly settings: ExpirySettings,
    private readonly observer: ExpiryObserver,
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
        const ended = await this.expireDue();
        if (ended === this.settings.batchSize) continue; // more may be due: no sleep
      } catch (error) {
        this.logger.warn({ err: error }, 'expiring grants failed; will retry');
      }
      await this.sleeper.sleep(this.untilNextWake());
    }
  }

  /** Ends one batch of due accesses; returns how many were due. */
  private async expireDue(): Promise<number> {
    const now = this.clock.now();
    const { due, ended } = await this.expire(now, this.settings.batchSize);
    if (ended.length > 0) {
      this.observer.grantsExpired(
        ended.length,
        ended.map((g) => (now.getTime() - g.endsAt!.getTime()) / 1000),
      );
      this.logger.info({ grants: ended.length, accesses: due }, 'grants expired');
    }
    return due;
  }

  private untilNextWake(): number {
    const now = this.clock.now();
    const nextMidnight = startOfStockholmDay(addDays(stockholmDate(now), 1)).getTime();
    return Math.max(0, Math.min(this.settings.pollIntervalMs, nextMidnight - now.getTime()));
  }
}
