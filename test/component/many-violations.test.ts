import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { MAX_REPORTED_VIOLATIONS } from '../../src/domain/errors/domain-error';
import { errorDetails, failureOf } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

describe('a request with hundreds of bad list elements', () => {
  let sut: ServiceUnderTest;

  beforeAll(async () => {
    sut = await startServiceUnderTest();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('is answered INVALID_ARGUMENT with a bounded list of violations, and the connection stays usable', async () => {
    const clinicId = await sut.givenClinic();
    const admin = await sut.admin(clinicId);
    const serviceArea = { regionCode: '01', municipalityCodes: Array<string>(1_000).fill('not-a-code'), sex: 0, minAge: 0, maxAge: 0 };

    const error = await failureOf(admin.setServiceArea({ clinicId, requestId: randomUUID(), etag: '', serviceArea }));

    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorDetails(error).violations).toHaveLength(MAX_REPORTED_VIOLATIONS);
    expect(error.details).toMatch(/and 980 more$/);
    await expect(admin.getClinicSettings({ clinicId })).resolves.toBeDefined();
  });
});
