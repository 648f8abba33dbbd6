import type { Logger } from 'pino';
import type { Clock } from '../domain/ports/clock';
import type { ExpiredRecords } from '../domain/ports/expired-records';
import { BackgroundLoop, type BackoffOptions } from '../shared/retry';

/**
 * Enforces retention: every `intervalMs` (and at start) deletes the records past their end. Every
 * instance runs it; deleting what is already gone is harmless.
 */
export class RetentionPurge {
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly records: ExpiredRecords,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    /** After a failed purge; at most the interval, as a purge comes that often anyway. */
    backoff: BackoffOptions = { initialMs: Math.min(1000, intervalMs), maxMs: intervalMs },
  ) {
    this.loop = new BackgroundLoop(() => this.purge(), {
      backoff,
      onError: (error, retryInMs) => this.logger.warn({ err: error, retryInMs }, 'purging expired records failed; will retry'),
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async purge(): Promise<number> {
    const counts = await this.records.purge(this.clock.now());
    for (const { collection, deleted } of counts) this.logger.info({ collection, deleted }, 'expired records purged');
    return this.intervalMs;
  }
}
