import type { Logger } from 'pino';
import { runWithoutDeadline } from '../shared/deadline-scope';
import { Backoff, type BackoffOptions } from '../shared/retry';
import { SweepInterrupted } from './resident-sweep';
import { APPLICATION_TUNING } from './settings';

/**
 * Long-running work in the background, one run per key: a failed run (the database away, say)
 * is retried after a growing delay instead of waiting for a restart, and stop() makes every run
 * pause between residents, so a shutdown does not wait for a 100 000-resident job to finish.
 * The work itself is resumable: the next start carries on where it paused.
 */
export class BackgroundRuns {
  private readonly running = new Map<string, Promise<void>>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  /** Per key while its runs fail; a success forgets it. */
  private readonly failures = new Map<string, Backoff>();
  private readonly controller = new AbortController();

  constructor(
    private readonly what: string,
    private readonly logger: Logger,
    private readonly backoff: BackoffOptions = APPLICATION_TUNING.backgroundRunBackoff,
  ) {}

  /** Aborted by stop(); the work passes it on to its sweep. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** How many runs are in progress (metrics). */
  get count(): number {
    return this.running.size;
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  /**
   * Starts `work` under `key` unless it runs already; resolves when the run ends, failed or not.
   * The run is no part of the call that may start it: it runs outside that call's deadline scope.
   */
  start(key: string, work: () => Promise<void>, logFields: Record<string, unknown>): Promise<void> {
    const existing = this.running.get(key);
    if (existing) return existing;
    if (this.signal.aborted) return Promise.resolve();
    clearTimeout(this.retries.get(key));
    this.retries.delete(key);
    const run = runWithoutDeadline(() =>
      work()
        .then(
          () => {
            this.failures.delete(key);
          },
          (error: unknown) => this.failed(key, work, logFields, error),
        )
        .finally(() => this.running.delete(key)),
    );
    this.running.set(key, run);
    return run;
  }

  /** Waits for every run in progress (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** Pauses every run at its next resident and cancels pending retries. */
  async stop(): Promise<void> {
    this.controller.abort();
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    await this.idle();
  }

  private failed(key: string, work: () => Promise<void>, logFields: Record<string, unknown>, error: unknown): void {
    if (error instanceof SweepInterrupted || this.signal.aborted) {
      this.logger.info(logFields, `${this.what} paused for shutdown; resumes at the next start`);
      return;
    }
    const backoff = this.failures.get(key) ?? new Backoff(this.backoff);
    this.failures.set(key, backoff);
    const retryInMs = backoff.next();
    this.logger.error({ err: error, ...logFields, retryInMs }, `${this.what} failed; retrying`);
    this.retries.set(
      key,
      setTimeout(() => {
        this.retries.delete(key);
        void this.start(key, work, logFields);
      }, retryInMs),
    );
  }
}
