import type { Collection } from 'mongodb';
import type { AccessChanged, ResidentAccess } from '../domain/access/resident-access';
import type { AccessRepository, RequestOutcome, SaveResult, StoredAccess } from '../domain/ports/access-repository';
import { accessDocumentId, stateFields, toResidentAccess, type AccessDocument } from './access-document';
import type { DocumentWriter } from './document-writer';
import { isDuplicateKey, withStorageErrors } from './mongo-errors';

export class MongoAccessRepository implements AccessRepository {
  constructor(
    private readonly collection: Collection<AccessDocument>,
    private readonly writer: DocumentWriter,
  ) {}

  find(clinicId: string, resident: string): Promise<StoredAccess | null> {
    return withStorageErrors(async () => {
      const doc = await this.collection.findOne(
        { _id: accessDocumentId(clinicId, resident) },
        { projection: { outbox: 0, relayLease: 0 } },
      );
      if (!doc) return null;
      return { access: toResidentAccess(doc), recentRequests: doc.recentRequests ?? [], revision: doc.revision ?? 0 };
    });
  }

  save(
    access: ResidentAccess,
    expectedRevision: number | null,
    event: AccessChanged | null,
    recentRequests: readonly RequestOutcome[],
  ): Promise<SaveResult> {
    return withStorageErrors(() =>
      this.writer.exclusive(this.collection, accessDocumentId(access.clinicId, access.resident), () =>
        expectedRevision === null
          ? this.insert(access, event, recentRequests)
          : this.update(access, expectedRevision, event, recentRequests),
      ),
    );
  }

  private async insert(access: ResidentAccess, event: AccessChanged | null, recentRequests: readonly RequestOutcome[]): Promise<SaveResult> {
    const doc: AccessDocument = {
      _id: accessDocumentId(access.clinicId, access.resident),
      clinicId: access.clinicId,
      resident: access.resident,
      ...stateFields(access),
      revision: 1,
      outbox: event ? [event] : [],
      outboxPending: event !== null,
      ...(event ? { outboxSince: event.occurredAt } : {}),
      recentRequests: [...recentRequests],
      relayLease: null,
      updatedAt: event?.occurredAt ?? new Date(),
    };
    try {
      await this.collection.insertOne(doc);
      return 'saved';
    } catch (error) {
      if (isDuplicateKey(error)) return 'conflict';
      throw error;
    }
  }

  private async update(
    access: ResidentAccess,
    expectedRevision: number,
    event: AccessChanged | null,
    recentRequests: readonly RequestOutcome[],
  ): Promise<SaveResult> {
    const set: Partial<AccessDocument> = {
      ...stateFields(access),
      recentRequests: [...recentRequests],
    };
    if (event) {
      set.outboxPending = true;
      set.updatedAt = event.occurredAt;
    }
    const id = accessDocumentId(access.clinicId, access.resident);
    // $min on an absent field sets it; a present one keeps the older instant.
    return this.writer.update(
      this.collection,
      id,
      expectedRevision,
      event ? { $set: set, $push: { outbox: event }, $min: { outboxSince: event.occurredAt } } : { $set: set },
    );
  }
}
