/** Roles a staff token may carry. */
export type Role = 'staff' | 'admin';

/** The scope the resident-facing e-service's token carries for entitlement queries. */
export const ENTITLEMENTS_SCOPE = 'resident-access:entitlements';

/** The authenticated caller, as the transport established it from a verified token. */
export interface Principal {
  /** The token's subject; recorded as the actor of every change. */
  subject: string;
  /** HSA-ids of the clinics the caller may act for. */
  clinics: readonly string[];
  roles: readonly Role[];
  scopes: readonly string[];
}
