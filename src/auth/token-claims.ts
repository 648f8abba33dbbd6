import { type Principal, type Role } from '../domain/authorization/principal';
import { clinicIdViolation } from '../domain/clinic/clinic-id';

/**
 * The bearer token: a signed JWT whose payload carries
 *
 * | claim          | required | meaning                                                                 |
 * |----------------|----------|-------------------------------------------------------------------------|
 * | `sub`          | yes      | the caller; recorded as the actor of every change                       |
 * | `iss`          | yes      | must equal AUTH_ISSUER                                                  |
 * | `aud`          | yes      | must equal (or contain) AUTH_AUDIENCE                                   |
 * | `exp`          | yes      | expiry (seconds since the epoch)                                        |
 * | `nbf`          | no       | not valid before                                                        |
 * | `iat`          | no       | issued at                                                               |
 * | `clinic_roles` | no       | roles per clinic: `{"SE2321000016-1234": ["staff", "admin"], ...}`;     |
 * |                |          | roles are `staff` and `admin` (others are ignored), held only at the    |
 * |                |          | clinic they are listed under                                             |
 * | `scope`        | no       | space-separated scopes (OAuth style), e.g. `${ENTITLEMENTS_SCOPE}`      |
 *
 * A staff token names its clinics and roles in `clinic_roles`; the resident e-service's token names
 * only the scope. The flat `clinics` and `roles` claims of earlier versions (every role at every
 * listed clinic) are no longer honoured: a token carrying only them has no clinic rights, because
 * reading them would give a role at clinics where the identity provider never granted it.
 */
export interface TokenClaims {
  sub: string;
  iss: string;
  aud: string | string[];
  exp: number;
  nbf?: number;
  iat?: number;
  clinic_roles?: Record<string, string[]>;
  scope?: string;
}

export type AuthErrorReason = 'TOKEN_MISSING' | 'TOKEN_INVALID' | 'TOKEN_EXPIRED';

const SAFE_MESSAGES: Record<AuthErrorReason, string> = {
  TOKEN_MISSING: 'missing bearer token',
  TOKEN_INVALID: 'invalid bearer token',
  TOKEN_EXPIRED: 'bearer token expired',
};

/**
 * The caller could not be authenticated. The message depends only on the reason, so it can be
 * returned to callers and never echoes the token; `detail` says why, for logs (no token text).
 */
export class AuthError extends Error {
  constructor(
    readonly reason: AuthErrorReason,
    readonly detail?: string,
  ) {
    super(SAFE_MESSAGES[reason]);
    this.name = 'AuthError';
  }
}

const ROLES: readonly Role[] = ['staff', 'admin'];

/** Builds the principal from a verified payload; throws AuthError(TOKEN_INVALID) on bad shapes. */
export function principalFromClaims(payload: Record<string, unknown>): Principal {
  const { sub, clinic_roles: clinicRoles = {}, scope = '' } = payload;
  if (typeof sub !== 'string' || sub.trim() === '') throw malformed('sub must be a non-empty string');
  if (typeof scope !== 'string') throw malformed('scope must be a space-separated string');
  return {
    subject: sub,
    clinicRoles: readClinicRoles(clinicRoles),
    scopes: scope.split(/\s+/).filter((s) => s !== ''),
  };
}

function readClinicRoles(claim: unknown): Map<string, Role[]> {
  if (typeof claim !== 'object' || claim === null || Array.isArray(claim)) {
    throw malformed('clinic_roles must be an object of HSA-id to roles');
  }
  const byClinic = new Map<string, Role[]>();
  for (const [clinicId, roles] of Object.entries(claim)) {
    if (clinicIdViolation(clinicId) !== null) throw malformed('clinic_roles keys must be HSA-ids');
    if (!isStringArray(roles)) throw malformed('clinic_roles values must be arrays of strings');
    // Unknown roles are ignored so the identity provider can add roles for other services.
    const known = ROLES.filter((role) => roles.includes(role));
    if (known.length > 0) byClinic.set(clinicId, known);
  }
  return byClinic;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function malformed(detail: string): AuthError {
  return new AuthError('TOKEN_INVALID', `malformed claims: ${detail}`);
}
