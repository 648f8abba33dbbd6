import { ENTITLEMENTS_SCOPE, type Principal, type Role } from '../domain/authorization/principal';
import { clinicIdViolation } from '../domain/clinic/clinic-id';

/**
 * The bearer token: a signed JWT whose payload carries
 *
 * | claim     | required | meaning                                                           |
 * |-----------|----------|-------------------------------------------------------------------|
 * | `sub`     | yes      | the caller; recorded as the actor of every change                  |
 * | `iss`     | yes      | must equal AUTH_ISSUER                                             |
 * | `aud`     | yes      | must equal (or contain) AUTH_AUDIENCE                               |
 * | `exp`     | yes      | expiry (seconds since the epoch)                                   |
 * | `nbf`     | no       | not valid before                                                    |
 * | `iat`     | no       | issued at                                                           |
 * | `clinics` | no       | HSA-ids of the clinics the caller acts for, e.g. `SE2321000016-1234` |
 * | `roles`   | no       | `staff` and/or `admin`; other values are ignored                     |
 * | `scope`   | no       | space-separated scopes (OAuth style), e.g. `${ENTITLEMENTS_SCOPE}`   |
 *
 * A staff token names clinics and roles; the resident e-service's token names only the scope.
 */
export interface TokenClaims {
  sub: string;
  iss: string;
  aud: string | string[];
  exp: number;
  nbf?: number;
  iat?: number;
  clinics?: string[];
  roles?: string[];
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
  const { sub, clinics = [], roles = [], scope = '' } = payload;
  if (typeof sub !== 'string' || sub.trim() === '') throw malformed('sub must be a non-empty string');
  if (!isStringArray(clinics) || clinics.some((id) => clinicIdViolation(id) !== null)) {
    throw malformed('clinics must be an array of HSA-ids');
  }
  if (!isStringArray(roles)) throw malformed('roles must be an array of strings');
  if (typeof scope !== 'string') throw malformed('scope must be a space-separated string');
  return {
    subject: sub,
    clinics: [...new Set(clinics)],
    // Unknown roles are ignored so the identity provider can add roles for other services.
    roles: ROLES.filter((role) => roles.includes(role)),
    scopes: scope.split(/\s+/).filter((s) => s !== ''),
  };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function malformed(detail: string): AuthError {
  return new AuthError('TOKEN_INVALID', `malformed claims: ${detail}`);
}
