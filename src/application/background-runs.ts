import type { Logger } from 'pino';
import { runWithoutDeadline } from '../shared/deadline-scope';
import { Backoff, timerSleep, type BackoffOptions, type Sleep } from '../shared/retry';
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
  /** Per key, the wait before its retry; aborting it cancels the retry. */
  private readonly retries = new Map<string, AbortController>();
  /** Per key while its runs fail; a success forgets it. */
  private readonly failures = new Map<string, Backoff>();
  private readonly controller = new AbortController();

  constructor(
    private readonly what: string,
    private readonly logger: Logger,
    private readonly backoff: BackoffOptions = APPLICATION_TUNING.backgroundRunBackoff,
    /** How the delay before a retry is waited; tests inject one that records the delays. */
    private readonly sleep: Sleep = timerSleep,
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
    this.cancelRetry(key);
    const run = runWithoutDeadline(() =>
      work()
        .then(
          () => {
            this.failures.delete(key);
            return null;
          },
          (error: unknown) => this.failed(key, logFields, error),
        )
        .then(
          (retryInMs) => {
            // In one step: the run is over (idle() stops waiting for it) and its retry, a new run, is planned.
            this.running.delete(key);
            if (retryInMs !== null) this.retryAfter(retryInMs, key, work, logFields);
          },
          (error: unknown) => {
            this.running.delete(key);
            throw error;
          },
        ),
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
    for (const key of [...this.retries.keys()]) this.cancelRetry(key);
    await this.idle();
  }

  private cancelRetry(key: string): void {
    this.retries.get(key)?.abort();
    this.retries.delete(key);
  }

  /** Logs the failure; answers how long until the retry (null: none, the runs are stopping). */
  private failed(key: string, logFields: Record<string, unknown>, error: unknown): number | null {
    if (error instanceof SweepInterrupted || this.signal.aborted) {
      this.logger.info(logFields, `${this.what} paused for shutdown; resumes at the next start`);
      return null;
    }
    const backoff = this.failures.get(key) ?? new Backoff(this.backoff);
    this.failures.set(key, backoff);
    const retryInMs = backoff.next();
    this.logger.error({ err: error, ...logFields, retryInMs }, `${this.what} failed; retrying`);
    return retryInMs;
  }

  private retryAfter(retryInMs: number, key: string, work: () => Promise<void>, logFields: Record<string, unknown>): void {
    if (this.signal.aborted) return;
    const retry = new AbortController();
    this.retries.set(key, retry);
    void this.sleep(retryInMs, retry.signal).then(() => {
      if (retry.signal.aborted) return;
      this.retries.delete(key);
      void this.start(key, work, logFields);
    });
  }
}
