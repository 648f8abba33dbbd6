import { type Principal, type Role } from '../domain/authorization/principal';
import { clinicIdViolation } from '../domain/clinic/clinic-id';
import { parsePersonalIdentityNumber, type PersonalIdentityNumber } from '../domain/identity/personal-identity-number';

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
 * | `personal_identity_number` | no | the resident an exchanged e-service token acts for (12 digits) |
 * | `act`          | with the above | `{"sub": "<the e-service>"}`: who acts for the resident (RFC 8693) |
 *
 * A staff token names its clinics and roles in `clinic_roles`; the resident e-service's token names
 * only the scope. After a resident logs in, the e-service exchanges the resident's token for one
 * (RFC 8693) whose `sub` is the resident's subject at the identity provider (never the number),
 * whose `personal_identity_number` is the resident's number and whose `act` names the e-service. The flat `clinics` and `roles` claims of earlier versions (every role at every
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
  personal_identity_number?: string;
  act?: { sub: string };
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

/**
 * Builds the principal from a verified payload; throws AuthError(TOKEN_INVALID) on bad shapes.
 * `today` (Europe/Stockholm) is the date a resident's number is checked against.
 */
export function principalFromClaims(payload: Record<string, unknown>, today: string): Principal {
  const { sub, clinic_roles: clinicRoles = {}, scope = '' } = payload;
  if (typeof sub !== 'string' || sub.trim() === '') throw malformed('sub must be a non-empty string');
  if (typeof scope !== 'string') throw malformed('scope must be a space-separated string');
  const resident = readActingResident(payload, sub, today);
  return {
    subject: sub,
    clinicRoles: readClinicRoles(clinicRoles),
    scopes: scope.split(/\s+/).filter((s) => s !== ''),
    ...(resident ? { actsForResident: resident } : {}),
  };
}

const RESIDENT_CLAIM = 'personal_identity_number';

/**
 * The resident of an exchanged token: the stored 12-digit form, checked like every other number
 * (check digit, date, serial, not born after today), in a delegation token (`act.sub` names the
 * e-service). Its `sub` must not be the number: `sub` is recorded and logged as the caller.
 * Details name the claim, never its value.
 */
function readActingResident(payload: Record<string, unknown>, sub: string, today: string): PersonalIdentityNumber | undefined {
  const written = payload[RESIDENT_CLAIM];
  if (written === undefined) return undefined;
  if (typeof written !== 'string' || !/^\d{12}$/.test(written)) throw malformed(`${RESIDENT_CLAIM} must be 12 digits`);
  const parsed = parsePersonalIdentityNumber(written, today);
  if (!parsed.ok) throw malformed(`${RESIDENT_CLAIM} is no valid personal identity number (${parsed.problem})`);
  const { act } = payload;
  const actor = typeof act === 'object' && act !== null ? (act as { sub?: unknown }).sub : undefined;
  if (typeof actor !== 'string' || actor.trim() === '') throw malformed(`a token with ${RESIDENT_CLAIM} must name its actor in act.sub (RFC 8693)`);
  const subDigits = sub.replace(/[-+\s]/g, '');
  if (subDigits === written || subDigits === written.slice(2)) throw malformed(`sub must not be the ${RESIDENT_CLAIM}`);
  return parsed.value;
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
