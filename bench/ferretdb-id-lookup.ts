/**
 * Cost of single-document operations by `_id` as the collection grows:
 * `npx tsx bench/ferretdb-id-lookup.ts [sizes]` (default `20000,100000`).
 *
 * For each size it seeds a fresh collection with that many ~1 KB documents (string `_id`s shaped
 * like the service's `<clinic>|<number>`), then times, one at a time on random existing
 * documents: findOne({_id}), updateOne({_id}, {$set}), updateOne({_id, revision}, {$set}),
 * insertOne of a new document and deleteOne({_id}) of it (so the size stays put). It prints the
 * median, p90 and mean per operation and how FerretDB explains findOne({_id}).
 *
 * Written to show the FerretDB 1.24 / SQLite `_id` index problem and the local stack's patch for
 * it (docs/ferretdb.md, "Indexes"); works against MongoDB too.
 *
 * Server: MONGODB_URI, by default the local stack. Uses its own database, dropped at the end.
 * BENCH_OPS (default 200) caps the samples per operation; BENCH_OP_SECONDS (default 10) caps the
 * time spent on each (at least 10 samples are always taken).
 */
import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection } from 'mongodb';

interface Doc {
  _id: string;
  revision: number;
  clinicId: string;
  note: string;
  payload: string;
}

const uri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017';
const sizes = (process.argv[2] ?? '20000,100000').split(',').map((s) => Number(s.trim()));
const MAX_OPS = Number(process.env.BENCH_OPS ?? 200);
const MAX_SECONDS = Number(process.env.BENCH_OP_SECONDS ?? 10);
const MIN_OPS = 10;
const SEED_BATCH = 1000;
const PAYLOAD = 'x'.repeat(900); // with the other fields, ~1 KB of BSON per document

const idOf = (i: number) => `clinic-${String(i % 50).padStart(4, '0')}|${String(190000000000 + i)}`;
const docOf = (i: number): Doc => ({ _id: idOf(i), revision: 1, clinicId: `clinic-${i % 50}`, note: '', payload: PAYLOAD });

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { n: s.length, median: at(0.5), p90: at(0.9), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function time(label: string, op: (k: number) => Promise<void>, maxOps = MAX_OPS) {
  const samples: number[] = [];
  const deadline = Date.now() + MAX_SECONDS * 1000;
  for (let k = 0; k < maxOps && (k < MIN_OPS || Date.now() < deadline); k += 1) {
    const t0 = process.hrtime.bigint();
    await op(k);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { label, ...stats(samples) };
}

async function seed(coll: Collection<Doc>, size: number) {
  const t0 = Date.now();
  for (let i = 0; i < size; i += SEED_BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(size, i + SEED_BATCH); j += 1) batch.push(docOf(j));
    await coll.insertMany(batch, { ordered: false });
  }
  return (Date.now() - t0) / 1000;
}

async function main() {
  const client = new MongoClient(uri, { directConnection: true });
  await client.connect();
  const dbName = `bench_idlookup_${randomUUID().slice(0, 8)}`;
  const db = client.db(dbName);
  const build = await db.admin().command({ buildInfo: 1 });
  process.stdout.write(`server ${uri}: ${build.version}\n`);
  try {
    for (const size of sizes) {
      const coll = db.collection<Doc>(`docs_${size}`);
      const seconds = await seed(coll, size);
      const sample = await coll.findOne({ _id: idOf(0) });
      const bytes = sample ? JSON.stringify(sample).length : 0;
      process.stdout.write(`\n${size} documents (~${bytes} B each as JSON), seeded in ${seconds.toFixed(1)} s\n`);

      const explain = await coll.find({ _id: idOf(1) }).explain();
      process.stdout.write(`explain find({_id}): ${JSON.stringify(explain.queryPlanner ?? explain)}\n`);

      const random = () => idOf(Math.floor(Math.random() * size));
      const results = [];
      results.push(
        await time('findOne({_id})', async () => {
          const id = random();
          if (!(await coll.findOne({ _id: id }))) throw new Error(`findOne found no ${id}`);
        }),
      );
      results.push(
        await time('updateOne({_id}, {$set})', async (k) => {
          const r = await coll.updateOne({ _id: random() }, { $set: { note: `a${k}` } });
          if (r.matchedCount !== 1) throw new Error('updateOne({_id}) matched nothing');
        }),
      );
      results.push(
        await time('updateOne({_id, revision}, {$set})', async (k) => {
          const r = await coll.updateOne({ _id: random(), revision: 1 }, { $set: { note: `b${k}` } });
          if (r.matchedCount !== 1) throw new Error('updateOne({_id, revision}) matched nothing');
        }),
      );
      const inserted: string[] = [];
      results.push(
        await time('insertOne', async (k) => {
          const doc = docOf(size + k);
          await coll.insertOne(doc);
          inserted.push(doc._id);
        }),
      );
      results.push(
        await time(
          'deleteOne({_id})',
          async (k) => {
            // The documents just inserted, so the collection keeps its size.
            const r = await coll.deleteOne({ _id: inserted[k] });
            if (r.deletedCount !== 1) throw new Error('deleteOne({_id}) deleted nothing');
          },
          inserted.length,
        ),
      );

      process.stdout.write('operation                              n   median ms    p90 ms   mean ms\n');
      for (const r of results) {
        process.stdout.write(`${r.label.padEnd(36)} ${String(r.n).padStart(4)} ${r.median.toFixed(2).padStart(11)} ${r.p90.toFixed(2).padStart(9)} ${r.mean.toFixed(2).padStart(9)}\n`);
      }
      await coll.drop();
    }
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
