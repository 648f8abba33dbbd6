import { MongoClient, type Collection } from 'mongodb';
import { updateAtRevision, withOutcome } from '../../src/storage-mongo/revision-update';
import { integrationServers, uniqueName } from '../support/test-env';

/**
 * The service's one write: a compare-and-set on `revision` (updateAtRevision). Writers in separate
 * processes never lose each other's changes. Each "process" here has its own MongoClient, as two
 * service instances would, so nothing but the server keeps them apart.
 */
interface Counter {
  _id: string;
  revision: number;
  marks: Record<string, true>;
  recent?: number[];
}

const database = uniqueName('revisions').replace(/-/g, '_');
const clients: MongoClient[] = [];

async function aProcess(): Promise<Collection<Counter>> {
  const client = await MongoClient.connect(integrationServers().mongoUri, { maxPoolSize: 8 });
  clients.push(client);
  return client.db(database).collection<Counter>('counters');
}

async function aCounter(docs: Collection<Counter>, revision = 1): Promise<string> {
  const id = uniqueName('doc');
  await docs.insertOne({ _id: id, revision, marks: {} });
  return id;
}

/** What a command does: read, decide, compare-and-set, and on a conflict read again. */
async function addMark(docs: Collection<Counter>, id: string, mark: string): Promise<number> {
  for (let attempt = 1; attempt <= 500; attempt++) {
    const doc = await docs.findOne({ _id: id });
    if ((await updateAtRevision(docs, { id, expectedRevision: doc!.revision, update: { $set: { [`marks.${mark}`]: true } } })) === 'saved') return attempt;
  }
  throw new Error(`mark ${mark} never saved`);
}

afterAll(async () => {
  await clients[0]?.db(database).dropDatabase();
  await Promise.all(clients.map((c) => c.close()));
});

describe('a compare-and-set on the revision', () => {
  it('moves the document to the next revision, and a write on an older revision changes nothing', async () => {
    const docs = await aProcess();
    const id = await aCounter(docs, 3);
    expect(await updateAtRevision(docs, { id, expectedRevision: 3, update: { $set: { 'marks.first': true } } })).toBe('saved');
    expect(await updateAtRevision(docs, { id, expectedRevision: 3, update: { $set: { 'marks.late': true } } })).toBe('conflict');
    expect(await docs.findOne({ _id: id })).toEqual({ _id: id, revision: 4, marks: { first: true } });
  });

  it('with a further condition, changes nothing when the document does not meet it', async () => {
    const docs = await aProcess();
    const id = await aCounter(docs);
    expect(await updateAtRevision(docs, { id, expectedRevision: 1, condition: { 'marks.x': true }, update: { $set: { 'marks.y': true } } })).toBe('conflict');
    expect(await docs.findOne({ _id: id })).toEqual({ _id: id, revision: 1, marks: {} });
  });

  it('keeps a bounded list exact when it is set whole from the read', async () => {
    const docs = await aProcess();
    const id = await aCounter(docs);
    for (let n = 1; n <= 7; n++) {
      const doc = await docs.findOne({ _id: id });
      await updateAtRevision(docs, { id, expectedRevision: doc!.revision, update: { $set: { recent: withOutcome(doc!.recent, n, 3) } } });
    }
    expect((await docs.findOne({ _id: id }))!.recent).toEqual([5, 6, 7]);
  });

  it('concurrent writers in three processes keep every change, and the revision counts each write once', async () => {
    const processes = await Promise.all([aProcess(), aProcess(), aProcess()]);
    const id = await aCounter(processes[0]);
    const marks = processes.flatMap((docs, i) => Array.from({ length: 12 }, (_, k) => ({ docs, mark: `p${i}w${k}` })));

    const attempts = await Promise.all(marks.map(({ docs, mark }) => addMark(docs, id, mark)));

    const stored = await processes[0].findOne({ _id: id });
    expect(Object.keys(stored!.marks).sort()).toEqual(marks.map((m) => m.mark).sort());
    expect(stored!.revision).toBe(1 + marks.length);
    // They did race: some writer lost a compare-and-set and wrote again.
    expect(Math.max(...attempts)).toBeGreaterThan(1);
  });

  it('of many processes moving the same revision at once, exactly one wins', async () => {
    const processes = await Promise.all(Array.from({ length: 6 }, () => aProcess()));
    for (let round = 0; round < 10; round++) {
      const id = await aCounter(processes[0]!, 4);
      const results = await Promise.all(processes.map((docs, i) => updateAtRevision(docs, { id, expectedRevision: 4, update: { $set: { [`marks.p${i}`]: true } } })));
      expect(results.filter((r) => r === 'saved')).toHaveLength(1);
      const stored = await processes[0]!.findOne({ _id: id });
      expect(stored!.revision).toBe(5);
      expect(Object.keys(stored!.marks)).toHaveLength(1);
    }
  });
});
