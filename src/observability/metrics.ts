import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface OutboxStats {
  pendingDocuments: number;
  /** When the oldest unpublished event was written; null when nothing waits. */
  oldestPendingSince: Date | null;
}

/**
 * Operator metrics (Prometheus). Labels are method names and status codes only: never a personal
 * identity number, clinic or request id.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly published = new Counter({ name: 'resident_access_events_published_total', help: 'Access-changed events acknowledged by Kafka.', registers: [this.registry] });
  private readonly publishFailures = new Counter({ name: 'resident_access_event_publish_failures_total', help: 'Failed attempts to publish a batch of events.', registers: [this.registry] });
  private readonly expired = new Counter({ name: 'resident_access_grants_expired_total', help: 'Grants ended by the expiry worker.', registers: [this.registry] });
  private readonly expiryLag = new Histogram({
    name: 'resident_access_expiry_lag_seconds',
    help: 'Time from a grant end instant to the worker ending it.',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600],
    registers: [this.registry],
  });
  private readonly rpcDuration = new Histogram({
    name: 'resident_access_rpc_duration_seconds',
    help: 'gRPC call duration by method and status code.',
    labelNames: ['method', 'code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(outboxStats: () => Promise<OutboxStats>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'resident_access_' });
    // Read at scrape time: the outbox is the truth, whatever instance wrote it.
    let latest: Promise<OutboxStats> | null = null;
    const stats = () => (latest ??= outboxStats().finally(() => setTimeout(() => (latest = null), 1000).unref()));
    new Gauge({
      name: 'resident_access_outbox_backlog_documents',
      help: 'Access documents with events not yet acknowledged by Kafka.',
      registers: [this.registry],
      async collect() {
        this.set((await stats()).pendingDocuments);
      },
    });
    new Gauge({
      name: 'resident_access_outbox_oldest_event_age_seconds',
      help: 'Age of the oldest event not yet acknowledged by Kafka (0 when none waits).',
      registers: [this.registry],
      async collect() {
        const since = (await stats()).oldestPendingSince;
        this.set(since ? Math.max(0, (Date.now() - since.getTime()) / 1000) : 0);
      },
    });
  }

  eventsPublished(count: number): void {
    this.published.inc(count);
  }

  publishFailed(): void {
    this.publishFailures.inc();
  }

  grantsExpired(count: number, lagsSeconds: number[]): void {
    this.expired.inc(count);
    for (const lag of lagsSeconds) this.expiryLag.observe(lag);
  }

  rpcFinished(method: string, code: string, seconds: number): void {
    this.rpcDuration.observe({ method, code }, seconds);
  }
}
