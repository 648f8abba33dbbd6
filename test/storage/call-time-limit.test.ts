import { MongoClient, type CommandStartedEvent, type Db, type Document } from 'mongodb';
import { DomainError } from '../../src/domain/errors/domain-error';
import { runWithDeadline, runWithoutDeadline } from '../../src/shared/deadline-scope';
import { boundedByCallDeadlines } from '../../src/storage-mongo/call-time-limit';
import { withStorageErrors } from '../../src/storage-mongo/mongo-errors';
import { integrationServers, uniqueName } from '../support/test-env';

/**
 * The database operations done for a gRPC call carry a server-side time limit (maxTimeMS) from the
 * call's deadline, read here from the commands the driver sends to the real server (command
 * monitoring); work outside any call is sent without one; and the server stops a read at it.
 */
const CEILING_MS = 20_000;
const database = uniqueName('time_limit').replace(/-/g, '_');
let client: MongoClient;
let db: Db;
const sent: CommandStartedEvent[] = [];

beforeAll(async () => {
  client = await MongoClient.connect(integrationServers().mongoUri, { maxPoolSize: 8, monitorCommands: true });
  client.on('commandStarted', (event) => sent.push(event));
  db = boundedByCallDeadlines(client.db(database), { ceilingMs: CEILING_MS });
});

afterAll(async () => {
  await client.db(database).dropDatabase();
  await client.close();
});

/** The commands `work` sent to this test's database, by command name, with their maxTimeMS (null: none). */
async function limitsSentBy(work: () => Promise<unknown>): Promise<[string, number | null][]> {
  const from = sent.length;
  await work();
  return sent
    .slice(from)
    .filter((e) => e.databaseName === database)
    .map((e) => [e.commandName, typeof e.command.maxTimeMS === 'number' ? e.command.maxTimeMS : null]);
}

/** One operation of every kind the adapters use. */
async function everyKindOfOperation(): Promise<void> {
  const docs = db.collection<Document & { _id: string }>('docs');
  const id = uniqueName('doc');
  await docs.insertOne({ _id: id, n: 1 });
  await docs.insertMany([{ _id: `${id}-a` }, { _id: `${id}-b` }], { ordered: false });
  await docs.findOne({ _id: id });
  await docs.find({ n: 1 }).sort({ _id: 1 }).limit(5).toArray();
  await docs.countDocuments({ n: 1 });
  await docs.updateOne({ _id: id }, { $set: { n: 2 } });
  await docs.replaceOne({ _id: `${id}-a` }, { n: 3 });
  await docs.findOneAndUpdate({ _id: id }, { $set: { n: 4 } }, { returnDocument: 'before' });
  await docs.bulkWrite([{ updateOne: { filter: { _id: id }, update: { $set: { n: 5 } } } }]);
  await docs.deleteOne({ _id: `${id}-b` });
  await docs.deleteMany({ _id: `${id}-a` });
}

const EVERY_COMMAND = ['insert', 'insert', 'find', 'find', 'aggregate', 'update', 'update', 'findAndModify', 'update', 'delete', 'delete'];

describe("database operations and the call's deadline", () => {
  it("every operation done for a call is sent with the call's remaining time as its maxTimeMS", async () => {
    const deadline = Date.now() + 5000;
    const limits = await limitsSentBy(() => runWithDeadline(deadline, everyKindOfOperation));

    expect(limits.map(([name]) => name)).toEqual(EVERY_COMMAND);
    for (const [name, maxTimeMS] of limits) {
      expect([name, maxTimeMS! > 0 && maxTimeMS! <= 5000]).toEqual([name, true]);
    }
    // Each is what was left when it was sent: later ones no more than earlier ones.
    const sentLimits = limits.map(([, ms]) => ms!);
    expect(sentLimits).toEqual([...sentLimits].sort((a, b) => b - a));
  });

  it('a call without a deadline gets the ceiling, and so does one whose deadline is further away', async () => {
    for (const deadline of [Infinity, Date.now() + 10 * CEILING_MS]) {
      const limits = await limitsSentBy(() => runWithDeadline(deadline, everyKindOfOperation));
      expect(limits).toEqual(EVERY_COMMAND.map((name) => [name, CEILING_MS]));
    }
  });

  it('a call whose deadline has passed still sends a limit the server ends at once (0 would mean none)', async () => {
    const limits = await limitsSentBy(() =>
      runWithDeadline(Date.now() - 1000, () =>
        db
          .collection('docs')
          .findOne({ _id: 'absent' as never })
          .catch(() => null),
      ),
    );
    expect(limits).toEqual([['find', 1]]);
  });

  it('work outside any call, or started by a call for itself (a background job), is sent without a limit', async () => {
    expect(await limitsSentBy(everyKindOfOperation)).toEqual(EVERY_COMMAND.map((name) => [name, null]));
    const detached = await limitsSentBy(() => runWithDeadline(Date.now() + 5000, () => runWithoutDeadline(everyKindOfOperation)));
    expect(detached).toEqual(EVERY_COMMAND.map((name) => [name, null]));
  });

  it("a write that serves many calls, started outside the call's scope, carries no one call's limit; the call's own reads do", async () => {
    const shared = db.collection<{ _id: string }>('shared_batches');
    const limits = await limitsSentBy(() =>
      runWithDeadline(Date.now() + 5000, async () => {
        await runWithoutDeadline(() => shared.insertMany([{ _id: uniqueName('entry') }]));
        await shared.find({}).limit(1).toArray();
      }),
    );
    expect(limits.map(([name, ms]) => [name, ms !== null])).toEqual([
      ['insert', false],
      ['find', true],
    ]);
  });

  it("the server stops a slow read at the call's deadline, and the adapters report STORAGE_TIMEOUT", async () => {
    const slow = db.collection<Document & { _id: number }>('slow');
    // Documents the server has to take apart one by one for a filter it cannot serve from an index.
    const field = (i: number) => ({ s: `${'x'.repeat(200)}${i}`, a: [1, 2, { q: i }] });
    for (let batch = 0; batch < 2; batch++) {
      await runWithoutDeadline(() =>
        slow.insertMany(Array.from({ length: 250 }, (_, k) => ({ _id: batch * 250 + k, ...Object.fromEntries(Array.from({ length: 10 }, (_, f) => [`f${f}`, field(k)])) }))),
      );
    }
    const nothingMatches = { 'f0.a': { $elemMatch: { q: { $gt: 1e9 } } }, 'f9.s': { $regex: 'zz$' } };
    const read = () => withStorageErrors(() => slow.find(nothingMatches).toArray());
    let started = Date.now();
    await read();
    const unbounded = Date.now() - started;

    started = Date.now();
    const outcome = await runWithDeadline(started + Math.max(1, Math.floor(unbounded / 4)), read).then(
      () => 'finished',
      (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
    );
    const bounded = Date.now() - started;

    expect(outcome).toBe('STORAGE_TIMEOUT');
    expect(bounded).toBeLessThan(unbounded * 0.75 + 50);
  });
});
