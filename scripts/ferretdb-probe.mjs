#!/usr/bin/env node
// Small probes of a MongoDB-protocol server, to compare FerretDB's backends (docs/ferretdb.md,
// "PostgreSQL backend"); not the bench (`npm run bench`). Seeds a fresh database with N documents
// of ~1 KB with string `_id`s, then measures on random existing documents: findOne({_id}) at 1 and
// 8 in flight, updateOne({_id, revision}) (each on a document not updated before, so every one
// matches) and updateOne({_id}) at 32 in flight, and 5 insertMany calls of 500 new documents.
// Each load runs until PROBE_SECONDS (15) or 3000 operations, and at least 2 rounds of its
// concurrency. Drops its database at the end.
//   MONGODB_URI=mongodb://127.0.0.1:27017 node scripts/ferretdb-probe.mjs [N=50000]
import { MongoClient } from 'mongodb';

const uri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017';
const N = Number(process.argv[2] ?? 50_000);
const SECONDS = Number(process.env.PROBE_SECONDS ?? 15);
const MAX_OPS = 3000;
const PAYLOAD = 'x'.repeat(900);
const idOf = (i) => `clinic-${String(i % 50).padStart(4, '0')}|${String(190000000000 + i)}`;
const docOf = (i) => ({ _id: idOf(i), revision: 1, clinicId: `clinic-${i % 50}`, note: '', payload: PAYLOAD });
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const out = (line) => process.stdout.write(`${line}\n`);

async function load(label, inFlight, op) {
  const ms = [];
  let next = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < MAX_OPS && (Date.now() < deadline || ms.length < inFlight * 2)) {
        const k = next++;
        const t = process.hrtime.bigint();
        await op(k);
        ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  ms.sort((a, b) => a - b);
  out(
    `${label.padEnd(34)} n=${String(ms.length).padStart(4)}  median ${quantile(ms, 0.5).toFixed(2).padStart(9)} ms` +
      `  p90 ${quantile(ms, 0.9).toFixed(2).padStart(9)} ms  ${(ms.length / seconds).toFixed(1).padStart(7)} ops/s`,
  );
}

const client = await MongoClient.connect(uri, { directConnection: true, maxPoolSize: 40 });
const db = client.db('ferretdb_probe');
try {
  const build = await db.admin().command({ buildInfo: 1 });
  out(`${uri}: ${build.ferretdbVersion ? `FerretDB ${build.ferretdbVersion}` : `MongoDB ${build.version}`}`);
  await db.dropDatabase();
  const coll = db.collection('docs');
  const t0 = Date.now();
  for (let i = 0; i < N; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 1000); j += 1) batch.push(docOf(j));
    await coll.insertMany(batch, { ordered: false });
  }
  out(`seeded ${N} documents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const random = () => idOf(Math.floor(Math.random() * N));
  for (const inFlight of [1, 8]) {
    await load(`findOne({_id}) x${inFlight}`, inFlight, async () => {
      if (!(await coll.findOne({ _id: random() }))) throw new Error('findOne found nothing');
    });
  }
  const order = Array.from({ length: N }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  await load('updateOne({_id, revision}) x32', 32, async (k) => {
    const r = await coll.updateOne({ _id: idOf(order[k]), revision: 1 }, { $set: { revision: 2, note: `c${k}` } });
    if (r.matchedCount !== 1) throw new Error(`updateOne({_id, revision}) matched ${r.matchedCount}`);
  });
  await load('updateOne({_id}) x32', 32, async (k) => {
    const r = await coll.updateOne({ _id: random() }, { $set: { note: `u${k}` } });
    if (r.matchedCount !== 1) throw new Error(`updateOne({_id}) matched ${r.matchedCount}`);
  });
  const inserts = [];
  for (let call = 0; call < 5; call += 1) {
    const batch = Array.from({ length: 500 }, (_, i) => docOf(N + call * 500 + i));
    const t = process.hrtime.bigint();
    await coll.insertMany(batch, { ordered: false });
    inserts.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  out(`insertMany(500) x5: ${inserts.map((x) => x.toFixed(0)).join(', ')} ms`);
} finally {
  await db.dropDatabase().catch(() => undefined);
  await client.close();
}
