import type { Logger } from 'pino';
import type { ExpireGrants } from '../commands/expire-grants/expire-grants';
import { forEachConcurrently } from '../commands/shared/for-each-concurrently';
import type { AccessQueries } from '../domain/ports/access-queries';
import type { Clock } from '../domain/ports/clock';
import { addDays, startOfStockholmDay, stockholmDate } from '../domain/time/stockholm';
import { InterruptibleSleep } from '../shared/interruptible-sleep';

export interface ExpirySettings {
  /** Longest sleep between scans; also how soon overdue grants are found after downtime. */
  pollIntervalMs: number;
  batchSize: number;
  concurrency: number;
}

export interface ExpiryObserver {
  grantsExpired(count: number, lagsSeconds: number[]): void;
}

/**
 * Ends dated grants on time. Grants end only at Stockholm midnights, so the worker sleeps until
 * the next one (or the poll interval, whichever is first), then ends everything due in batches,
 * each resident its own change and event. A scan after a restart catches up on all that is overdue.
 */
export class ExpiryWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly sleeper = new InterruptibleSleep();

  constructor(
    private readonly queries: AccessQueries,
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
    const due = await this.queries.dueForExpiry(now, this.settings.batchSize);
    if (due.length === 0) return 0;
    let count = 0;
    const lags: number[] = [];
    await forEachConcurrently(toAsync(due), this.settings.concurrency, async ({ clinicId, resident }) => {
      const { ended } = await this.expire(clinicId, resident, now);
      count += ended.length;
      for (const g of ended) lags.push((now.getTime() - g.endsAt!.getTime()) / 1000);
    });
    if (count > 0) {
      this.observer.grantsExpired(count, lags);
      this.logger.info({ grants: count, accesses: due.length }, 'grants expired');
    }
    return due.length;
  }

  private untilNextWake(): number {
    const now = this.clock.now();
    const nextMidnight = startOfStockholmDay(addDays(stockholmDate(now), 1)).getTime();
    return Math.max(0, Math.min(this.settings.pollIntervalMs, nextMidnight - now.getTime()));
  }

}

async function* toAsync<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}
