import { status, type ServiceError } from '@grpc/grpc-js';
import { aResident } from '../builders/identity';
import { apiOf, errorDetails, failureOf, retryDelayOf, type Api } from '../support/grpc-client';
import { startInstance, type ServiceInstance } from '../support/service-instance';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { signTestToken } from '../support/tokens';

const LOOKUP_BURST = 3;

/** Two instances on one database: a caller's budget is one, whichever instance each call reaches. */
describe('rate limits across instances', () => {
  let sut: ServiceUnderTest;
  let other: ServiceInstance;
  let clinicId: string;
  beforeAll(async () => {
    sut = await startServiceUnderTest({ env: { RATE_LIMIT_LOOKUP_PER_MINUTE: '1', RATE_LIMIT_LOOKUP_BURST: String(LOOKUP_BURST) } });
    other = await startInstance(sut.env, await signTestToken({ sub: 'unused', clinics: [] }));
    clinicId = await sut.givenClinic();
  });
  afterAll(async () => {
    await other?.stop();
    await sut?.stop();
  });

  const staffOn = async (instance: 'first' | 'second', sub: string): Promise<Api> => {
    const token = await signTestToken({ sub, clinics: [clinicId], roles: ['staff'] });
    return instance === 'first' ? sut.api(token) : apiOf(other.clients, token);
  };
  const lookup = (api: Api) => api.lookupResident({ clinicId, personalIdentityNumber: aResident() });
  const expectRateLimited = (error: ServiceError) => {
    expect({ code: error.code, reason: errorDetails(error).reason, retry: retryDelayOf(error) !== undefined }).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      reason: 'RATE_LIMITED',
      retry: true,
    });
  };

  it("a caller's lookups on both instances draw on one bucket: past the burst both refuse; a colleague is not held back", async () => {
    const [onFirst, onSecond] = [await staffOn('first', 'staff-spread'), await staffOn('second', 'staff-spread')];
    await lookup(onFirst);
    await lookup(onSecond);
    await lookup(onFirst);

    expectRateLimited(await failureOf(lookup(onSecond)));
    expectRateLimited(await failureOf(lookup(onFirst)));
    await expect(lookup(await staffOn('second', 'staff-colleague'))).resolves.toMatchObject({ registered: false });
  });

  it('the shared buckets name no caller: the subject is stored hashed, and each bucket expires when it is full again', async () => {
    await lookup(await staffOn('second', 'staff-hashed-subject'));
    const buckets = await sut.db.collection<{ _id: string; expiresAt: Date }>('rate_limit_buckets').find({}).toArray();
    expect(buckets.length).toBeGreaterThan(0);
    expect(JSON.stringify(buckets)).not.toContain('staff-');
    for (const bucket of buckets) expect(bucket.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });
});
