import { DomainError } from '../domain/errors/domain-error';
import { rateLimits } from './rate-limits';

const generous = { perSecond: 1000, burst: 1000 };

function limitsWith(tight: { residentCalls?: number; listings?: number }) {
  let nowMs = 0;
  const rule = (burst: number | undefined) => (burst === undefined ? generous : { perSecond: 1, burst });
  const limit = rateLimits({ lookup: generous, entitlements: generous, residentCalls: rule(tight.residentCalls), listings: rule(tight.listings), maxCallersRemembered: 100 }, () => nowMs);
  return { limit, advance: (ms: number) => (nowMs += ms) };
}
const limitsWithResidentCalls = (burst: number) => limitsWith({ residentCalls: burst });

function refusal(call: () => void): string | null {
  try {
    call();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'unexpected';
  }
}

describe('rate limits: calls that answer a resident’s access', () => {
  it('GetResidentAccess and every access command draw on one bucket per caller', () => {
    const { limit } = limitsWithResidentCalls(6);
    const methods = ['GetResidentAccess', 'ApproveResident', 'RemoveApproval', 'GrantCaseType', 'ChangeGrant', 'RemoveGrant'];
    for (const method of methods) expect(refusal(() => limit(method, 'staff-a'))).toBeNull();
    for (const method of methods) expect(refusal(() => limit(method, 'staff-a'))).toBe('RATE_LIMITED');
  });

  it('one caller past the burst holds back no other caller, and the bucket refills with time', () => {
    const { limit, advance } = limitsWithResidentCalls(1);
    limit('RemoveGrant', 'staff-a');
    expect(refusal(() => limit('RemoveGrant', 'staff-a'))).toBe('RATE_LIMITED');
    expect(refusal(() => limit('RemoveGrant', 'staff-b'))).toBeNull();
    advance(1000);
    expect(refusal(() => limit('RemoveGrant', 'staff-a'))).toBeNull();
  });

  it('leaves calls that answer no resident data unlimited', () => {
    const { limit } = limitsWithResidentCalls(1);
    for (let i = 0; i < 5; i++) expect(refusal(() => limit('RemoveApprovals', 'staff-a'))).toBeNull();
  });
});

describe('rate limits: listings', () => {
  it('ListResidents and the audit and access-log listings draw on one bucket per caller', () => {
    const { limit } = limitsWith({ listings: 4 });
    const listings = ['ListResidents', 'ListClinicAuditEntries', 'ListResidentAuditEntries', 'ListResidentAccessLog'];
    for (const method of listings) expect(refusal(() => limit(method, 'staff-a'))).toBeNull();
    for (const method of listings) expect(refusal(() => limit(method, 'staff-a'))).toBe('RATE_LIMITED');
    expect(refusal(() => limit('GetResidentAccess', 'staff-a'))).toBeNull();
  });

  it('a resident past the burst holds back no other, and the bucket refills with time', () => {
    const { limit, advance } = limitsWith({ listings: 2 });
    expect(refusal(() => limit('ListResidentAuditEntries', 'resident-a'))).toBeNull();
    expect(refusal(() => limit('ListResidentAccessLog', 'resident-a'))).toBeNull();
    expect(refusal(() => limit('ListResidentAccessLog', 'resident-a'))).toBe('RATE_LIMITED');
    expect(refusal(() => limit('ListResidentAuditEntries', 'resident-a'))).toBe('RATE_LIMITED');
    expect(refusal(() => limit('ListResidentAccessLog', 'resident-b'))).toBeNull();
    expect(refusal(() => limit('GetResidentAccess', 'resident-a'))).toBeNull();
    advance(1000);
    expect(refusal(() => limit('ListResidentAccessLog', 'resident-a'))).toBeNull();
  });
});
