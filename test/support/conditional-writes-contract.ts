import { MongoClient, type Collection } from 'mongodb';

/**
 * The write contract the service relies on from its database server (MongoDB's): a conditional
 * update, findAndModify or delete reads and writes one document atomically. Many writers, spread
 * over several clients (as several service instances would be), race on a few documents for a
 * bounded number of operations; afterwards every write the server acknowledged must show in the
 * documents, and nothing it did not acknowledge. FerretDB 1.24.2 without the local patch breaks it
 * (docs/ferretdb.md, "Atomic updates (the local patch)").
 */

export interface ContractOptions {
  /** MongoClients the writers are spread over. */
  clients: number;
  /** Operations in flight at once, over all clients. */
  writers: number;
  /** Operations each writer attempts (bounded work, not a duration). */
  attemptsPerWriter: number;
  /** Documents the writers share. */
  documents: number;
}

export const CONTRACT_OPTIONS: ContractOptions = { clients: 8, writers: 32, attemptsPerWriter: 8, documents: 8 };

export interface Outcome {
  /** Successful writes the server reported. */
  acknowledged: number;
  /** Writes the documents show. */
  applied: number;
  /** Whatever else disagrees (empty when the contract holds). */
  mismatches: string[];
  ms: number;
}

interface Doc {
  _id: string;
  revision: number;
  log: string[];
}

export type CaseName =
  'updateOne compare-and-set' | 'findOneAndUpdate compare-and-set' | 'bulkWrite compare-and-set' | 'unconditional $inc and $push' | 'conditional delete against compare-and-set';

/** Connects the clients once; each case gets a fresh collection in `database`. */
export async function openContract(uri: string, database: string, options: ContractOptions = CONTRACT_OPTIONS) {
  const clients = await Promise.all(Array.from({ length: options.clients }, () => MongoClient.connect(uri, { maxPoolSize: 8, serverSelectionTimeoutMS: 10_000 })));
  const dbs = clients.map((c) => c.db(database));
  let runs = 0;
  return {
    run: async (name: CaseName): Promise<Outcome> => {
      runs += 1;
      const collection = `contract_${runs}`;
      return CASES[name](
        dbs.map((db) => db.collection<Doc>(collection)),
        options,
      );
    },
    buildInfo: () => dbs[0]!.admin().command({ buildInfo: 1 }),
    close: async () => {
      await dbs[0]!.dropDatabase().catch(() => undefined);
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

type Runner = (collections: Collection<Doc>[], options: ContractOptions) => Promise<Outcome>;

const ids = (n: number) => Array.from({ length: n }, (_, i) => `doc-${i}`);
const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;

async function seed(c: Collection<Doc>, options: ContractOptions): Promise<void> {
  await c.insertMany(ids(options.documents).map((_id) => ({ _id, revision: 0, log: [] })));
}

/**
 * Runs `writers` loops of `attemptsPerWriter` steps, writer w on client w mod clients. The writers
 * start each step together (a barrier), so that many read the same revision of a document and then
 * write it at once: the race a non-atomic server loses, made likely rather than left to chance.
 */
async function race(collections: Collection<Doc>[], options: ContractOptions, step: (c: Collection<Doc>, token: string) => Promise<void>): Promise<number> {
  const started = performance.now();
  const together = barrier(options.writers);
  await Promise.all(
    Array.from({ length: options.writers }, async (_, w) => {
      const c = collections[w % collections.length]!;
      for (let i = 0; i < options.attemptsPerWriter; i++) {
        await together();
        await step(c, `w${w}-${i}`);
      }
    }),
  );
  return performance.now() - started;
}

/** Resolves the callers n at a time, when the n-th arrives. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let release: () => void = () => undefined;
  let next = new Promise<void>((resolve) => (release = resolve));
  return () => {
    const mine = next;
    arrived += 1;
    if (arrived === n) {
      arrived = 0;
      const open = release;
      next = new Promise<void>((resolve) => (release = resolve));
      open();
    }
    return mine;
  };
}

/**
 * Checks the documents against the tokens of acknowledged writes: each document's log holds exactly
 * the tokens acknowledged for it, once each, and its revision counts them.
 */
async function account(c: Collection<Doc>, acknowledged: Map<string, string[]>, ms: number): Promise<Outcome> {
  const docs = await c.find({}).toArray();
  const mismatches: string[] = [];
  let applied = 0;
  let count = 0;
  for (const doc of docs) {
    const expected = [...(acknowledged.get(doc._id) ?? [])].sort();
    const shown = [...doc.log].sort();
    applied += doc.revision;
    count += expected.length;
    if (doc.log.length !== doc.revision) mismatches.push(`${doc._id}: revision ${doc.revision} but ${doc.log.length} entries`);
    if (JSON.stringify(shown) !== JSON.stringify(expected)) {
      const lost = expected.filter((t) => !shown.includes(t));
      const unacknowledged = shown.filter((t) => !expected.includes(t));
      mismatches.push(`${doc._id}: ${lost.length} acknowledged writes lost, ${unacknowledged.length} unacknowledged shown`);
    }
  }
  return { acknowledged: count, applied, mismatches, ms };
}

function acknowledge(map: Map<string, string[]>, id: string, token: string): void {
  map.set(id, [...(map.get(id) ?? []), token]);
}

const updateOneCas: Runner = async (collections, options) => {
  const c0 = collections[0]!;
  await seed(c0, options);
  const acknowledged = new Map<string, string[]>();
  const ms = await race(collections, options, async (c, token) => {
    const id = pick(ids(options.documents));
    const doc = await c.findOne({ _id: id });
    const res = await c.updateOne({ _id: id, revision: doc!.revision }, { $inc: { revision: 1 }, $push: { log: token } });
    if (res.matchedCount !== res.modifiedCount) throw new Error(`matched ${res.matchedCount} but modified ${res.modifiedCount}`);
    if (res.modifiedCount === 1) acknowledge(acknowledged, id, token);
  });
  return account(c0, acknowledged, ms);
};

const findOneAndUpdateCas: Runner = async (collections, options) => {
  const c0 = collections[0]!;
  await seed(c0, options);
  const acknowledged = new Map<string, string[]>();
  const wrong: string[] = [];
  const ms = await race(collections, options, async (c, token) => {
    const id = pick(ids(options.documents));
    const doc = await c.findOne({ _id: id });
    const after = await c.findOneAndUpdate({ _id: id, revision: doc!.revision }, { $inc: { revision: 1 }, $push: { log: token } }, { returnDocument: 'after' });
    if (after === null) return;
    acknowledge(acknowledged, id, token);
    // The document returned is the one this write produced.
    if (after.revision !== doc!.revision + 1 || after.log.at(-1) !== token) wrong.push(`${token} got revision ${after.revision}, last entry ${after.log.at(-1)}`);
  });
  const outcome = await account(c0, acknowledged, ms);
  return { ...outcome, mismatches: [...outcome.mismatches, ...wrong.slice(0, 5).map((w) => `findOneAndUpdate returned another write's document: ${w}`)] };
};

/** Each write: read every document, then one bulkWrite of a compare-and-set per document (unordered). */
const bulkWriteCas: Runner = async (collections, options) => {
  const c0 = collections[0]!;
  await seed(c0, options);
  let acknowledgedCount = 0;
  const ms = await race(collections, options, async (c, token) => {
    const docs = await c.find({}).toArray();
    const res = await c.bulkWrite(
      docs.map((d) => ({ updateOne: { filter: { _id: d._id, revision: d.revision }, update: { $inc: { revision: 1 }, $push: { log: token } } } })),
      { ordered: false },
    );
    if (res.matchedCount !== res.modifiedCount) throw new Error(`matched ${res.matchedCount} but modified ${res.modifiedCount}`);
    acknowledgedCount += res.modifiedCount;
  });
  // Which of a bulkWrite's updates matched is not reported, so count only.
  const docs = await c0.find({}).toArray();
  const applied = docs.reduce((n, d) => n + d.revision, 0);
  const mismatches = docs.filter((d) => d.log.length !== d.revision).map((d) => `${d._id}: revision ${d.revision} but ${d.log.length} entries`);
  if (applied !== acknowledgedCount) mismatches.push(`${acknowledgedCount} updates acknowledged, ${applied} applied`);
  return { acknowledged: acknowledgedCount, applied, mismatches, ms };
};

const unconditional: Runner = async (collections, options) => {
  const c0 = collections[0]!;
  await seed(c0, options);
  const acknowledged = new Map<string, string[]>();
  const ms = await race(collections, options, async (c, token) => {
    const id = pick(ids(options.documents));
    const res = await c.updateOne({ _id: id }, { $inc: { revision: 1 }, $push: { log: token } });
    if (res.modifiedCount !== 1) throw new Error(`an unconditional update of ${id} modified ${res.modifiedCount}`);
    acknowledge(acknowledged, id, token);
  });
  return account(c0, acknowledged, ms);
};

/**
 * Compare-and-set updates race with conditional deletes `deleteOne({_id, revision})` (one in eight
 * operations). Every acknowledged update moved its document one revision on, and a document deleted
 * at revision r was at r, so its updates are exactly r; a surviving document shows them all.
 */
const deleteAgainstUpdate: Runner = async (collections, options) => {
  const c0 = collections[0]!;
  const documents = options.documents * 4; // deletes remove documents; keep some to race on
  await seed(c0, { ...options, documents });
  const acknowledged = new Map<string, string[]>();
  const deletedAt = new Map<string, number[]>();
  const ms = await race(collections, options, async (c, token) => {
    const id = pick(ids(documents));
    const doc = await c.findOne({ _id: id });
    if (doc === null) return;
    if (Math.random() < 1 / 8) {
      const res = await c.deleteOne({ _id: id, revision: doc.revision });
      if (res.deletedCount === 1) deletedAt.set(id, [...(deletedAt.get(id) ?? []), doc.revision]);
    } else {
      const res = await c.updateOne({ _id: id, revision: doc.revision }, { $inc: { revision: 1 }, $push: { log: token } });
      if (res.modifiedCount === 1) acknowledge(acknowledged, id, token);
    }
  });
  const remaining = new Map((await c0.find({}).toArray()).map((d) => [d._id, d]));
  const mismatches: string[] = [];
  let applied = 0;
  let count = 0;
  for (const id of ids(documents)) {
    const updates = acknowledged.get(id)?.length ?? 0;
    const deletes = deletedAt.get(id) ?? [];
    const doc = remaining.get(id);
    count += updates;
    if (deletes.length > 1) mismatches.push(`${id}: deleted ${deletes.length} times`);
    if (doc && deletes.length > 0) mismatches.push(`${id}: deleted (acknowledged) but still there`);
    const shown = doc ? doc.revision : (deletes[0] ?? 0);
    applied += shown;
    if (shown !== updates) mismatches.push(`${id}: ${updates} updates acknowledged, ${doc ? `revision ${shown}` : `deleted at revision ${shown}`}`);
    if (doc && doc.log.length !== doc.revision) mismatches.push(`${id}: revision ${doc.revision} but ${doc.log.length} entries`);
  }
  return { acknowledged: count, applied, mismatches, ms };
};

const CASES: Record<CaseName, Runner> = {
  'updateOne compare-and-set': updateOneCas,
  'findOneAndUpdate compare-and-set': findOneAndUpdateCas,
  'bulkWrite compare-and-set': bulkWriteCas,
  'unconditional $inc and $push': unconditional,
  'conditional delete against compare-and-set': deleteAgainstUpdate,
};

export const CASE_NAMES = Object.keys(CASES) as CaseName[];

/** For a failing test's message and the measurements in docs/ferretdb.md. */
export function describeOutcome(name: string, o: Outcome): string {
  const ops = Math.round((o.acknowledged / o.ms) * 1000);
  return `${name}: ${o.acknowledged} acknowledged, ${o.applied} applied, ${Math.round(o.ms)} ms (${ops} acknowledged/s)${o.mismatches.length ? `; ${o.mismatches.slice(0, 6).join('; ')}` : ''}`;
}
