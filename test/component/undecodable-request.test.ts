import { status } from '@grpc/grpc-js';
import { errorDetails } from '../support/grpc-client';
import { RawClient } from '../support/raw-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { signTestToken } from '../support/tokens';

describe('a request whose bytes are no valid message', () => {
  let sut: ServiceUnderTest;
  let raw: RawClient;

  beforeAll(async () => {
    sut = await startServiceUnderTest();
    raw = new RawClient(sut.service.port);
  });

  afterAll(async () => {
    raw?.close();
    await sut?.stop();
  });

  it('is answered INVALID_ARGUMENT naming the message, not INTERNAL', async () => {
    const clinicId = await sut.givenClinic();
    const token = await signTestToken({ clinics: [clinicId], roles: ['staff'] });
    const endlessVarint = Uint8Array.from([0x08, ...Array<number>(11).fill(0xff)]);

    const outcome = await raw.call('/residentaccess.v1.ResidentAccessService/LookupResident', endlessVarint, token);

    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe(status.INVALID_ARGUMENT);
    expect(outcome.error.details).toBe('request is not a valid LookupResidentRequest');
    expect(errorDetails(outcome.error).reason).toBe('VALIDATION_FAILED');
  });

  it('is refused as unauthenticated first when the caller has no valid token', async () => {
    const outcome = await raw.call('/residentaccess.v1.ResidentAccessService/LookupResident', Uint8Array.from([0x0a]), 'not-a-token');

    expect(outcome.ok ? undefined : outcome.error.code).toBe(status.UNAUTHENTICATED);
  });
});
