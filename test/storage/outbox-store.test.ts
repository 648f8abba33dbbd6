import { MongoClient, type Collection } from 'mongodb';
import type { OutboxStore } from '../../src/relay/ports';
import { MongoOutboxStore } from '../../src/storage-mongo/mongo-outbox-store';
import type { OutboxDocument } from '../../src/storage-mongo/outbox-document';
import { updateAtRevision } from '../../src/storage-mongo/revision-update';
import { integrationServers, uniqueName } from '../support/test-env';

/**
 * The outbox store's contract, as the relay uses it: a lease hands over the unpublished events
 * under a lease, published events are never handed over again, events stored after a lease stay
 * pending, and the documents end up tidy (outbox empty, not flagged, no lease), also while
 * commands store events into the same documents at once.
 */
interface TestEvent {
  eventId: string;
  version: number;
  occurredAt: Date;
}

type Store = OutboxStore<TestEvent>;
const database = uniqueName('outbox').replace(/-/g, '_');
let client: MongoClient;
let docs: Collection<OutboxDocument<TestEvent>>;

const eventOf = (id: string, version: number): TestEvent => ({ eventId: `${id}-v${version}`, version, occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, version)) });
const NOW = new Date();
const LEASE_UNTIL = new Date(NOW.getTime() + 30_000);

/** A document as a command leaves it: `versions` in its outbox, flagged, no lease. */
async function aDocumentWith(versions: number[]): Promise<string> {
  const id = uniqueName('doc');
  const outbox = versions.map((v) => eventOf(id, v));
  await docs.insertOne({ _id: id, version: versions.at(-1) ?? 0, revision: 1, outbox, outboxPending: outbox.length > 0, outboxSince: outbox[0]?.occurredAt, relayLease: null });
  return id;
}

/** What a command does to store one more event: state, outbox and flag in one compare-and-set. */
async function aNewEvent(id: string, version: number): Promise<void> {
  expect(await storeEvent(id, version)).toBe('saved');
}

/** One compare-and-set of a command storing `version`, on the revision it read. */
async function storeEvent(id: string, version: number): Promise<'saved' | 'conflict'> {
  const doc = await docs.findOne({ _id: id });
  return updateAtRevision(docs, { id, expectedRevision: doc!.revision, update: { $set: { version, outboxPending: true }, $push: { outbox: eventOf(id, version) } } });
}

const aStore = (): Store => new MongoOutboxStore(docs);

beforeAll(async () => {
  client = await MongoClient.connect(integrationServers().mongoUri, { maxPoolSize: 8 });
  docs = client.db(database).collection('documents');
});

afterAll(async () => {
  await client.db(database).dropDatabase();
  await client.close();
});

describe('the outbox store', () => {
  it('hands over the pending events in version order under a lease; another owner gets nothing meanwhile', async () => {
    const store = aStore();
    const id = await aDocumentWith([1, 2]);
    const leased = await store.lease(id, 'relay-a', NOW, LEASE_UNTIL);
    expect(leased).toMatchObject({ documentId: id, version: 2 });
    expect(leased!.events.map((e) => e.version)).toEqual([1, 2]);
    expect(await store.lease(id, 'relay-b', NOW, LEASE_UNTIL)).toBeNull();
    expect((await docs.findOne({ _id: id }))!.relayLease).toEqual({ owner: 'relay-a', until: LEASE_UNTIL });
  });

  it('never hands over published events again, and leaves the document tidy', async () => {
    const store = aStore();
    const id = await aDocumentWith([1]);
    const leased = await store.lease(id, 'relay-a', NOW, LEASE_UNTIL);
    expect(await store.markPublished([leased!], 'relay-a')).toEqual([{ morePending: false }]);
    expect(await store.lease(id, 'relay-a', NOW, LEASE_UNTIL)).toBeNull();
    expect(await store.findPending(100)).not.toContain(id);
    expect(await docs.findOne({ _id: id })).toMatchObject({ outbox: [], outboxPending: false, relayLease: null });
    expect((await docs.findOne({ _id: id }))!.outboxSince).toBeUndefined();
  });

  it('keeps an event stored after the lease pending, and hands over only that one next', async () => {
    const store = aStore();
    const id = await aDocumentWith([1]);
    const leased = await store.lease(id, 'relay-a', NOW, LEASE_UNTIL);
    await aNewEvent(id, 2);
    expect(await store.markPublished([leased!], 'relay-a')).toEqual([{ morePending: true }]);
    expect(await store.findPending(100)).toContain(id);
    const next = await store.lease(id, 'relay-a', NOW, LEASE_UNTIL);
    expect(next!.events.map((e) => e.version)).toEqual([2]);
    await store.markPublished([next!], 'relay-a');
    expect(await docs.findOne({ _id: id })).toMatchObject({ outbox: [], outboxPending: false, relayLease: null, version: 2 });
  });

  it('a store that did not publish them (another instance, or after a restart) does not hand published events over again', async () => {
    const id = await aDocumentWith([1]);
    const first = aStore();
    await first.markPublished([(await first.lease(id, 'relay-a', NOW, LEASE_UNTIL))!], 'relay-a');
    const later = new Date(LEASE_UNTIL.getTime() + 1);
    expect(await aStore().lease(id, 'relay-b', later, new Date(later.getTime() + 30_000))).toBeNull();
  });

  it('release frees the lease at once; an expired lease can be taken', async () => {
    const store = aStore();
    const id = await aDocumentWith([1]);
    await store.lease(id, 'relay-a', NOW, LEASE_UNTIL);
    await store.release(id, 'relay-a');
    expect((await docs.findOne({ _id: id }))!.relayLease).toBeNull();
    await store.lease(id, 'relay-a', NOW, LEASE_UNTIL);
    const afterExpiry = new Date(LEASE_UNTIL.getTime() + 1);
    const taken = await store.lease(id, 'relay-b', afterExpiry, new Date(afterExpiry.getTime() + 30_000));
    expect(taken!.events.map((e) => e.version)).toEqual([1]);
    expect((await docs.findOne({ _id: id }))!.relayLease!.owner).toBe('relay-b');
  });

  it('the recovery scan finds documents with unpublished events, whoever wrote them', async () => {
    const store = aStore();
    const id = await aDocumentWith([1, 2, 3]);
    expect(await store.findPending(10_000)).toContain(id);
  });

  it('while commands store events into the same documents, every event is handed over, first in version order, and the documents end tidy', async () => {
    const store = aStore();
    const ids = await Promise.all(Array.from({ length: 4 }, () => aDocumentWith([1])));
    const handed = new Map<string, number[]>(ids.map((id) => [id, []]));
    const stored = new Map<string, number>(ids.map((id) => [id, 1]));
    const commands = async (id: string) => {
      for (let version = 2; version <= 30; version++) {
        while ((await storeEvent(id, version)) !== 'saved');
        stored.set(id, version);
      }
    };
    const relay = async () => {
      const done = () => ids.every((id) => handed.get(id)!.at(-1) === 30);
      for (let round = 0; round < 2000 && !done(); round++) {
        const leases = (await Promise.all(ids.map((id) => store.lease(id, 'relay-a', NOW, LEASE_UNTIL)))).filter((c) => c !== null);
        for (const c of leases) handed.get(c.documentId)!.push(...c.events.map((e) => e.version));
        if (leases.length > 0) await store.markPublished(leases, 'relay-a');
      }
    };
    await Promise.all([...ids.map(commands), relay()]);
    for (const id of ids) {
      // A mark that keeps losing to the commands leaves its events pending: handed again (at least once), never skipped or reordered.
      expect([...new Set(handed.get(id))]).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(await docs.findOne({ _id: id })).toMatchObject({ outbox: [], outboxPending: false, relayLease: null, version: 30 });
    }
  });
});
