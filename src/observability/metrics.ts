import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { OBSERVABILITY_TUNING } from './settings';
import { GrpcServerMetrics } from './grpc-server-metrics';

/** An outbox's backlog as the metrics read it (the same shape as the relay port's `OutboxStats`). */
export interface OutboxBacklog {
  pendingDocuments: number;
  /** When the oldest unpublished event was written; null when nothing waits. */
  oldestPendingSince: Date | null;
}

/** The two kinds of events, each with its own outbox, relay and topic. */
export const EVENT_KINDS = ['access', 'settings'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Long background jobs: bulk removals of approvals and withdrawals of case types. */
export const BULK_JOB_KINDS = ['removal', 'withdrawal'] as const;
export type BulkJobKind = (typeof BULK_JOB_KINDS)[number];

/** What the metrics read at scrape time. */
export interface MetricSources {
  outboxBacklog: Record<EventKind, () => Promise<OutboxBacklog>>;
  /** Bulk jobs this instance is running now. */
  bulkJobsRunning: () => Record<BulkJobKind, number>;
}

/**
 * Operator metrics (Prometheus). Labels are service and method names, status codes, event and job
 * kinds and Kafka partitions only: never a personal identity number, clinic or request id.
 * Default process metrics keep their conventional names (`process_*`, `nodejs_*`).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly grpc = new GrpcServerMetrics(this.registry);
  private readonly published = new Counter({
    name: 'resident_access_events_published_total',
    help: 'Events acknowledged by Kafka, by kind (access: access-changed, settings: clinic-settings-changed).',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly publishFailures = new Counter({
    name: 'resident_access_event_publish_failures_total',
    help: 'Failed attempts to publish a batch of events, by kind.',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly publishLag = new Histogram({
    name: 'resident_access_event_publish_lag_seconds',
    help: 'Time from an event being written (with its change) to Kafka acknowledging it, by kind.',
    labelNames: ['kind'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });
  private readonly relayHeartbeat = new Gauge({
    name: 'resident_access_relay_heartbeat_timestamp_seconds',
    help: 'When the relay of each kind last came round its loop (Unix seconds); stale means the relay stopped or hangs.',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly expired = new Counter({ name: 'resident_access_grants_expired_total', help: 'Grants ended by the expiry worker.', registers: [this.registry] });
  private readonly started = new Counter({
    name: 'resident_access_grants_started_total',
    help: 'Pending grants started by the expiry worker (at 00:00 of their first day).',
    registers: [this.registry],
  });
  private readonly reminded = new Counter({
    name: 'resident_access_grant_reminders_total',
    help: 'GRANT_ENDING_SOON reminders stored by the expiry worker (each then published).',
    registers: [this.registry],
  });
  private readonly expiryLag = new Histogram({
    name: 'resident_access_expiry_lag_seconds',
    help: 'Time from a grant end instant (Stockholm midnight) to the worker ending it.',
    // Up to a day: after downtime the worker ends what was due hours ago.
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400],
    registers: [this.registry],
  });
  private readonly registerLag = new Gauge({
    name: 'resident_access_register_consumer_lag_messages',
    help: 'Population-register messages behind the end of each partition this instance consumes, after its last batch.',
    labelNames: ['partition'],
    registers: [this.registry],
  });

  /** backlogCacheMs: how long a scrape's read of an outbox serves the next scrapes (several Prometheus servers). */
  constructor(sources: MetricSources, backlogCacheMs = OBSERVABILITY_TUNING.outboxBacklogCacheMs) {
    collectDefaultMetrics({ register: this.registry });
    for (const kind of EVENT_KINDS) {
      this.published.inc({ kind }, 0);
      this.publishFailures.inc({ kind }, 0);
    }
    // Read at scrape time: the outbox is the truth, whatever instance wrote it.
    const cached = new Map<EventKind, Promise<OutboxBacklog>>();
    const backlog = (kind: EventKind) => {
      let latest = cached.get(kind);
      if (!latest) {
        latest = sources.outboxBacklog[kind]().finally(() => setTimeout(() => cached.delete(kind), backlogCacheMs).unref());
        cached.set(kind, latest);
      }
      return latest;
    };
    new Gauge({
      name: 'resident_access_outbox_backlog_documents',
      help: 'Documents with events not yet acknowledged by Kafka, by kind.',
      labelNames: ['kind'],
      registers: [this.registry],
      async collect() {
        for (const kind of EVENT_KINDS) this.set({ kind }, (await backlog(kind)).pendingDocuments);
      },
    });
    new Gauge({
      name: 'resident_access_outbox_oldest_event_age_seconds',
      help: 'Age of the oldest event not yet acknowledged by Kafka, by kind (0 when none waits).',
      labelNames: ['kind'],
      registers: [this.registry],
      async collect() {
        for (const kind of EVENT_KINDS) {
          const since = (await backlog(kind)).oldestPendingSince;
          this.set({ kind }, since ? Math.max(0, (Date.now() - since.getTime()) / 1000) : 0);
        }
      },
    });
    new Gauge({
      name: 'resident_access_bulk_jobs_running',
      help: 'Bulk jobs this instance is running, by kind (removal: removing many approvals; withdrawal: ending the grants of a withdrawn case type).',
      labelNames: ['kind'],
      registers: [this.registry],
      collect() {
        const running = sources.bulkJobsRunning();
        for (const kind of BULK_JOB_KINDS) this.set({ kind }, running[kind]);
      },
    });
  }

  /** What the relay of one kind of events reports. */
  relay(kind: EventKind): { published(events: readonly { occurredAt: Date }[], ackedAt: Date): void; failed(): void; alive(): void } {
    return {
      published: (events, ackedAt) => {
        this.published.inc({ kind }, events.length);
        for (const e of events) this.publishLag.observe({ kind }, Math.max(0, (ackedAt.getTime() - e.occurredAt.getTime()) / 1000));
      },
      failed: () => this.publishFailures.inc({ kind }),
      alive: () => this.relayHeartbeat.set({ kind }, Date.now() / 1000),
    };
  }

  grantsExpired(count: number, lagsSeconds: number[]): void {
    this.expired.inc(count);
    for (const lag of lagsSeconds) this.expiryLag.observe(lag);
  }

  grantsStarted(count: number): void {
    this.started.inc(count);
  }

  grantRemindersStored(count: number): void {
    this.reminded.inc(count);
  }

  /** What the population-register consumer reports. */
  readonly registerConsumer = {
    behind: (partition: number, messages: number): void => this.registerLag.set({ partition: String(partition) }, messages),
    /** Partitions were reassigned: another member may hold some now, so their last figures no longer hold. */
    reassigned: (): void => this.registerLag.reset(),
  };
}
