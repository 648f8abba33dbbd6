import type { Collection, Db } from 'mongodb';

export const ACCESS_VERSION_FLOORS_COLLECTION = 'access_version_floors';

/** Per clinic: the highest version of an access whose document was forgotten (`_id` is the clinic). */
export interface VersionFloorDocument {
  _id: string;
  version: number;
}

/**
 * Versions only grow per resident and clinic, also across a forgotten document (docs/events.md):
 * before an ended access is deleted its version raises the clinic's floor, and a resident with no
 * document starts from the floor. One floor per clinic holds no personal data.
 */
export class AccessVersionFloors {
  constructor(private readonly collection: Collection<VersionFloorDocument>) {}

  static in(db: Db): AccessVersionFloors {
    return new AccessVersionFloors(db.collection<VersionFloorDocument>(ACCESS_VERSION_FLOORS_COLLECTION));
  }

  /** The clinic's floor: 0 when none of its accesses was forgotten. */
  async of(clinicId: string): Promise<number> {
    return (await this.collection.findOne({ _id: clinicId }))?.version ?? 0;
  }

  async raise(clinicId: string, version: number): Promise<void> {
    await this.collection.updateOne({ _id: clinicId }, { $max: { version } }, { upsert: true });
  }
}
