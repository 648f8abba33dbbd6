import { status } from '@grpc/grpc-js';
import { createServer, type Server } from 'node:net';
import { aClinicId, aResident } from '../builders/identity';
import { errorDetails, failureOf, retryDelayOf } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

/** A loopback port that refuses every connection: an identity provider that is down. */
async function refusingPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('RetryInfo of errors a caller may retry as they are', () => {
  let sut: ServiceUnderTest;
  afterAll(async () => {
    await sut.stop();
  });

  it("a key set that cannot be fetched is UNAVAILABLE (TOKEN_KEYS_UNAVAILABLE) with a RetryInfo of 1 s, in the called service's domain", async () => {
    sut = await startServiceUnderTest({ env: { AUTH_PUBLIC_KEY: '', AUTH_JWKS_URL: `http://127.0.0.1:${await refusingPort()}/jwks.json` } });

    const staffCall = failureOf((await sut.staff(aClinicId())).getClinicSettings({ clinicId: aClinicId() }));
    const eserviceCall = failureOf((await sut.eservice()).listEntitlements({ personalIdentityNumber: aResident() }));
    const [staffError, eserviceError] = await Promise.all([staffCall, eserviceCall]);

    expect(staffError.code).toBe(status.UNAVAILABLE);
    expect(errorDetails(staffError)).toMatchObject({ reason: 'TOKEN_KEYS_UNAVAILABLE', domain: 'residentaccess.v1.ClinicSettingsService' });
    expect(retryDelayOf(staffError)).toEqual({ seconds: 1, nanos: 0 });
    expect(eserviceError.code).toBe(status.UNAVAILABLE);
    expect(errorDetails(eserviceError)).toMatchObject({ reason: 'TOKEN_KEYS_UNAVAILABLE', domain: 'residentaccess.v1.EntitlementService' });
    expect(retryDelayOf(eserviceError)).toEqual({ seconds: 1, nanos: 0 });
  });
});
