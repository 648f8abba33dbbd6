import { DomainError } from '../domain/errors/domain-error';
import { TokenBuckets, type BucketRule } from '../shared/token-buckets';

export interface RateLimitSettings {
  /** LookupResident, per caller. */
  lookup: BucketRule;
  /** ListEntitlements and CheckEntitlement together, per caller. */
  entitlements: BucketRule;
  /** GetResidentAccess and the access commands together, per caller: each answers a resident's access. */
  residentCalls: BucketRule;
  /** ListResidentAuditEntries and ListResidentAccessLog together, per caller: each lists one resident's trail or log. */
  residentLogs: BucketRule;
  /** Callers remembered per limit; past it the idlest are forgotten first (they get a full bucket back). */
  maxCallersRemembered: number;
}

/**
 * Per-caller limits on the calls that could enumerate residents (each answers one): token buckets keyed by the
 * token's subject, in this instance's memory (N instances give a caller N times the budget).
 */
export function rateLimits(settings: RateLimitSettings, now: () => number = Date.now): (method: string, subject: string) => void {
  const lookup = new TokenBuckets(settings.lookup, settings.maxCallersRemembered, now);
  const entitlements = new TokenBuckets(settings.entitlements, settings.maxCallersRemembered, now);
  const residentCalls = new TokenBuckets(settings.residentCalls, settings.maxCallersRemembered, now);
  const residentLogs = new TokenBuckets(settings.residentLogs, settings.maxCallersRemembered, now);
  const bucketsOf: Record<string, TokenBuckets> = {
    LookupResident: lookup,
    ListEntitlements: entitlements,
    CheckEntitlement: entitlements,
    GetResidentAccess: residentCalls,
    ApproveResident: residentCalls,
    RemoveApproval: residentCalls,
    GrantCaseType: residentCalls,
    ChangeGrant: residentCalls,
    RemoveGrant: residentCalls,
    ListResidentAuditEntries: residentLogs,
    ListResidentAccessLog: residentLogs,
  };
  return (method, subject) => {
    const result = bucketsOf[method]?.take(subject);
    if (result && !result.taken) {
      throw new DomainError('RATE_LIMITED', 'too many calls of this kind by this caller; retry later', [], { retryAfterMs: result.retryAfterMs });
    }
  };
}
