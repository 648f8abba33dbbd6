import type { Collection } from 'mongodb';
import type { UnpublishedEvents, UnpublishedOfResident } from '../domain/ports/outbox-backlog';
import { accessDocumentId, type AccessDocument } from './access-document';
import { withStorageErrors } from './mongo-errors';

/** A resident's events still in their access documents' outboxes: not yet published. */
export class MongoUnpublishedEvents implements UnpublishedEvents {
  constructor(private readonly collection: Collection<AccessDocument>) {}

  ofResident(resident: string, clinicIds: readonly string[]): Promise<UnpublishedOfResident> {
    return withStorageErrors(async () => {
      if (clinicIds.length === 0) return { count: 0, oldest: null };
      const docs = await this.collection.find({ _id: { $in: clinicIds.map((c) => accessDocumentId(c, resident)) }, outboxPending: true }, { projection: { outbox: 1 } }).toArray();
      const events = docs.flatMap((d) => d.outbox ?? []);
      const oldest = events.reduce<Date | null>((min, e) => (min === null || e.occurredAt < min ? e.occurredAt : min), null);
      return { count: events.length, oldest };
    });
  }
}
