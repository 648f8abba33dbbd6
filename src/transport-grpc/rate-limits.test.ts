import { DomainError } from '../domain/errors/domain-error';
import { InMemoryBucketStore } from '../../test/support/in-memory-bucket-store';
import { rateLimits } from './rate-limits';

const generous = { perSecond: 1000, burst: 1000 };

function limitsWith(tight: { residentCalls?: number; listings?: number }, store = new InMemoryBucketStore()) {
  let nowMs = 0;
  const rule = (burst: number | undefined) => (burst === undefined ? generous : { perSecond: 1, burst });
  const settings = { lookup: generous, entitlements: generous, residentCalls: rule(tight.residentCalls), listings: rule(tight.listings), maxCallersRemembered: 100 };
  const limit = rateLimits(
    settings,
    store,
    () => undefined,
    () => nowMs,
  );
  return { limit, advance: (ms: number) => (nowMs += ms) };
}
const limitsWithResidentCalls = (burst: number) => limitsWith({ residentCalls: burst });

async function refusal(call: () => Promise<void>): Promise<string | null> {
  try {
    await call();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'unexpected';
  }
}

describe('rate limits: calls that answer a resident’s access', () => {
  it('GetResidentAccess and every access command draw on one bucket per caller', async () => {
    const { limit } = limitsWithResidentCalls(6);
    const methods = ['GetResidentAccess', 'ApproveResident', 'RemoveApproval', 'GrantCaseType', 'ChangeGrant', 'RemoveGrant'];
    for (const method of methods) expect(await refusal(() => limit(method, 'staff-a'))).toBeNull();
    for (const method of methods) expect(await refusal(() => limit(method, 'staff-a'))).toBe('RATE_LIMITED');
  });

  it('one caller past the burst holds back no other caller, and the bucket refills with time', async () => {
    const { limit, advance } = limitsWithResidentCalls(1);
    await limit('RemoveGrant', 'staff-a');
    expect(await refusal(() => limit('RemoveGrant', 'staff-a'))).toBe('RATE_LIMITED');
    expect(await refusal(() => limit('RemoveGrant', 'staff-b'))).toBeNull();
    advance(1000);
    expect(await refusal(() => limit('RemoveGrant', 'staff-a'))).toBeNull();
  });

  it('leaves calls that answer no resident data unlimited', async () => {
    const { limit } = limitsWithResidentCalls(1);
    for (let i = 0; i < 5; i++) expect(await refusal(() => limit('RemoveApprovals', 'staff-a'))).toBeNull();
  });
});

describe('rate limits: listings', () => {
  it('ListResidents and the audit and access-log listings draw on one bucket per caller', async () => {
    const { limit } = limitsWith({ listings: 4 });
    const listings = ['ListResidents', 'ListClinicAuditEntries', 'ListResidentAuditEntries', 'ListResidentAccessLog'];
    for (const method of listings) expect(await refusal(() => limit(method, 'staff-a'))).toBeNull();
    for (const method of listings) expect(await refusal(() => limit(method, 'staff-a'))).toBe('RATE_LIMITED');
    expect(await refusal(() => limit('GetResidentAccess', 'staff-a'))).toBeNull();
  });

  it('a resident past the burst holds back no other, and the bucket refills with time', async () => {
    const { limit, advance } = limitsWith({ listings: 2 });
    expect(await refusal(() => limit('ListResidentAuditEntries', 'resident-a'))).toBeNull();
    expect(await refusal(() => limit('ListResidentAccessLog', 'resident-a'))).toBeNull();
    expect(await refusal(() => limit('ListResidentAccessLog', 'resident-a'))).toBe('RATE_LIMITED');
    expect(await refusal(() => limit('ListResidentAuditEntries', 'resident-a'))).toBe('RATE_LIMITED');
    expect(await refusal(() => limit('ListResidentAccessLog', 'resident-b'))).toBeNull();
    expect(await refusal(() => limit('GetResidentAccess', 'resident-a'))).toBeNull();
    advance(1000);
    expect(await refusal(() => limit('ListResidentAccessLog', 'resident-a'))).toBeNull();
  });
});

describe('rate limits: shared by every instance', () => {
  it("a caller's budget is the same whichever instances its calls reach", async () => {
    const store = new InMemoryBucketStore();
    const [first, second] = [limitsWith({ listings: 3 }, store), limitsWith({ listings: 3 }, store)];
    expect(await refusal(() => first.limit('ListResidents', 'staff-a'))).toBeNull();
    expect(await refusal(() => second.limit('ListResidents', 'staff-a'))).toBeNull();
    expect(await refusal(() => first.limit('ListResidents', 'staff-a'))).toBeNull();
    expect(await refusal(() => second.limit('ListResidents', 'staff-a'))).toBe('RATE_LIMITED');
    expect(await refusal(() => first.limit('ListResidents', 'staff-a'))).toBe('RATE_LIMITED');
  });
});
