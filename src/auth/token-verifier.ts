import { createRemoteJWKSet, errors, importSPKI, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ENTITLEMENTS_SCOPE, EVERY_CLINIC, type Principal } from '../domain/authorization/principal';
import { stockholmDate } from '../domain/time/stockholm';
import { AUTH_TUNING, type AuthSettings, type JwtAuthSettings } from './settings';
import { checkAccessTokenProfile } from './access-token-profile';
import { boundCertificateThumbprint, checkCertificateBinding } from './certificate-binding';
import { AuthError, principalFromClaims } from './token-claims';
import { VerifiedTokenCache, type VerifiedTokenLimits } from './verified-token-cache';

export { AuthError, type AuthErrorReason } from './token-claims';

/** `exp` and `nbf` may be `clockToleranceSeconds` off the issuer's clock; `verified` bounds the cache of verified tokens. */
export interface TokenTuning {
  clockToleranceSeconds: number;
  verified: VerifiedTokenLimits;
}

export interface TokenVerifier {
  /**
   * Authenticates a call from its `authorization` metadata value and the DER of the client
   * certificate it came with (mTLS; undefined without one), asked for only when the token is bound
   * to a certificate. Rejects with AuthError.
   */
  verify(authorizationHeader: string | undefined, clientCertificate?: () => Uint8Array | undefined): Promise<Principal>;
}

/**
 * The token's signing keys could not be had (JWKS endpoint down, slow or broken; unusable
 * AUTH_PUBLIC_KEY). Not the caller's fault, so deliberately not an AuthError.
 */
export class TokenKeysUnavailableError extends Error {
  constructor(cause: unknown) {
    super('token signing keys unavailable', { cause });
    this.name = 'TokenKeysUnavailableError';
  }
}

/**
 * Development mode's caller: every scope, no resident to act for (the resident's own logs need a
 * real exchanged token), and every role at clinic '*', which means every clinic
 * (authorization checks treat '*' as a wildcard; no real token can carry it, see
 * principalFromClaims).
 */
export const DEVELOPMENT_PRINCIPAL: Principal = Object.freeze({
  subject: 'development',
  clinicRoles: new Map([[EVERY_CLINIC, Object.freeze(['staff', 'admin'] as const)]]),
  scopes: Object.freeze([ENTITLEMENTS_SCOPE]),
});

const BEARER = /^Bearer +(\S+) *$/i;
/** jose codes that mean the key source failed, not the token. */
const KEY_SOURCE_FAILURES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

export function createTokenVerifier(settings: AuthSettings, tuning: TokenTuning = AUTH_TUNING.tokens): TokenVerifier {
  // Development mode ignores any token sent, so local clients need not care.
  if (settings.mode === 'development') return { verify: async () => DEVELOPMENT_PRINCIPAL };

  const key = keySource(settings);
  const options = {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: settings.algorithms,
    clockTolerance: tuning.clockToleranceSeconds,
    requiredClaims: ['exp', 'sub'],
  };
  const profile = { tokenTypes: settings.tokenTypes, maxLifetimeSeconds: settings.maxLifetimeSeconds, clockToleranceSeconds: tuning.clockToleranceSeconds };
  const cache = new VerifiedTokenCache(tuning.verified);
  return {
    async verify(authorizationHeader, clientCertificate) {
      const token = bearerToken(authorizationHeader);
      let verified = cache.get(token);
      if (!verified) {
        const { payload, protectedHeader } = await jwtVerify(token, key, options).catch((error: unknown) => {
          throw translate(error);
        });
        checkAccessTokenProfile(protectedHeader, payload, profile, Math.floor(Date.now() / 1000));
        verified = { principal: principalFromClaims(payload, stockholmDate(new Date())), boundThumbprint: boundCertificateThumbprint(payload) };
        // `exp` is a required claim, checked by jwtVerify.
        cache.put(token, verified, payload.exp!);
      }
      // Per call, cached or not: the same token may arrive over another connection.
      checkCertificateBinding(verified.boundThumbprint, verified.boundThumbprint === null ? undefined : clientCertificate?.(), settings.requireCertificateBoundTokens);
      return verified.principal;
    },
  };
}

function keySource(settings: JwtAuthSettings): JWTVerifyGetKey {
  const { jwksUrl, publicKeyPem, algorithms } = settings;
  const [firstAlgorithm] = algorithms;
  if (firstAlgorithm === undefined) throw new Error('auth: at least one algorithm is required');
  // Only public keys are configured, so symmetric algorithms (and 'none') could never verify.
  if (algorithms.some((alg) => /^(HS|none)/i.test(alg))) throw new Error('auth: only asymmetric algorithms are supported');
  if ((jwksUrl === undefined) === (publicKeyPem === undefined)) {
    throw new Error('auth: configure exactly one of AUTH_JWKS_URL and AUTH_PUBLIC_KEY');
  }
  // jose caches the key set and refetches at most every 30 s (cooldown) for unknown key ids.
  if (jwksUrl !== undefined) return createRemoteJWKSet(new URL(jwksUrl));
  // Environment variables often carry PEM newlines as a literal "\n".
  const pem = publicKeyPem!.replace(/\\n/g, '\n');
  const imported = importSPKI(pem, firstAlgorithm).catch((error: unknown) => {
    throw new TokenKeysUnavailableError(error);
  });
  imported.catch(() => undefined); // reported by each verify(), not as an unhandled rejection
  return () => imported;
}

function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '' || /^bearer *$/i.test(header.trim())) {
    throw new AuthError('TOKEN_MISSING');
  }
  const match = BEARER.exec(header);
  if (!match?.[1]) throw new AuthError('TOKEN_INVALID', 'authorization scheme must be Bearer');
  return match[1];
}

function translate(error: unknown): Error {
  if (error instanceof TokenKeysUnavailableError) return error;
  if (!(error instanceof errors.JOSEError)) return new TokenKeysUnavailableError(error);
  if (KEY_SOURCE_FAILURES.has(error.code)) return new TokenKeysUnavailableError(error);
  const claim = error instanceof errors.JWTClaimValidationFailed ? ` (${error.claim})` : '';
  if (error instanceof errors.JWTExpired) return new AuthError('TOKEN_EXPIRED', `${error.code}${claim}`);
  return new AuthError('TOKEN_INVALID', `${error.code}${claim}`);
}
