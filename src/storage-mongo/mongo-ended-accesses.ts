import type { Collection } from 'mongodb';
import type { ExpiredRecords } from '../domain/ports/expired-records';
import type { AccessDocument } from './access-document';
import type { AccessVersionFloors } from './access-version-floors';
import { withStorageErrors } from './mongo-errors';
import type { ResidentViewDocument } from './mongo-resident-views';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Documents forgotten per round; rounds go on while the last one forgot any. */
const BATCH = 500;

type Ended = Pick<AccessDocument, '_id' | 'clinicId' | 'resident' | 'version' | 'revision'>;

/**
 * Forgets accesses that ended (no approval, no grant) more than `retentionDays` ago, once their last
 * event (and its tombstone) is published: the resident's number leaves the access document and the
 * clinic's entry in the resident's view. Per document, in this order, so that a crash anywhere
 * leaves nothing a later change could get wrong: the clinic's version floor is raised (the next
 * document starts above it), the view entry is removed if no newer version wrote it, and the
 * document is deleted if no change came since it was read (else the next round sees it again).
 */
export class MongoEndedAccesses implements ExpiredRecords {
  constructor(
    private readonly access: Collection<AccessDocument>,
    private readonly views: Collection<ResidentViewDocument>,
    private readonly floors: Pick<AccessVersionFloors, 'raise'>,
    private readonly retentionDays: number,
  ) {}

  purge(now: Date): Promise<{ collection: string; deleted: number }[]> {
    return withStorageErrors(async () => {
      const endedBy = new Date(now.getTime() - this.retentionDays * DAY_MS);
      let deleted = 0;
      for (;;) {
        const ended = await this.access
          .find({ endedAt: { $lte: endedBy }, outboxPending: false }, { projection: { _id: 1, clinicId: 1, resident: 1, version: 1, revision: 1 } })
          .limit(BATCH)
          .toArray();
        let forgotten = 0;
        for (const doc of ended as Ended[]) forgotten += await this.forget(doc);
        deleted += forgotten;
        if (ended.length < BATCH || forgotten === 0) break;
      }
      return [{ collection: this.access.collectionName, deleted }];
    });
  }

  private async forget(doc: Ended): Promise<number> {
    const entry = `clinics.${doc.clinicId}`;
    await this.floors.raise(doc.clinicId, doc.version);
    await this.views.updateOne({ _id: doc.resident, [`${entry}.version`]: { $lte: doc.version } }, { $unset: { [entry]: '' }, $inc: { revision: 1 } });
    // The register's part (home) stays while the register knows the resident.
    await this.views.deleteOne({ _id: doc.resident, clinics: {}, home: null });
    const { deletedCount } = await this.access.deleteOne({ _id: doc._id, revision: doc.revision });
    return deletedCount;
  }
}
