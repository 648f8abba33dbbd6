import type { Collection } from 'mongodb';
import { insertNew } from '../insert-new';
import { TUNING } from '../../config/config';

export const PUBLISHED_VERSIONS_COLLECTION = 'outbox_published';

export interface PublishedVersionDocument {
  /** `<collection>|<document id>|<version>`: every event of the document up to `version` was published. */
  _id: string;
  at: Date;
}

export interface PublishedRetention {
  /** Rows older than this go; by then their documents' outboxes were tidied long ago. */
  keepMs: number;
  purgeEveryMs: number;
}

/**
 * The relay's progress, apart from the documents it publishes: one insert per batch (one SQL
 * statement on FerretDB), so publishing never contends with commands for a document's revision.
 * The documents' outboxes are tidied later (FerretOutboxStore.tidy); until then, and after a
 * restart, these rows tell which of their events went out already.
 */
export class PublishedVersions {
  private lastPurge = Date.now();

  constructor(
    private readonly collection: Collection<PublishedVersionDocument>,
    private readonly collectionName: string,
    private readonly retention: PublishedRetention = TUNING.ferretdb.publishedVersions,
  ) {}

  async record(published: readonly { documentId: string; version: number }[]): Promise<void> {
    this.purgeNowAndThen();
    if (published.length === 0) return;
    const at = new Date();
    // Published again (at least once): the row is already there.
    await insertNew(
      this.collection,
      published.map((p) => ({ _id: this.key(p.documentId, p.version), at })),
    );
  }

  /** The newest of `versions` known published (null if none), newest first, one `_id` read each. */
  async newestOf(documentId: string, versions: readonly number[]): Promise<number | null> {
    for (const version of [...versions].sort((a, b) => b - a)) {
      if (await this.collection.findOne({ _id: this.key(documentId, version) }, { projection: { _id: 1 } })) return version;
    }
    return null;
  }

  private key(documentId: string, version: number): string {
    return `${this.collectionName}|${documentId}|${version}`;
  }

  private purgeNowAndThen(): void {
    const now = Date.now();
    if (now - this.lastPurge < this.retention.purgeEveryMs) return;
    this.lastPurge = now;
    this.collection.deleteMany({ at: { $lt: new Date(now - this.retention.keepMs) } }).catch(() => {
      // Best effort: the next purge tries again; a left-over row only takes space.
    });
  }
}
