import type { EventEmitter } from 'node:events';

/** The part of a MongoClient the watchdog uses. */
export interface ReconnectableClient extends Pick<EventEmitter, 'on' | 'off'> {
  close(): Promise<void>;
  connect(): Promise<unknown>;
}

export interface StallReport {
  address: string;
  outstandingMs: number;
}

/**
 * The driver's server monitor can wait forever on a check it wrote to a connection the server was
 * closing (mongodb 6.22 and 7.9 wait for the socket's 'drain' with no timeout). The server then
 * stays Unknown and every operation fails server selection, also after the server is back. A check
 * outstanding far beyond the driver's own timeouts is taken for that: the client is closed and
 * connected again, which starts fresh monitors (collections stay usable; operations in between
 * fail as unavailable). A reconnect that fails is tried again at the next check.
 */
export class StalledMonitorWatchdog {
  private readonly checksStarted = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private needsConnect = false;
  private busy = false;

  constructor(
    private readonly client: ReconnectableClient,
    private readonly stalledAfterMs: number,
    private readonly events: { stalled(report: StallReport): void; reconnected(): void; reconnectFailed(error: unknown): void },
    private readonly now: () => number = Date.now,
  ) {}

  private readonly started = (e: { connectionId: string }) => this.checksStarted.set(e.connectionId, this.now());
  private readonly ended = (e: { connectionId: string }) => this.checksStarted.delete(e.connectionId);

  start(checkEveryMs: number): void {
    this.client.on('serverHeartbeatStarted', this.started);
    this.client.on('serverHeartbeatSucceeded', this.ended);
    this.client.on('serverHeartbeatFailed', this.ended);
    this.timer = setInterval(() => void this.check(), checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.client.off('serverHeartbeatStarted', this.started);
    this.client.off('serverHeartbeatSucceeded', this.ended);
    this.client.off('serverHeartbeatFailed', this.ended);
  }

  /** Reconnects when a check has been outstanding too long, or when the last reconnect failed. */
  async check(): Promise<void> {
    if (this.busy || this.timer === null) return;
    this.busy = true;
    try {
      const stalled = this.stalledCheck();
      if (stalled) {
        this.events.stalled(stalled);
        this.checksStarted.clear();
        this.needsConnect = true;
        await this.client.close();
      }
      if (this.needsConnect && this.timer !== null) {
        await this.client.connect();
        this.needsConnect = false;
        this.events.reconnected();
      }
    } catch (error) {
      this.events.reconnectFailed(error);
    } finally {
      this.busy = false;
    }
  }

  private stalledCheck(): StallReport | null {
    for (const [address, since] of this.checksStarted) {
      const outstandingMs = this.now() - since;
      if (outstandingMs > this.stalledAfterMs) return { address, outstandingMs };
    }
    return null;
  }
}
