import type { Collection } from 'mongodb';
import type { AccessChanged, ResidentAccess } from '../domain/access/resident-access';
import { RECENT_REQUESTS_KEPT, type AccessRepository, type RequestOutcome, type SaveResult, type StoredAccess } from '../domain/ports/access-repository';
import { accessDocumentId, stateFields, toResidentAccess, type AccessDocument } from './access-document';
import { combined, type DocumentWriter } from './document-writer';
import { isDuplicateKey, withStorageErrors } from './mongo-errors';

/** This instance's relay, to which a change hands its events' lease in the same write. */
export interface LocalRelay {
  owner: string;
  leaseMs: number;
  now(): Date;
}

export class MongoAccessRepository implements AccessRepository {
  constructor(
    private readonly collection: Collection<AccessDocument>,
    private readonly writer: DocumentWriter,
    private readonly relay: LocalRelay | null = null,
  ) {}

  /**
   * The lease a write with an event sets: this instance's relay is told at once and publishes
   * without writing a lease of its own. A lease another relay holds is kept: it is publishing
   * older events of this document and will find the new one pending when it lets go.
   */
  private leaseFor(current: AccessDocument['relayLease']): Pick<AccessDocument, 'relayLease'> | Record<string, never> {
    if (!this.relay) return {};
    const now = this.relay.now();
    if (current && current.owner !== this.relay.owner && current.until >= now) return {};
    return { relayLease: { owner: this.relay.owner, until: new Date(now.getTime() + this.relay.leaseMs) } };
  }

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
    outcome: RequestOutcome,
  ): Promise<SaveResult> {
    return withStorageErrors(() =>
      this.writer.exclusive(this.collection, accessDocumentId(access.clinicId, access.resident), () =>
        expectedRevision === null
          ? this.insert(access, event, outcome)
          : this.update(access, expectedRevision, event, outcome),
      ),
    );
  }

  private async insert(access: ResidentAccess, event: AccessChanged | null, outcome: RequestOutcome): Promise<SaveResult> {
    const doc: AccessDocument = {
      _id: accessDocumentId(access.clinicId, access.resident),
      clinicId: access.clinicId,
      resident: access.resident,
      ...stateFields(access),
      revision: 1,
      outbox: event ? [event] : [],
      outboxPending: event !== null,
      ...(event ? { outboxSince: event.occurredAt } : {}),
      recentRequests: [outcome],
      relayLease: event && this.relay ? this.leaseFor(null).relayLease! : null,
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
    outcome: RequestOutcome,
  ): Promise<SaveResult> {
    const set: Partial<AccessDocument> = stateFields(access);
    if (event) {
      set.outboxPending = true;
      set.updatedAt = event.occurredAt;
    }
    const id = accessDocumentId(access.clinicId, access.resident);
    // $min on an absent field sets it; a present one keeps the older instant.
    return this.writer.update(this.collection, id, expectedRevision, (current) => {
      const recorded = this.writer.appendBounded('recentRequests', outcome, RECENT_REQUESTS_KEPT, current.recentRequests);
      return event
        ? combined<AccessDocument>({ $set: { ...set, ...this.leaseFor(current.relayLease) }, $push: { outbox: event }, $min: { outboxSince: event.occurredAt } }, recorded)
        : combined<AccessDocument>({ $set: set }, recorded);
    });
  }
}
