import { MongoClient, type Collection } from 'mongodb';
import { ConditionalWriter } from '../../src/storage-mongo/conditional-writer';
import type { DocumentWriter } from '../../src/storage-mongo/document-writer';
import { ClaimingWriter } from '../../src/storage-mongo/ferretdb/claiming-writer';
import { DEFAULT_CLAIM_OPTIONS, RevisionClaims, REVISION_CLAIMS_COLLECTION, type RevisionClaimDocument, type RevisionClaimOptions } from '../../src/storage-mongo/ferretdb/revision-claims';
import { openDocumentWriter } from '../../src/storage-mongo/open-document-writer';
import { integrationServers, uniqueName } from '../support/test-env';

/**
 * The one contract of both document writers: writers in separate processes never lose each
 * other's changes. Each "process" here has its own MongoClient and writer (so no in-process lock is
 * shared), as two service instances would. The conditional writer relies on the server's atomic
 * conditional update, which FerretDB 1.x lacks (docs/ferretdb.md): its concurrency cases run where
 * the servers are MongoDB (testcontainers, or MONGODB_URI), its sequential ones everywhere.
 */
interface Counter {
  _id: string;
  revision: number;
  marks: Record<string, true>;
}

type WriterKind = 'claims' | 'conditional';
const database = uniqueName('writer').replace(/-/g, '_');
const clients: MongoClient[] = [];

async function aProcess(kind: WriterKind, options: RevisionClaimOptions = DEFAULT_CLAIM_OPTIONS) {
  const client = await MongoClient.connect(integrationServers().mongoUri, { maxPoolSize: 8 });
  clients.push(client);
  const db = client.db(database);
  const claims = db.collection<RevisionClaimDocument>(REVISION_CLAIMS_COLLECTION);
  const writer: DocumentWriter = kind === 'claims' ? new ClaimingWriter(new RevisionClaims(claims, options)) : new ConditionalWriter();
  return { writer, db, docs: db.collection<Counter>('counters'), claims };
}

/** What a command does: read, decide, compare-and-set, and on a conflict read again. */
async function addMark(p: { writer: DocumentWriter; docs: Collection<Counter> }, id: string, mark: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const saved = await p.writer.exclusive(p.docs, id, async () => {
      const doc = await p.docs.findOne({ _id: id });
      return p.writer.update(p.docs, id, doc!.revision, { $set: { [`marks.${mark}`]: true } });
    });
    if (saved === 'saved') return;
  }
  throw new Error(`mark ${mark} never saved`);
}

/** Set by the global setup from the server's buildInfo. */
const onFerretDb = process.env.TEST_MONGODB_IS_FERRETDB === 'true';

afterAll(async () => {
  await clients[0]?.db(database).dropDatabase();
  await Promise.all(clients.map((c) => c.close()));
});

const quick = { ...DEFAULT_CLAIM_OPTIONS, waitForClaimantMs: 20 };

describe('openDocumentWriter', () => {
  it('picks revision claims on FerretDB and conditional updates on MongoDB, unless configuration names one', async () => {
    const { db } = await aProcess('conditional');
    expect((await openDocumentWriter(db, 'auto', 30_000)).kind).toBe(onFerretDb ? 'claims' : 'conditional');
    const forced = await openDocumentWriter(db, 'conditional', 30_000);
    expect(forced.kind).toBe('conditional');
    expect(forced.writer).toBeInstanceOf(ConditionalWriter);
    expect((await openDocumentWriter(db, 'claims', 30_000)).writer).toBeInstanceOf(ClaimingWriter);
  });
});

describe.each(['claims', 'conditional'] as const)('the %s writer, one write at a time', (kind) => {
  it('a write that lost the race reports a conflict and changes nothing', async () => {
    const [a, b] = await Promise.all([aProcess(kind, quick), aProcess(kind, quick)]);
    const id = uniqueName('doc');
    await a.docs.insertOne({ _id: id, revision: 1, marks: {} });

    await expect(a.writer.update(a.docs, id, 1, { $set: { 'marks.first': true } as Partial<Counter> })).resolves.toBe('saved');
    await expect(b.writer.update(b.docs, id, 1, { $set: { 'marks.stale': true } as Partial<Counter> })).resolves.toBe('conflict');

    expect(await a.docs.findOne({ _id: id })).toMatchObject({ revision: 2, marks: { first: true } });
  });

  it('a write on a freshly read revision still loses to one that moved the document first', async () => {
    const [a, b] = await Promise.all([aProcess(kind, quick), aProcess(kind, quick)]);
    const id = uniqueName('doc');
    await a.docs.insertOne({ _id: id, revision: 1, marks: {} });
    const readAt = Date.now();

    await expect(a.writer.update(a.docs, id, 1, { $set: { 'marks.first': true } as Partial<Counter> }, readAt)).resolves.toBe('saved');
    await expect(b.writer.update(b.docs, id, 1, { $set: { 'marks.stale': true } as Partial<Counter> }, readAt)).resolves.toBe('conflict');

    expect(await a.docs.findOne({ _id: id })).toMatchObject({ revision: 2, marks: { first: true } });
  });

  it('an update computed from the stored document applies to that revision only', async () => {
    const p = await aProcess(kind, quick);
    const id = uniqueName('doc');
    await p.docs.insertOne({ _id: id, revision: 7, marks: { old: true } });

    const copyMarks = (current: Counter) => ({ $set: { marks: { ...current.marks, copied: true } } as Partial<Counter> });
    await expect(p.writer.update(p.docs, id, 6, copyMarks)).resolves.toBe('conflict');
    await expect(p.writer.update(p.docs, id, 7, copyMarks)).resolves.toBe('saved');

    expect(await p.docs.findOne({ _id: id })).toMatchObject({ revision: 8, marks: { old: true, copied: true } });
  });

  it('a batch of fresh compare-and-sets saves those still at their revision and refuses the one another writer moved', async () => {
    const [a, b] = await Promise.all([aProcess(kind), aProcess(kind)]);
    const ids = [uniqueName('doc'), uniqueName('doc'), uniqueName('doc')];
    await a.docs.insertMany(ids.map((id) => ({ _id: id, revision: 3, marks: {} })));
    const readAt = Date.now();
    await expect(b.writer.update(b.docs, ids[1]!, 3, { $set: { 'marks.other': true } as Partial<Counter> })).resolves.toBe('saved');

    const results = await a.writer.updateAllFresh(
      a.docs,
      ids.map((id) => ({ id, expectedRevision: 3, observedAtMs: readAt, update: { $set: { 'marks.batch': true } as Partial<Counter> } })),
    );

    expect(results).toEqual(['saved', 'conflict', 'saved']);
    const stored = await a.docs.find({ _id: { $in: ids } }).toArray();
    const byId = new Map(stored.map((d) => [d._id, d]));
    expect(byId.get(ids[0]!)).toMatchObject({ revision: 4, marks: { batch: true } });
    expect(byId.get(ids[1]!)).toMatchObject({ revision: 4, marks: { other: true } });
    expect(byId.get(ids[1]!)!.marks).not.toHaveProperty('batch');
    expect(byId.get(ids[2]!)).toMatchObject({ revision: 4, marks: { batch: true } });
  });
});

/** What only some servers keep for some writers: FerretDB 1.x ignores `$slice`. */
function boundedAppendContract(kind: WriterKind) {
  it('appending to a bounded array keeps the newest items only', async () => {
    const p = await aProcess(kind, quick);
    const id = uniqueName('doc');
    await p.docs.insertOne({ _id: id, revision: 1, marks: {} });
    for (let n = 1; n <= 6; n++) {
      const saved = await p.writer.update(p.docs, id, n, (current) => ({
        $set: {},
        ...p.writer.appendBounded('recent', n, 4, (current as Counter & { recent?: number[] }).recent),
      }));
      expect(saved).toBe('saved');
    }
    expect(await p.docs.findOne({ _id: id })).toMatchObject({ revision: 7, recent: [3, 4, 5, 6] });
  });
}

/** The concurrency contract, for each writer the servers under test can keep it on. */
function concurrencyContract(kind: WriterKind) {
  it('concurrent writers in three processes keep every change, and the revision counts each write once', async () => {
    const processes = await Promise.all([aProcess(kind), aProcess(kind), aProcess(kind)]);
    const id = uniqueName('doc');
    await processes[0].docs.insertOne({ _id: id, revision: 1, marks: {} });

    const marks = processes.flatMap((p, i) => Array.from({ length: 12 }, (_, k) => ({ p, mark: `p${i}w${k}` })));
    await Promise.all(marks.map(({ p, mark }) => addMark(p, id, mark)));

    const stored = await processes[0].docs.findOne({ _id: id });
    expect(Object.keys(stored!.marks).sort()).toEqual(marks.map((m) => m.mark).sort());
    expect(stored!.revision).toBe(1 + marks.length);
  });

  it('of many processes moving the same revision at once, exactly one wins', async () => {
    const processes = await Promise.all(Array.from({ length: 6 }, () => aProcess(kind, { ...DEFAULT_CLAIM_OPTIONS, waitForClaimantMs: 50 })));
    const id = uniqueName('doc');
    await processes[0]!.docs.insertOne({ _id: id, revision: 4, marks: {} });

    const results = await Promise.all(processes.map((p, i) => p.writer.update(p.docs, id, 4, { $set: { [`marks.p${i}`]: true } })));

    expect(results.filter((r) => r === 'saved')).toHaveLength(1);
    const stored = await processes[0]!.docs.findOne({ _id: id });
    expect(stored!.revision).toBe(5);
    expect(Object.keys(stored!.marks)).toHaveLength(1);
  });
}

describe('the claims writer across processes', () => {
  concurrencyContract('claims');
  boundedAppendContract('claims');

  it('a claim whose writer died before writing blocks others only until it is abandoned', async () => {
    const p = await aProcess('claims', { ...DEFAULT_CLAIM_OPTIONS, abandonAfterMs: 60_000, waitForClaimantMs: 20 });
    const id = uniqueName('doc');
    await p.docs.insertOne({ _id: id, revision: 2, marks: {} });
    // A writer claimed revision 3 and died: first moments ago, then long ago.
    const deadClaim = `counters|${id}|r3#0`;
    await p.claims.insertOne({ _id: deadClaim, at: new Date() });

    await expect(p.writer.update(p.docs, id, 2, { $set: { 'marks.early': true } as Partial<Counter> })).resolves.toBe('conflict');

    await p.claims.updateOne({ _id: deadClaim }, { $set: { at: new Date(Date.now() - 61_000) } });
    await expect(p.writer.update(p.docs, id, 2, { $set: { 'marks.late': true } as Partial<Counter> })).resolves.toBe('saved');

    const stored = await p.docs.findOne({ _id: id });
    expect(stored).toMatchObject({ revision: 3, marks: { late: true } });
    expect(await p.claims.findOne({ _id: `counters|${id}|r3#1` })).toEqual({ _id: `counters|${id}|r3#1`, at: expect.any(Date) });
  });
});

// FerretDB 1.x applies conditional updates as query, modify, replace: the conditional writer's
// concurrency contract holds only on MongoDB, so it exists in runs whose servers are MongoDB.
if (!onFerretDb) {
  describe('the conditional writer across processes (MongoDB)', () => {
    concurrencyContract('conditional');
    boundedAppendContract('conditional');
  });
}
