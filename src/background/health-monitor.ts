import type { PublishingObserver } from '../relay/ports';
import { BackgroundLoop } from '../shared/retry';

export type Health = 'SERVING' | 'NOT_SERVING';

export interface HealthProbes {
  /** True when the database answers: commands can be accepted. */
  storage: () => Promise<boolean>;
  /** True when Kafka answers: events can be published. */
  publishing: () => Promise<boolean>;
}

export type HealthEntry = 'service' | 'publishing' | 'liveness';

export interface HealthListener {
  (entry: HealthEntry, health: Health): void;
}

/**
 * Keeps three health entries: the service (SERVING while the database answers; commands are
 * accepted and their events wait in the outbox while Kafka is down), event publishing (Kafka's
 * state, from a periodic probe and from the relay's own successes and failures) and liveness
 * (SERVING from start until stop, whatever the database and Kafka do: restarting the process cures
 * neither, so an outage must not make Kubernetes restart every instance; that an answer comes at
 * all shows the event loop runs).
 */
export class HealthMonitor implements PublishingObserver {
  private readonly polling: BackgroundLoop;
  private stopped = false;
  private service: Health | null = null;
  private publishingState: Health | null = null;
  private liveness: Health | null = null;

  constructor(
    private readonly probes: HealthProbes,
    private readonly intervalMs: number,
    private readonly listener: HealthListener,
    /** A probe gets at least this long (or the interval, if longer) before it counts as failed. */
    private readonly probeTimeoutFloorMs: number,
  ) {
    // check() never fails (a failed probe is NOT_SERVING), so the back-off is never used.
    this.polling = new BackgroundLoop(async () => (await this.check(), intervalMs), { backoff: { initialMs: intervalMs, maxMs: intervalMs }, onError: () => undefined });
  }

  async start(): Promise<void> {
    this.set('liveness', 'SERVING');
    await this.check();
    this.polling.start(this.intervalMs);
  }

  /** Stops probing and reports NOT_SERVING, so load balancers drain this instance first. */
  stop(): void {
    this.stopped = true;
    void this.polling.stop();
    this.set('service', 'NOT_SERVING');
    this.set('liveness', 'NOT_SERVING');
  }

  published(): void {
    this.set('publishing', 'SERVING');
  }

  failed(): void {
    this.set('publishing', 'NOT_SERVING');
  }

  private async check(): Promise<void> {
    const [storage, publishing] = await Promise.all([answered(this.probes.storage(), this.probeTimeoutMs()), answered(this.probes.publishing(), this.probeTimeoutMs())]);
    if (this.stopped) return;
    this.set('service', storage ? 'SERVING' : 'NOT_SERVING');
    this.set('publishing', publishing ? 'SERVING' : 'NOT_SERVING');
  }

  private probeTimeoutMs(): number {
    return Math.max(this.intervalMs, this.probeTimeoutFloorMs);
  }

  private set(entry: HealthEntry, health: Health): void {
    if (this.state(entry) === health) return;
    if (entry === 'service') this.service = health;
    else if (entry === 'publishing') this.publishingState = health;
    else this.liveness = health;
    this.listener(entry, health);
  }

  private state(entry: HealthEntry): Health | null {
    if (entry === 'service') return this.service;
    return entry === 'publishing' ? this.publishingState : this.liveness;
  }
}

/**
 * A probe's answer, or false when it fails or takes longer than `ms`: a probe stuck on a dead
 * connection must not stop the monitor from checking again.
 */
function answered(probe: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([probe.catch(() => false), late]).finally(() => clearTimeout(timer));
}
