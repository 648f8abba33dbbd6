import { MongoClient, type Collection } from 'mongodb';
import type { OutboxStore } from '../../src/domain/ports/publishing';
import { ConditionalWriter } from '../../src/storage-mongo/conditional-writer';
import { ClaimingWriter } from '../../src/storage-mongo/ferretdb/claiming-writer';
import { FerretOutboxStore } from '../../src/storage-mongo/ferretdb/ferret-outbox-store';
import { DEFAULT_CLAIM_OPTIONS, RevisionClaims, REVISION_CLAIMS_COLLECTION } from '../../src/storage-mongo/ferretdb/revision-claims';
import { MongoOutboxStore } from '../../src/storage-mongo/mongo-outbox-store';
import type { OutboxDocument } from '../../src/storage-mongo/outbox-document';
import { integrationServers, uniqueName } from '../support/test-env';

/**
 * The contract of both outbox stores, as the relay uses them: a claim hands over the unpublished
 * events under a lease, published events are never handed over again, events stored after a claim
 * stay pending, and the documents end up tidy (outbox empty, not flagged, no lease). Sequential
 * only: MongoOutboxStore's atomicity is the server's (MongoDB), which FerretDB 1.x lacks.
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
  const doc = await docs.findOne({ _id: id });
  const saved = await new ConditionalWriter().update(docs, id, doc!.revision, { $set: { version, outboxPending: true }, $push: { outbox: eventOf(id, version) } });
  expect(saved).toBe('saved');
}

/** Lets the store do what it puts off, as the relay does when quiet, until nothing is left. */
async function tidyAll(store: Store, owner: string): Promise<string[]> {
  const more: string[] = [];
  for (let round = 0; round < 5; round++) {
    const result = await store.tidy(100, owner);
    more.push(...result.morePending);
    if (result.tidied === 0) break;
  }
  return more;
}

const stores: Record<string, () => Store> = {
  MongoOutboxStore: () => new MongoOutboxStore(docs),
  FerretOutboxStore: () => {
    const claims = new RevisionClaims(client.db(database).collection(REVISION_CLAIMS_COLLECTION), DEFAULT_CLAIM_OPTIONS);
    return FerretOutboxStore.in(docs, new ClaimingWriter(claims));
  },
};

beforeAll(async () => {
  client = await MongoClient.connect(integrationServers().mongoUri, { maxPoolSize: 8 });
  docs = client.db(database).collection('documents');
});

afterAll(async () => {
  await client.db(database).dropDatabase();
  await client.close();
});

describe.each(Object.keys(stores))('%s', (name) => {
  const aStore = stores[name]!;

  it('hands over the pending events in version order under a lease; another owner gets nothing meanwhile', async () => {
    const store = aStore();
    const id = await aDocumentWith([1, 2]);
    const claimed = await store.claim(id, 'relay-a', NOW, LEASE_UNTIL);
    expect(claimed).toMatchObject({ documentId: id, version: 2 });
    expect(claimed!.events.map((e) => e.version)).toEqual([1, 2]);
    expect(await store.claim(id, 'relay-b', NOW, LEASE_UNTIL)).toBeNull();
    expect((await docs.findOne({ _id: id }))!.relayLease).toEqual({ owner: 'relay-a', until: LEASE_UNTIL });
  });

  it('never hands over published events again, and leaves the document tidy', async () => {
    const store = aStore();
    const id = await aDocumentWith([1]);
    const claimed = await store.claim(id, 'relay-a', NOW, LEASE_UNTIL);
    expect(await store.markPublished([claimed!], 'relay-a')).toEqual([{ morePending: false }]);
    expect(await store.claim(id, 'relay-a', NOW, LEASE_UNTIL)).toBeNull();
    expect(await store.findPending(100)).not.toContain(id);
    await tidyAll(store, 'relay-a');
    expect(await docs.findOne({ _id: id })).toMatchObject({ outbox: [], outboxPending: false, relayLease: null });
    expect((await docs.findOne({ _id: id }))!.outboxSince).toBeUndefined();
  });

  it('keeps an event stored after the claim pending, and hands over only that one next', async () => {
    const store = aStore();
    const id = await aDocumentWith([1]);
    const claimed = await store.claim(id, 'relay-a', NOW, LEASE_UNTIL);
    await aNewEvent(id, 2);
    const [result] = await store.markPublished([claimed!], 'relay-a');
    const announced = [...(result!.morePending ? [id] : []), ...(await tidyAll(store, 'relay-a'))];
    expect(announced).toContain(id);
    expect(await store.findPending(100)).toContain(id);
    const next = await store.claim(id, 'relay-a', NOW, LEASE_UNTIL);
    expect(next!.events.map((e) => e.version)).toEqual([2]);
    await store.markPublished([next!], 'relay-a');
    await tidyAll(store, 'relay-a');
    expect(await docs.findOne({ _id: id })).toMatchObject({ outbox: [], outboxPending: false, relayLease: null, version: 2 });
  });

  it('a store that did not publish them (another instance, or after a restart) does not hand published events over again', async () => {
    const id = await aDocumentWith([1]);
    const first = aStore();
    await first.markPublished([(await first.claim(id, 'relay-a', NOW, LEASE_UNTIL))!], 'relay-a');
    const later = new Date(LEASE_UNTIL.getTime() + 1);
    expect(await aStore().claim(id, 'relay-b', later, new Date(later.getTime() + 30_000))).toBeNull();
  });

  it('release frees the lease at once; an expired lease can be taken', async () => {
    const store = aStore();
    const id = await aDocumentWith([1]);
    await store.claim(id, 'relay-a', NOW, LEASE_UNTIL);
    await store.release(id, 'relay-a');
    expect((await docs.findOne({ _id: id }))!.relayLease).toBeNull();
    await store.claim(id, 'relay-a', NOW, LEASE_UNTIL);
    const afterExpiry = new Date(LEASE_UNTIL.getTime() + 1);
    const taken = await store.claim(id, 'relay-b', afterExpiry, new Date(afterExpiry.getTime() + 30_000));
    expect(taken!.events.map((e) => e.version)).toEqual([1]);
    expect((await docs.findOne({ _id: id }))!.relayLease!.owner).toBe('relay-b');
  });

  it('the recovery scan finds documents with unpublished events, whoever wrote them', async () => {
    const store = aStore();
    const id = await aDocumentWith([1, 2, 3]);
    expect(await store.findPending(10_000)).toContain(id);
  });
});
