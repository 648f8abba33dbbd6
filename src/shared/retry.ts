import { waitAtMost } from './abortable-wait';

/**
 * How a delay is spread (AWS "Exponential Backoff And Jitter"): `full` draws from [0, d], `equal`
 * from [d/2, d] (never sooner than half), `none` keeps d. Spread, many instances failing at the
 * same moment (a database restart) do not all come back at the same moment.
 */
export type Jitter = 'none' | 'full' | 'equal';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Default `equal`. */
  jitter?: Jitter;
  /** A number in [0, 1); Math.random unless a test injects one. */
  random?: () => number;
}

/** Delays after consecutive failures: from `initialMs`, doubling up to `maxMs`, jittered; a success starts again. */
export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** The delay before the next attempt, counting one more failure. */
  next(): number {
    const { initialMs, maxMs, jitter = 'equal', random = Math.random } = this.options;
    const ceiling = Math.min(maxMs, initialMs * 2 ** this.failures);
    // Stop counting once the cap is reached: 2 ** failures must not grow without end.
    if (ceiling < maxMs) this.failures++;
    if (jitter === 'none') return ceiling;
    if (jitter === 'full') return Math.floor(random() * ceiling);
    return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
  }

  reset(): void {
    this.failures = 0;
  }
}

/** What a turn of a loop answers: how long to wait before the next turn (0: at once), or `done`. */
export type NextTurn = number | 'done';

/** Waits `ms`, or less when `interrupted` aborts; never rejects. */
export type Sleep = (ms: number, interrupted: AbortSignal) => Promise<void>;

export interface LoopOptions {
  backoff: BackoffOptions;
  /** Told of a failed turn and of the wait before the next one (logging). */
  onError: (error: unknown, retryInMs: number) => void;
  /** Tests inject one that needs no timers. */
  sleep?: Sleep;
}

/** The real wait: a timer that does not keep the process alive. */
export const timerSleep: Sleep = (ms, interrupted) => waitAtMost(new Promise(() => undefined), ms, interrupted);

/**
 * A background loop: runs `turn` again and again, waiting what it answers between turns, and after
 * a failure what the back-off says (jittered, growing while failures last, reset by a success).
 * wake() cuts the current wait short; stop() ends the loop after the turn in hand.
 */
export class BackgroundLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private waiting: AbortController | null = null;
  private waitingAfterFailure = false;
  /** Woken during a turn: the wait after it is skipped (the work that woke it may have come too late for the turn). */
  private wokenDuringTurn = false;
  private readonly backoff: Backoff;
  private readonly sleep: Sleep;

  constructor(
    private readonly turn: () => Promise<NextTurn>,
    private readonly options: LoopOptions,
  ) {
    this.backoff = new Backoff(options.backoff);
    this.sleep = options.sleep ?? timerSleep;
  }

  /** True while it waits after a failure (a caller may then leave it to its back-off instead of waking it). */
  get backingOff(): boolean {
    return this.waitingAfterFailure;
  }

  /** Starts the loop, its first turn after `firstTurnInMs`. */
  start(firstTurnInMs = 0): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run(firstTurnInMs);
  }

  /** Ends the wait in progress at once, or skips the next one when a turn is in hand (new work arrived). */
  wake(): void {
    if (this.waiting) this.waiting.abort();
    else this.wokenDuringTurn = true;
  }

  /** Ends the loop: a wait ends at once, a turn in hand is finished first. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  private async run(firstTurnInMs: number): Promise<void> {
    if (firstTurnInMs > 0) await this.wait(firstTurnInMs, false);
    while (this.running) {
      let next: NextTurn;
      this.wokenDuringTurn = false;
      try {
        next = await this.turn();
        this.backoff.reset();
      } catch (error) {
        const retryInMs = this.backoff.next();
        this.options.onError(error, retryInMs);
        await this.wait(retryInMs, true);
        continue;
      }
      if (next === 'done') {
        // Finished: a later start() runs it again.
        this.running = false;
        return;
      }
      if (next > 0 && !this.wokenDuringTurn) await this.wait(next, false);
    }
  }

  private async wait(ms: number, afterFailure: boolean): Promise<void> {
    if (!this.running) return;
    const waiting = new AbortController();
    this.waiting = waiting;
    this.waitingAfterFailure = afterFailure;
    try {
      await this.sleep(ms, waiting.signal);
    } finally {
      this.waiting = null;
      this.waitingAfterFailure = false;
    }
  }
}
