import { MongoClient } from 'mongodb';
import { MongoSharedBuckets } from '../../src/storage-mongo/mongo-shared-buckets';
import { integrationServers, uniqueName } from '../support/test-env';

/**
 * The rate limits' shared buckets on the real database: instances leasing from one bucket at once
 * never get more than it holds (each lease is a conditional write on the value it read).
 */
describe('MongoSharedBuckets', () => {
  let client: MongoClient;
  let database: ReturnType<MongoClient['db']>;
  beforeAll(async () => {
    client = await MongoClient.connect(integrationServers().mongoUri, { maxPoolSize: 16 });
    database = client.db(uniqueName('buckets').replace(/-/g, '_'));
  });
  afterAll(async () => {
    await database?.dropDatabase().catch(() => undefined);
    await client?.close();
  });

  it('8 instances leasing from one bucket at once get exactly its burst between them', async () => {
    const rule = { burst: 20, perSecond: 0.001 }; // no refill within the test
    const now = Date.now();
    const instances = Array.from({ length: 8 }, () => new MongoSharedBuckets(database.collection('rate_limit_buckets'), 50));
    const granted = await Promise.all(
      instances.map(async (buckets) => {
        let total = 0;
        for (let i = 0; i < 5; i++) total += (await buckets.lease('listings', 'staff-racing', rule, 1, now)).granted;
        return total;
      }),
    );
    expect(granted.reduce((a, b) => a + b, 0)).toBe(20);
    expect((await instances[0]!.lease('listings', 'staff-racing', rule, 1, now)).granted).toBe(0);
    expect((await instances[0]!.lease('listings', 'staff-other', rule, 1, now)).granted).toBe(1);
  });
});
