import { MongoClient, type Collection, type Db } from 'mongodb';
import { approve, removeApproval } from '../../src/domain/access/approve';
import type { Decision } from '../../src/domain/access/decision';
import { emptyAccess, type AccessChanged } from '../../src/domain/access/resident-access';
import type { StoredAccess } from '../../src/domain/ports/access-repository';
import { accessDocumentId, type AccessDocument } from '../../src/storage-mongo/access-document';
import { ACCESS_COLLECTION } from '../../src/storage-mongo/indexes';
import { AUDIT_COLLECTION, MongoAuditTrail, type AuditDocument } from '../../src/storage-mongo/mongo-audit-trail';
import { MongoAccessRepository, type LocalRelay } from '../../src/storage-mongo/mongo-access-repository';
import { aClinicId, aResident } from '../builders/identity';
import { integrationServers, uniqueName } from '../support/test-env';

/**
 * A change with an event hands its lease to this instance's relay in the same write, with the
 * versions the outbox held already: none when the relay had published everything, else those still
 * pending. The relay relies on that list for order per document, so each way is checked.
 */
const database = uniqueName('handover').replace(/-/g, '_');
let client: MongoClient;
let db: Db;
let documents: Collection<AccessDocument>;
let audit: MongoAuditTrail;

beforeAll(async () => {
  client = await MongoClient.connect(integrationServers().mongoUri, { maxPoolSize: 8 });
  db = client.db(database);
  documents = db.collection<AccessDocument>(ACCESS_COLLECTION);
  audit = new MongoAuditTrail(db.collection<AuditDocument>(AUDIT_COLLECTION), 1827);
});

afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

interface HandedOver {
  documentId: string;
  version: number;
  before: readonly number[];
}

function aRelay(owner = uniqueName('relay')): LocalRelay & { handed: HandedOver[] } {
  const handed: HandedOver[] = [];
  return {
    owner,
    leaseMs: 30_000,
    now: () => new Date(),
    handed,
    handOver: (documentId: string, event: AccessChanged, before: readonly number[]) => void handed.push({ documentId, version: event.version, before }),
  };
}

async function store(repository: MongoAccessRepository, stored: StoredAccess, decision: Decision): Promise<StoredAccess> {
  if (!decision.changed) throw new Error('the test expects a change');
  const outcome = { requestId: uniqueName('request'), fingerprint: 'f', changed: true, version: decision.access.version };
  expect(await repository.save({ stored, access: decision.access, event: decision.event, outcome })).toBe('saved');
  const { clinicId, resident } = decision.access;
  return (await repository.find(clinicId, resident))!;
}

/** No clinic here has forgotten accesses. */
const noFloors = { of: () => Promise.resolve(0) };

const stamp = () => ({ actor: 'staff', at: new Date(), requestId: uniqueName('request') });

/** What the relay's clean-up leaves once it has published everything. */
async function publishedAll(documentId: string): Promise<void> {
  await documents.updateOne({ _id: documentId }, { $set: { outbox: [], outboxPending: false, relayLease: null }, $unset: { outboxSince: '' } });
}

describe('access changes hand their events to the local relay', () => {
  it('with the versions still pending in the outbox, or none once the relay has published them', async () => {
    const relay = aRelay();
    const repository = new MongoAccessRepository(documents, audit, noFloors, relay);
    const [clinicId, resident] = [aClinicId(), aResident()];
    const id = accessDocumentId(clinicId, resident);

    const first = await store(repository, { access: emptyAccess(clinicId, resident), recentRequests: [], revision: 0 }, approve(emptyAccess(clinicId, resident), stamp(), 'e1'));
    const second = await store(repository, first, removeApproval(first.access, stamp(), 'e2'));
    await publishedAll(id);
    await store(repository, second, approve(second.access, stamp(), 'e3'));

    expect(relay.handed).toEqual([
      { documentId: id, version: 1, before: [] },
      { documentId: id, version: 2, before: [1] },
      { documentId: id, version: 3, before: [] },
    ]);
    const doc = await documents.findOne({ _id: id });
    expect(doc!.outbox.map((e) => e.version)).toEqual([3]);
    expect(doc!.relayLease!.owner).toBe(relay.owner);
  });

  it('stores the change without a lease, and hands nothing over, while another relay holds a live one', async () => {
    const other = aRelay();
    const [clinicId, resident] = [aClinicId(), aResident()];
    const id = accessDocumentId(clinicId, resident);
    const first = await store(
      new MongoAccessRepository(documents, audit, noFloors, other),
      { access: emptyAccess(clinicId, resident), recentRequests: [], revision: 0 },
      approve(emptyAccess(clinicId, resident), stamp(), 'e1'),
    );
    await publishedAll(id);
    await documents.updateOne({ _id: id }, { $set: { relayLease: { owner: other.owner, until: new Date(Date.now() + 60_000) } } });

    const relay = aRelay();
    await store(new MongoAccessRepository(documents, audit, noFloors, relay), first, removeApproval(first.access, stamp(), 'e2'));

    expect(relay.handed).toEqual([]);
    const doc = await documents.findOne({ _id: id });
    expect({ versions: doc!.outbox.map((e) => e.version), pending: doc!.outboxPending, leaseOwner: doc!.relayLease!.owner }).toEqual({
      versions: [2],
      pending: true,
      leaseOwner: other.owner,
    });
  });
});
