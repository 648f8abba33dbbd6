import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../domain/ports/clock';
import type { LeasedEvents, EventPublisher, EventRecorder, OutboxEvent, OutboxStore, PublishingObserver } from './ports';
import { BackgroundLoop, type BackoffOptions } from '../shared/retry';
import { HandedOverEvents } from './handed-over-events';

export interface RelaySettings {
  batchSize: number;
  /** How often to scan storage for events no in-process signal announced (crash recovery, other instances). */
  pollIntervalMs: number;
  leaseMs: number;
}

export interface RelayLimits {
  /** Batches whose marks may still be in flight while the next ones are sent. */
  marksAhead: number;
  /** Events held in memory at most (a Kafka outage); past it, documents are read back instead. */
  maxHeldEvents: number;
  /** At a stop, how long the relay goes on sending what it was signalled before it lets go of the rest. */
  flushOnStopMs: number;
}

/**
 * Publishes stored events to Kafka. Commands signal it right after their write, so events go out
 * at once; a periodic scan recovers whatever a crash or another instance left behind. While Kafka
 * is down it keeps the pending documents and backs off; nothing is dropped from storage until the
 * broker has acknowledged it.
 */
export class OutboxRelay<E extends OutboxEvent> {
  /** Names this relay in the leases it holds. */
  readonly owner = randomUUID();
  private readonly queue = new Set<string>();
  private readonly handed: HandedOverEvents<E>;
  /** Documents whose published events are being recorded (kept out of batches meanwhile). */
  private readonly marking = new Set<string>();
  private marked: Promise<void> = Promise.resolve();
  private readonly loop: BackgroundLoop;
  private lastScan = 0;
  private scanning: Promise<void> | null = null;
  private scanIntervalMs: number;
  /** The last send to Kafka failed (a stop then leaves what is left to another instance at once). */
  private lastPublishFailed = false;

  constructor(
    private readonly store: OutboxStore<E>,
    private readonly publisher: EventPublisher<E>,
    private readonly recorder: EventRecorder<E>,
    private readonly observer: PublishingObserver,
    private readonly clock: Clock,
    private readonly settings: RelaySettings,
    private readonly logger: Logger,
    /** While publishing fails. */
    backoff: BackoffOptions,
    private readonly limits: RelayLimits,
    /** Test-only (a failpoint): called after Kafka acknowledged a batch, before it is marked published. */
    private readonly afterPublish?: () => void,
  ) {
    this.handed = new HandedOverEvents<E>(limits.maxHeldEvents);
    this.scanIntervalMs = settings.pollIntervalMs;
    this.loop = new BackgroundLoop(() => this.turn(), {
      backoff,
      onError: (error, retryInMs) => this.logger.warn({ err: error, retryInMs }, 'event publishing failed; will retry'),
    });
  }

  /** A document got new events: publish them now rather than at the next scan. */
  documentChanged(documentId: string): void {
    this.queue.add(documentId);
    // While Kafka is failing, new events wait for the backoff instead of hammering it.
    if (!this.loop.backingOff) this.wake();
  }

  /**
   * A change of this process stored `event` under this relay's lease: it is published from here,
   * without reading the document back. Taken only when every event the outbox held `before` is
   * held here too, so a document's events go out in order; otherwise the relay reads them.
   */
  handOver(documentId: string, event: E, before: readonly number[]): void {
    this.handed.offer(documentId, event, before);
    this.documentChanged(documentId);
  }

  start(): void {
    this.loop.start();
  }

  /**
   * Finishes the batch in hand, sends what it was signalled (for up to flushOnStopMs, while Kafka
   * takes it), then frees the leases of whatever is left: another instance sends those at its next
   * scan instead of after RELAY_LEASE_MS (a rolling restart would otherwise hold them that long).
   */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.scanning;
    await this.flush(Date.now() + this.limits.flushOnStopMs);
    await this.marked;
    await this.letGoOfTheRest();
  }

  private async flush(deadline: number): Promise<void> {
    // While Kafka is failing a send can take its whole retry time: the stop does not wait for that.
    while (Date.now() < deadline && !this.lastPublishFailed) {
      // Marks first: a document being marked stays out of batches.
      await this.marked;
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      try {
        await this.publishBatch(batch);
      } catch (error) {
        this.logger.warn({ err: error }, 'events could not be sent at stop; another instance sends them');
        return;
      }
    }
  }

  private async letGoOfTheRest(): Promise<void> {
    const left = [...new Set([...this.queue, ...this.handed.documentIds()])];
    this.queue.clear();
    this.handed.clear();
    if (left.length === 0) return;
    const released = await Promise.allSettled(left.map((id) => this.store.release(id, this.owner)));
    const failed = released.filter((r) => r.status === 'rejected').length;
    this.logger.info({ documents: left.length, releaseFailed: failed }, 'events left for another instance at stop');
  }

  private wake(): void {
    this.loop.wake();
  }

  /** One turn: publish a batch, or wait when there is none; answers how long to wait. */
  private async turn(): Promise<number> {
    this.observer.alive?.();
    this.scanIfDue();
    const batch = this.takeBatch();
    if (batch.length === 0) return this.settings.pollIntervalMs;
    await this.publishBatch(batch);
    return 0;
  }

  /**
   * The scan finds what no signal announced (a crash, another instance's failure). It runs only
   * when the queue is empty: while the relay is busy with signalled documents it would take the
   * database's time for nothing.
   */
  private scanIfDue(): void {
    const now = Date.now();
    if (this.scanning || this.queue.size > 0 || now - this.lastScan < this.scanIntervalMs) return;
    this.lastScan = now;
    // In the background: signalled events must not wait for a scan.
    this.scanning = this.store
      .findPending(this.settings.batchSize)
      .then((found) => {
        for (const id of found) this.queue.add(id);
        // A full batch means a backlog (after a crash or an outage): scan again as soon as it is sent.
        if (found.length === this.settings.batchSize) this.lastScan = 0;
        // Scans that find nothing come less often, up to the lease time: what another instance
        // leaves behind cannot be taken before its lease ends anyway.
        const longest = Math.max(this.settings.pollIntervalMs, this.settings.leaseMs);
        this.scanIntervalMs = found.length > 0 ? this.settings.pollIntervalMs : Math.min(longest, this.scanIntervalMs * 2);
        if (found.length > 0 && !this.loop.backingOff) this.wake();
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'recovery scan failed; will retry'))
      .finally(() => {
        this.scanning = null;
      });
  }

  private takeBatch(): string[] {
    const batch: string[] = [];
    for (const id of this.queue) {
      if (batch.length >= this.settings.batchSize) break;
      if (this.marking.has(id)) continue;
      batch.push(id);
      this.queue.delete(id);
    }
    return batch;
  }

  /** Answers how many events it published. */
  private async publishBatch(documentIds: string[]): Promise<number> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + this.settings.leaseMs);
    let leased: LeasedEvents<E>[] = [];
    try {
      const handedOver = documentIds.filter((id) => this.handed.has(id)).map((id) => this.handed.take(id));
      const toRead = documentIds.filter((id) => !this.handed.has(id));
      const leases = await Promise.all(toRead.map((id) => this.store.lease(id, this.owner, now, leaseUntil)));
      leased = [...handedOver, ...leases.filter((c): c is LeasedEvents<E> => c !== null)];
      if (leased.length === 0) return 0;
      this.logger.debug({ documents: leased.length }, 'publishing leased events');
      // The audit entry is durable before the event leaves, so no published change lacks one.
      await this.recorder.record(leased.flatMap((c) => c.events));
      // One send for the batch: each document's events stay in version order, and one key maps to one partition.
      await this.publish(leased);
      this.afterPublish?.();
    } catch (error) {
      // Keep the documents for the next attempt, and free them so another instance may try meanwhile.
      for (const id of documentIds) this.queue.add(id);
      // (Handed-over events keep their lease: they are retried from memory, in order.)
      await Promise.allSettled(leased.filter((c) => !this.handed.has(c.documentId)).map((c) => this.store.release(c.documentId, this.owner)));
      throw error;
    }
    const events = leased.flatMap((c) => c.events);
    const count = events.length;
    this.observer.published(events, this.clock.now());
    this.logger.debug({ events: count }, 'events published');
    // Events handed over while these were sent stay for the next batch.
    for (const c of leased) if (this.handed.published(c.documentId, c.version)) this.queue.add(c.documentId);
    this.markInBackground(leased);
    // Marks falling behind (a slow database): wait for them rather than hold ever more in memory.
    if (this.marking.size >= this.settings.batchSize * this.limits.marksAhead) await this.marked;
    return count;
  }

  /**
   * Records what was published while the next batch is leased and sent: the relay waits for the
   * database once per batch, not twice. Marks run one after another, and a document being marked
   * stays out of the next batch (its events could otherwise be read before they are cleared).
   * A mark that fails leaves the events pending: published again later (at least once).
   */
  private markInBackground(leased: LeasedEvents<E>[]): void {
    for (const c of leased) this.marking.add(c.documentId);
    this.marked = this.marked
      .then(() => this.store.markPublished(leased, this.owner))
      .then((results) => {
        results.forEach((r, i) => {
          if (r.morePending) this.queue.add(leased[i]!.documentId);
        });
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'recording published events failed; they stay pending'))
      .finally(() => {
        for (const c of leased) this.marking.delete(c.documentId);
        if (this.queue.size > 0) this.wake();
      });
  }

  private async publish(leased: LeasedEvents<E>[]): Promise<void> {
    try {
      await this.publisher.publish(leased.flatMap((c) => c.events));
      this.lastPublishFailed = false;
    } catch (error) {
      this.lastPublishFailed = true;
      this.observer.failed(error);
      throw error;
    }
  }
}
