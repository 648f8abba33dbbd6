import type { Collection, Filter } from 'mongodb';
import { emptyAccess, type AccessChanged, type ResidentAccess } from '../domain/access/resident-access';
import { RECENT_REQUESTS_KEPT, type AccessChange, type AccessRepository, type AccessSelection, type RequestOutcome, type SaveResult, type StoredAccess } from '../domain/ports/access-repository';
import { accessDocumentId, stateFields, toResidentAccess, type AccessDocument } from './access-document';
import { combined, type DocumentUpdate, type DocumentWriter } from './document-writer';
import { isDuplicateKey, translateMongoError, withStorageErrors } from './mongo-errors';

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
    const id = accessDocumentId(access.clinicId, access.resident);
    return this.writer.update(this.collection, id, expectedRevision, (current) => this.changesFrom(current, access, event, outcome));
  }

  saveAll(changes: readonly AccessChange[]): Promise<SaveResult[]> {
    return withStorageErrors(() =>
      this.writer.updateAllFresh(
        this.collection,
        changes.map((c) => {
          const { relayLease, readAtMs } = receiptOf(c.stored);
          return {
            id: accessDocumentId(c.access.clinicId, c.access.resident),
            expectedRevision: c.stored.revision,
            observedAtMs: readAtMs,
            update: this.changesFrom({ relayLease, recentRequests: [...c.stored.recentRequests] }, c.access, c.event, c.outcome),
          };
        }),
      ),
    );
  }

  findDue(now: Date, limit: number): Promise<StoredAccess[]> {
    return withStorageErrors(async () => {
      const readAtMs = Date.now();
      const docs = await this.collection.find({ nextEndsAt: { $lte: now } }, WITHOUT_OUTBOX).limit(limit).toArray();
      return docs.map((doc) => storedFrom(doc, readAtMs));
    });
  }

  async *pages(selection: AccessSelection, pageSize: number): AsyncIterable<StoredAccess[]> {
    if ('residents' in selection) {
      for (let start = 0; start < selection.residents.length; start += pageSize) {
        const readAtMs = Date.now();
        const residents = selection.residents.slice(start, start + pageSize);
        const docs = await withStorageErrors(() => Promise.all(residents.map((r) => this.collection.findOne({ _id: accessDocumentId(selection.clinicId, r) }, WITHOUT_OUTBOX))));
        yield docs.map((doc, i) => (doc ? storedFrom(doc, readAtMs) : { access: emptyAccess(selection.clinicId, residents[i]!), recentRequests: [], revision: 0 }));
      }
      return;
    }
    const query: Filter<AccessDocument> =
      'approvedBefore' in selection
        ? { clinicId: selection.clinicId, 'approval.at': { $lte: selection.approvedBefore } }
        : { clinicId: selection.clinicId, 'grants.caseTypeId': selection.withGrantOf };
    const cursor = this.collection.find(query, { ...WITHOUT_OUTBOX, batchSize: pageSize });
    try {
      let page: StoredAccess[] = [];
      let readAtMs = Date.now();
      for await (const doc of cursor) {
        page.push(storedFrom(doc, readAtMs));
        if (page.length === pageSize) {
          yield page;
          page = [];
          readAtMs = Date.now();
        }
      }
      if (page.length > 0) yield page;
    } catch (error) {
      throw translateMongoError(error);
    } finally {
      await cursor.close();
    }
  }

  /** The update that stores a change on top of `current` (the document as read at the expected revision). */
  private changesFrom(
    current: Pick<AccessDocument, 'relayLease' | 'recentRequests'>,
    access: ResidentAccess,
    event: AccessChanged | null,
    outcome: RequestOutcome,
  ): DocumentUpdate<AccessDocument> {
    const set: Partial<AccessDocument> = stateFields(access);
    const recorded = this.writer.appendBounded('recentRequests', outcome, RECENT_REQUESTS_KEPT, current.recentRequests);
    if (!event) return combined<AccessDocument>({ $set: set }, recorded);
    // $min on an absent field sets it; a present one keeps the older instant.
    return combined<AccessDocument>(
      { $set: { ...set, outboxPending: true, updatedAt: event.occurredAt, ...this.leaseFor(current.relayLease) }, $push: { outbox: event }, $min: { outboxSince: event.occurredAt } },
      recorded,
    );
  }
}

/** What a read for a batch keeps for saveAll: the lease it saw, and when it read. */
interface AccessReceipt {
  relayLease: AccessDocument['relayLease'];
  readAtMs: number;
}

const WITHOUT_OUTBOX = { projection: { outbox: 0 } } as const;

function storedFrom(doc: Omit<AccessDocument, 'outbox'>, readAtMs: number): StoredAccess {
  const receipt: AccessReceipt = { relayLease: doc.relayLease ?? null, readAtMs };
  return { access: toResidentAccess(doc), recentRequests: doc.recentRequests ?? [], revision: doc.revision ?? 0, receipt };
}

function receiptOf(stored: StoredAccess): AccessReceipt {
  // A read not made by pages/findDue (no receipt): treated as old, so the writer re-reads.
  return (stored.receipt as AccessReceipt | undefined) ?? { relayLease: null, readAtMs: 0 };
}
