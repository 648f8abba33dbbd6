import type { Collection } from 'mongodb';
import type { AccessChanged, ResidentAccess } from '../domain/access/resident-access';
import type { AccessRepository, RequestOutcome, SaveResult, StoredAccess } from '../domain/ports/access-repository';
import { accessDocumentId, RECENT_REQUESTS_KEPT, toResidentAccess, type AccessDocument } from './access-document';
import { isDuplicateKey, withStorageErrors } from './mongo-errors';

export class MongoAccessRepository implements AccessRepository {
  constructor(private readonly collection: Collection<AccessDocument>) {}

  find(clinicId: string, resident: string): Promise<StoredAccess | null> {
    return withStorageErrors(async () => {
      const doc = await this.collection.findOne(
        { _id: accessDocumentId(clinicId, resident) },
        { projection: { outbox: 0, relayLease: 0 } },
      );
      if (!doc) return null;
      return { access: toResidentAccess(doc), recentRequests: doc.recentRequests ?? [] };
    });
  }

  save(access: ResidentAccess, expectedVersion: number, event: AccessChanged | null, outcome: RequestOutcome): Promise<SaveResult> {
    return withStorageErrors(() =>
      expectedVersion === 0 ? this.insert(access, event, outcome) : this.update(access, expectedVersion, event, outcome),
    );
  }

  private async insert(access: ResidentAccess, event: AccessChanged | null, outcome: RequestOutcome): Promise<SaveResult> {
    const doc: AccessDocument = {
      _id: accessDocumentId(access.clinicId, access.resident),
      clinicId: access.clinicId,
      resident: access.resident,
      approval: access.approval,
      version: access.version,
      outbox: event ? [event] : [],
      outboxPending: event !== null,
      recentRequests: [outcome],
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
    expectedVersion: number,
    event: AccessChanged | null,
    outcome: RequestOutcome,
  ): Promise<SaveResult> {
    const push: Record<string, unknown> = { recentRequests: { $each: [outcome], $slice: -RECENT_REQUESTS_KEPT } };
    const set: Partial<AccessDocument> = { approval: access.approval, version: access.version };
    if (event) {
      push.outbox = event;
      set.outboxPending = true;
      set.updatedAt = event.occurredAt;
    }
    const result = await this.collection.updateOne(
      { _id: accessDocumentId(access.clinicId, access.resident), version: expectedVersion },
      { $set: set, $push: push },
    );
    return result.matchedCount === 1 ? 'saved' : 'conflict';
  }
}
