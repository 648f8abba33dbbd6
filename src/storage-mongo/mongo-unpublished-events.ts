import type { Collection } from 'mongodb';
import type { UnpublishedEvents, UnpublishedOfResident } from '../domain/ports/outbox-backlog';
import { accessDocumentId, type AccessDocument } from './access-document';
import { PUBLISHED_VERSIONS_COLLECTION, PublishedVersions, type PublishedVersionDocument } from './ferretdb/published-versions';
import { withStorageErrors } from './mongo-errors';

/**
 * A resident's events still in their access documents' outboxes and not yet published. The
 * FerretDB writer records what it published apart from the documents and tidies them later, so
 * events up to a recorded published version are left out (the MongoDB writer records none there).
 */
export class MongoUnpublishedEvents implements UnpublishedEvents {
  private readonly published: PublishedVersions;

  constructor(private readonly collection: Collection<AccessDocument>) {
    this.published = new PublishedVersions(collection.db.collection<PublishedVersionDocument>(PUBLISHED_VERSIONS_COLLECTION), collection.collectionName);
  }

  ofResident(resident: string, clinicIds: readonly string[]): Promise<UnpublishedOfResident> {
    return withStorageErrors(async () => {
      if (clinicIds.length === 0) return { count: 0, oldest: null };
      const docs = await this.collection.find({ _id: { $in: clinicIds.map((c) => accessDocumentId(c, resident)) }, outboxPending: true }, { projection: { outbox: 1 } }).toArray();
      const waiting = await Promise.all(
        docs.map(async (d) => {
          const outbox = d.outbox ?? [];
          const publishedUpTo =
            (await this.published.newestOf(
              d._id,
              outbox.map((e) => e.version),
            )) ?? 0;
          return outbox.filter((e) => e.version > publishedUpTo);
        }),
      );
      const events = waiting.flat();
      const oldest = events.reduce<Date | null>((min, e) => (min === null || e.occurredAt < min ? e.occurredAt : min), null);
      return { count: events.length, oldest };
    });
  }
}
