import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/domain/ports/clock';
import { aResident } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { signTestToken } from '../support/tokens';

const DAY_MS = 24 * 60 * 60_000;
const RETENTION_DAYS = 30;

/** A clock the tests may move; it runs with real time otherwise. */
const clock: Clock & { offsetMs: number } = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

describe('request ids: scoped per clinic and caller, remembered for REQUEST_ID_RETENTION_DAYS', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let first: Api;
  let second: Api;
  beforeAll(async () => {
    sut = await startServiceUnderTest({ clock, env: { REQUEST_ID_RETENTION_DAYS: String(RETENTION_DAYS) } });
  });
  afterAll(async () => {
    await sut.stop();
  });
  beforeEach(async () => {
    clock.offsetMs = 0;
    clinicId = await sut.givenClinic();
    first = sut.api(await signTestToken({ sub: 'staff-1', clinics: [clinicId] }));
    second = sut.api(await signTestToken({ sub: 'staff-2', clinics: [clinicId] }));
  });

  const approve = (as: Api, resident: string, requestId: string, at = clinicId) =>
    as.approveResident(anApproveResidentRequest({ clinicId: at, personalIdentityNumber: resident, requestId }));
  const removeApproval = (as: Api, resident: string, requestId = randomUUID()) => as.removeApproval({ clinicId, personalIdentityNumber: resident, requestId, etag: '' });
  const documentOf = (resident: string, at = clinicId) => sut.access.findOne({ _id: `${at}|${resident}` });

  it("one caller's request id neither replays nor blocks another caller's, at the same resident or another", async () => {
    const [resident, other] = [aResident(), aResident()];
    const id = randomUUID();
    await approve(first, resident, id);
    await removeApproval(first, resident);

    // Another caller, the same id: a change of its own, not the first caller's answer nor ALREADY_EXISTS.
    const again = await approve(second, resident, id);
    const elsewhere = await approve(second, other, randomUUID());
    const sameIdOtherResident = await approve(second, other, id).catch((error: unknown) => error);

    expect(again).toMatchObject({ changed: true, access: { version: 3 } });
    expect((await documentOf(resident))?.approval).toMatchObject({ actor: 'staff-2' });
    expect(elsewhere.changed).toBe(true);
    // Within its own scope the id is still refused for another request.
    expect(errorDetails(sameIdOtherResident as never).reason).toBe('REQUEST_ID_REUSED');
  });

  it('the same caller may use one id at two clinics: two independent changes', async () => {
    const otherClinic = await sut.givenClinic();
    const both = sut.api(await signTestToken({ sub: 'staff-1', clinics: [clinicId, otherClinic] }));
    const resident = aResident();
    const id = randomUUID();

    const here = await approve(both, resident, id);
    const there = await approve(both, resident, id, otherClinic);

    expect([here.changed, there.changed]).toEqual([true, true]);
    expect(await documentOf(resident, otherClinic)).toMatchObject({ approval: { actor: 'staff-1', requestId: id } });
  });

  it('a retry within the retention gets the same answer; the record keeps expiresAt for the TTL index', async () => {
    const resident = aResident();
    const id = randomUUID();
    const answer = await approve(first, resident, id);
    await removeApproval(first, resident);
    clock.offsetMs = (RETENTION_DAYS - 1) * DAY_MS;

    const retry = await approve(first, resident, id);
    const reused = await failureOf(approve(first, aResident(), id));

    expect(retry).toEqual(answer);
    expect((await documentOf(resident))?.approval).toBeNull();
    expect(reused.code).toBe(status.ALREADY_EXISTS);
    const record = await sut.db.collection<{ _id: string; at: Date; expiresAt: Date }>('request_ids').findOne({ _id: `${clinicId}|staff-1|${id}` });
    expect(record?.expiresAt).toBeInstanceOf(Date);
    expect(record!.expiresAt.getTime() - record!.at.getTime()).toBe(RETENTION_DAYS * DAY_MS);
  });

  it('after the retention the id is new again: no replay of the old answer, and free for another request', async () => {
    const [resident, other] = [aResident(), aResident()];
    const id = randomUUID();
    const otherId = randomUUID();
    await approve(first, resident, id);
    await approve(first, other, otherId);
    await removeApproval(first, resident);
    clock.offsetMs = (RETENTION_DAYS + 1) * DAY_MS;

    const renewed = await approve(first, resident, id);
    await removeApproval(first, other);
    const reusedForAnother = await approve(first, other, id === otherId ? randomUUID() : otherId);

    expect(renewed).toMatchObject({ changed: true, access: { version: 3 } });
    expect(await documentOf(resident)).toMatchObject({ approval: { actor: 'staff-1', requestId: id } });
    expect(reusedForAnother).toMatchObject({ changed: true, access: { version: 3 } });
  });
});
