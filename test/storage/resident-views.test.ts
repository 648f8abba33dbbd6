import { MongoClient, type Db } from 'mongodb';
import type { ResidentAccess } from '../../src/domain/access/resident-access';
import { MongoResidentViews, RESIDENT_VIEWS_COLLECTION, type ResidentViewDocument } from '../../src/storage-mongo/mongo-resident-views';
import { aClinicId, aResident } from '../builders/identity';
import { integrationServers, uniqueName } from '../support/test-env';

/**
 * The views' write (`apply`): one conditional upsert per resident sets entries newer than the stored
 * ones without reading first; anything else (an entry as new or newer stored, an equal version that
 * differs) is read and decided. Checked on the database the suite runs against.
 */
const database = uniqueName('views').replace(/-/g, '_');
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  client = await MongoClient.connect(integrationServers().mongoUri, { maxPoolSize: 8 });
  db = client.db(database);
});

afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

function anAccess(overrides: Partial<ResidentAccess> = {}): ResidentAccess {
  return { clinicId: aClinicId(), resident: aResident(), approval: { actor: 'staff', at: new Date('2026-01-01T00:00:00Z'), requestId: 'r1' }, grants: [], version: 1, ...overrides };
}

function storedView(resident: string): Promise<ResidentViewDocument | null> {
  return db.collection<ResidentViewDocument>(RESIDENT_VIEWS_COLLECTION).findOne({ _id: resident });
}

describe('resident views: apply', () => {
  it('creates the document of a resident who has none, with revision 1', async () => {
    const access = anAccess();
    await MongoResidentViews.in(db).apply([access]);
    expect(await storedView(access.resident)).toEqual({
      _id: access.resident,
      clinics: { [access.clinicId]: { approved: true, grants: [], version: 1 } },
      revision: 1,
    });
  });

  it('sets a newer entry beside the other clinics’ and moves the revision', async () => {
    const views = MongoResidentViews.in(db);
    const first = anAccess();
    const other = anAccess({ resident: first.resident });
    await views.apply([first, other]);
    await views.apply([{ ...first, approval: null, version: 2 }]);
    const doc = await storedView(first.resident);
    expect(doc!.clinics).toEqual({
      [first.clinicId]: { approved: false, grants: [], version: 2 },
      [other.clinicId]: { approved: true, grants: [], version: 1 },
    });
    expect(doc!.revision).toBe(2);
  });

  it('leaves a newer stored entry alone when an older one comes (a repeat or a late write)', async () => {
    const views = MongoResidentViews.in(db);
    const access = anAccess({ version: 3 });
    await views.apply([access]);
    await views.apply([{ ...access, approval: null, version: 2 }]);
    expect((await storedView(access.resident))!.clinics[access.clinicId]).toEqual({ approved: true, grants: [], version: 3 });
  });

  it('replaces an entry of the same version that differs (a rebuild after its shape changed), and keeps one that does not', async () => {
    const views = MongoResidentViews.in(db);
    const access = anAccess({ version: 4 });
    await views.apply([access]);
    await db
      .collection<ResidentViewDocument>(RESIDENT_VIEWS_COLLECTION)
      .updateOne({ _id: access.resident }, { $set: { [`clinics.${access.clinicId}`]: { approved: false, grants: [], version: 4 } } });
    await views.apply([access]);
    const doc = await storedView(access.resident);
    expect(doc!.clinics[access.clinicId]).toEqual({ approved: true, grants: [], version: 4 });
    await views.apply([access]);
    expect((await storedView(access.resident))!.revision).toBe(doc!.revision);
  });

  it('in one batch: new residents, newer entries and older ones each end as the newest', async () => {
    const views = MongoResidentViews.in(db);
    const kept = anAccess({ version: 5 });
    const moved = anAccess({ version: 1 });
    await views.apply([kept, moved]);
    const fresh = anAccess();
    await views.apply([fresh, { ...kept, approval: null, version: 4 }, { ...moved, approval: null, version: 2 }]);
    expect((await storedView(fresh.resident))!.clinics[fresh.clinicId]!.version).toBe(1);
    expect((await storedView(kept.resident))!.clinics[kept.clinicId]).toEqual({ approved: true, grants: [], version: 5 });
    expect((await storedView(moved.resident))!.clinics[moved.clinicId]).toEqual({ approved: false, grants: [], version: 2 });
  });

  it('writers in separate clients on one resident’s clinics all land, each at its newest version', async () => {
    const clients = await Promise.all([0, 1, 2].map(() => MongoClient.connect(integrationServers().mongoUri, { maxPoolSize: 8 })));
    try {
      const resident = aResident();
      const clinics = Array.from({ length: 6 }, () => aClinicId());
      const writes = clinics.flatMap((clinicId, c) =>
        [1, 2, 3].map((version) => MongoResidentViews.in(clients[(c + version) % 3]!.db(database)).apply([anAccess({ clinicId, resident, version })])),
      );
      await Promise.all(writes);
      const doc = await storedView(resident);
      expect(Object.fromEntries(Object.entries(doc!.clinics).map(([clinicId, entry]) => [clinicId, entry.version]))).toEqual(Object.fromEntries(clinics.map((c) => [c, 3])));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
