import { MongoClient, type Db } from 'mongodb';
import { DomainError } from '../../src/domain/errors/domain-error';
import { MongoAccessLog } from '../../src/storage-mongo/mongo-access-log';
import { withChangeWriteErrors } from '../../src/storage-mongo/mongo-errors';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { integrationServers, uniqueName } from '../support/test-env';

/**
 * A bulk write (`insertMany`) whose connection is cut before the server answers: the driver throws
 * a MongoBulkWriteError wrapping its network error. It is a storage failure with a code of its
 * own, never an unknown error (INTERNAL). Writes are not retried by the driver here, so the cut is
 * what the code sees, as it is when the retry fails too.
 */
describe('bulk writes cut off by a lost connection', () => {
  let proxy: TcpProxy;
  let client: MongoClient;
  let db: Db;

  beforeEach(async () => {
    const target = new URL(integrationServers().mongoUri.replace(/^mongodb:/, 'http:'));
    proxy = await startTcpProxy(Number(target.port || 27017), target.hostname);
    client = await MongoClient.connect(`mongodb://${proxy.address}/?directConnection=true`, { retryWrites: false, serverSelectionTimeoutMS: 2000 });
    db = client.db(uniqueName('cut_bulk').replace(/-/g, '_'));
    await db.collection('probe').insertOne({ warm: true });
  });
  afterEach(async () => {
    await client.close().catch(() => undefined);
    await proxy.stop();
  });

  /** Starts `write` with the proxy holding every byte back, then cuts the connection under it. */
  async function cutDuring<T>(write: () => Promise<T>): Promise<unknown> {
    proxy.delay(500);
    const outcome = write().then(
      () => 'stored',
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(proxy.cut()).toBeGreaterThan(0);
    proxy.pass();
    return outcome;
  }

  it("fails an access-log entry's read with STORAGE_UNAVAILABLE naming the access log", async () => {
    const log = await MongoAccessLog.in(db, { batchSize: 500, maxWritesInFlight: 2, maxWaitingPerCaller: 5000 });
    const at = new Date();
    const entry = {
      at,
      subject: 'staff-1',
      clinicId: null,
      residentPseudonym: 'pseudonym-1',
      read: 'GetResidentAccess' as const,
      authority: 'role:staff',
      expiresAt: new Date(at.getTime() + 60_000),
    };
    const refusal = await cutDuring(() => log.record([entry]));
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).code).toBe('STORAGE_UNAVAILABLE');
    expect((refusal as DomainError).message).toContain('access log');
  });

  it('leaves the outcome of a change written in bulk unknown (the server may have stored it)', async () => {
    const refusal = await cutDuring(() => withChangeWriteErrors(() => db.collection('changes').insertMany([{ n: 1 }, { n: 2 }])));
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).code).toBe('STORAGE_OUTCOME_UNKNOWN');
    expect((refusal as DomainError & { cause?: Error }).cause?.name).toBe('MongoBulkWriteError');
  });
});
