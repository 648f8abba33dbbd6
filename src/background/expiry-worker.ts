import type { Logger } from 'pino';
import type { ExpireGrants } from '../commands/access/expire-grants';
import type { Clock } from '../domain/ports/clock';
import { addDays, startOfStockholmDay, stockholmDate } from '../domain/time/stockholm';
import { BackgroundLoop, type BackoffOptions } from '../shared/retry';

export interface ExpirySettings {
  /** Longest sleep between scans; also how soon overdue grants are found after downtime. */
  pollIntervalMs: number;
  batchSize: number;
}

/**
 * Another time-based transition run on the same scan, after the expiry (so a grant that ended is
 * gone first). Answers whether more is due at once (a full batch, or work left).
 */
export interface TimedStep {
  run(now: Date, batchSize: number): Promise<{ more: boolean }>;
}

export interface ExpiryObserver {
  grantsExpired(count: number, lagsSeconds: number[]): void;
  grantsStarted(count: number): void;
}

/**
 * The one scheduler of time-based changes: ends dated grants and starts pending ones on time.
 * Grants end and start only at Stockholm midnights, so the worker sleeps until the next one (or the
 * poll interval, whichever is first), then changes everything due in batches (one read each), each
 * resident its own change and event. A scan after a restart catches up on all that is overdue.
 * Other transitions due at Stockholm midnights (grant reminders) run as steps of the same scan.
 */
export class ExpiryWorker {
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly expire: ExpireGrants,
    private readonly clock: Clock,
    private readonly settings: ExpirySettings,
    private readonly observer: ExpiryObserver,
    private readonly logger: Logger,
    /** After a failed scan; at most the poll interval, as a scan comes that often anyway. */
    backoff: BackoffOptions,
    /** Further transitions due at Stockholm midnights, run in turn after the expiry on each scan. */
    private readonly steps: readonly TimedStep[] = [],
  ) {
    this.loop = new BackgroundLoop(() => this.turn(), {
      backoff,
      onError: (error, retryInMs) => this.logger.warn({ err: error, retryInMs }, 'expiring grants failed; will retry'),
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async turn(): Promise<number> {
    const due = await this.expireDue();
    const more = await this.runSteps();
    // A full batch: more may be due, so no wait.
    return due === this.settings.batchSize || more ? 0 : this.untilNextWake();
  }

  private async runSteps(): Promise<boolean> {
    let more = false;
    for (const step of this.steps) more = (await step.run(this.clock.now(), this.settings.batchSize)).more || more;
    return more;
  }

  /** Ends one batch of due accesses; returns how many were due. */
  private async expireDue(): Promise<number> {
    const now = this.clock.now();
    const { due, ended, started } = await this.expire(now, this.settings.batchSize);
    if (started.length > 0) {
      this.observer.grantsStarted(started.length);
      this.logger.info({ grants: started.length, accesses: due }, 'grants started');
    }
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
