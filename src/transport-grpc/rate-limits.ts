import { DomainError } from '../domain/errors/domain-error';
import { SharedTokenBuckets, type SharedBucketStore } from '../shared/shared-token-buckets';
import type { BucketRule } from '../shared/token-buckets';

export interface RateLimitSettings {
  /** LookupResident, per caller. */
  lookup: BucketRule;
  /** ListEntitlements and CheckEntitlement together, per caller. */
  entitlements: BucketRule;
  /** GetResidentAccess and the access commands together, per caller: each answers a resident's access. */
  residentCalls: BucketRule;
  /** The listings of residents' data together, per caller: each page shows up to 1 000 residents or entries. */
  listings: BucketRule;
  /** Callers remembered per limit; past it the idlest are forgotten first (they get a full bucket back). */
  maxCallersRemembered: number;
}

/** Throws RATE_LIMITED when the caller (token subject) is over its limit for the method. */
export type CallerLimit = (method: string, subject: string) => Promise<void>;

/**
 * Per-caller limits on the calls that answer residents' data (one resident each, or a listing's page): token buckets keyed by the
 * token's subject, shared by every instance through `store` (a caller's budget does not grow with the number of instances).
 */
export function rateLimits(settings: RateLimitSettings, store: SharedBucketStore, storeFailed: (error: unknown) => void, now: () => number = Date.now): CallerLimit {
  const buckets = (name: string, rule: BucketRule) => new SharedTokenBuckets(store, { name, rule, maxKeys: settings.maxCallersRemembered, now, storeFailed });
  const lookup = buckets('lookup', settings.lookup);
  const entitlements = buckets('entitlements', settings.entitlements);
  const residentCalls = buckets('resident-calls', settings.residentCalls);
  const listings = buckets('listings', settings.listings);
  const bucketsOf: Record<string, SharedTokenBuckets> = {
    LookupResident: lookup,
    ListEntitlements: entitlements,
    CheckEntitlement: entitlements,
    GetResidentAccess: residentCalls,
    ApproveResident: residentCalls,
    RemoveApproval: residentCalls,
    GrantCaseType: residentCalls,
    ChangeGrant: residentCalls,
    RemoveGrant: residentCalls,
    ListResidents: listings,
    ListClinicAuditEntries: listings,
    ListResidentAuditEntries: listings,
    ListResidentAccessLog: listings,
  };
  return async (method, subject) => {
    const buckets = bucketsOf[method];
    if (!buckets) return;
    const result = await buckets.take(subject);
    if (!result.taken) {
      throw new DomainError('RATE_LIMITED', 'too many calls of this kind by this caller; retry later', [], { retryAfterMs: result.retryAfterMs });
    }
  };
}
