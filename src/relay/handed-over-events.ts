import type { LeasedEvents, OutboxEvent } from './ports';

/**
 * Events this process's changes stored under this relay's lease and handed over, per document in
 * version order, so the relay publishes them without reading the document back.
 */
export class HandedOverEvents<E extends OutboxEvent> {
  private readonly byDocument = new Map<string, E[]>();
  private count = 0;

  /** maxHeld: events held in memory at most (a Kafka outage); past it, documents are read back instead. */
  constructor(private readonly maxHeld: number) {}

  /**
   * Holds `event` when every version the outbox held `before` it is held here too (so a document's
   * events go out in order); otherwise lets go of the document, which is then read back.
   */
  offer(documentId: string, event: E, before: readonly number[]): void {
    const held = this.byDocument.get(documentId) ?? [];
    const heldVersions = new Set(held.map((e) => e.version));
    if (this.count < this.maxHeld && before.every((v) => heldVersions.has(v))) {
      this.byDocument.set(documentId, [...held, event]);
      this.count++;
    } else {
      this.count -= held.length;
      this.byDocument.delete(documentId);
    }
  }

  has(documentId: string): boolean {
    return this.byDocument.has(documentId);
  }

  documentIds(): string[] {
    return [...this.byDocument.keys()];
  }

  clear(): void {
    this.byDocument.clear();
    this.count = 0;
  }

  /** The document's held events as a lease (the caller checked `has`). */
  take(documentId: string): LeasedEvents<E> {
    const events = [...this.byDocument.get(documentId)!];
    return { documentId, version: events[events.length - 1]!.version, events };
  }

  /** Lets go of the events up to `publishedVersion`; true when newer ones are still held. */
  published(documentId: string, publishedVersion: number): boolean {
    const held = this.byDocument.get(documentId);
    if (!held) return false;
    const left = held.filter((e) => e.version > publishedVersion);
    this.count -= held.length - left.length;
    if (left.length > 0) this.byDocument.set(documentId, left);
    else this.byDocument.delete(documentId);
    return left.length > 0;
  }
}
