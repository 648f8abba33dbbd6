import { exportSPKI, generateKeyPair, generateSecret, SignJWT } from 'jose';

/** A key jose signs with: a KeyObject from jose 5, a CryptoKey from jose 6 (which drops the KeyLike type). */
type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/**
 * Tokens for component tests: one ES256 key pair per test process, made on first use. A service
 * started with testAuthEnv() accepts what signTestToken() signs.
 */
export const TEST_ISSUER = 'resident-access-test';
export const TEST_AUDIENCE = 'resident-access';
const TEST_ALGORITHM = 'ES256';

export interface TestTokenOverrides {
  sub?: string;
  /** Shorthand: these `roles` at each of these clinics (written as the `clinic_roles` claim). */
  clinics?: string[];
  roles?: string[];
  /** Roles per clinic, added to what `clinics` and `roles` give. */
  clinicRoles?: Record<string, string[]>;
  /** Further claims as they are, e.g. the flat `clinics`/`roles` claims the service no longer honours. */
  claims?: Record<string, unknown>;
  scope?: string;
  aud?: string;
  iss?: string;
  /** Seconds from now (negative: already expired) or a jose time span such as '10m' or '-5m'. */
  expiresIn?: string | number;
  /** Same forms as expiresIn; omitted by default. */
  notBefore?: string | number;
  /** Another algorithm signs with a throwaway key of that kind (for "wrong algorithm" tests). */
  alg?: string;
  /** The `typ` header; `at+jwt` (RFC 9068) by default. */
  typ?: string;
}

const keyCache = new Map<string, Promise<KeyLike | Uint8Array>>();
let testKeys: Promise<{ privateKey: KeyLike; publicKeyPem: string }> | undefined;

function keys() {
  testKeys ??= generateKeyPair(TEST_ALGORITHM).then(async ({ privateKey, publicKey }) => ({
    privateKey,
    publicKeyPem: await exportSPKI(publicKey),
  }));
  return testKeys;
}

/** A key used for nothing but `purpose`, so the service cannot know it. */
function throwawayKey(purpose: string, alg: string): Promise<KeyLike | Uint8Array> {
  const id = `${purpose}:${alg}`;
  let key = keyCache.get(id);
  if (!key) {
    key = alg.startsWith('HS') ? generateSecret(alg) : generateKeyPair(alg).then((pair) => pair.privateKey);
    keyCache.set(id, key);
  }
  return key;
}

export async function testAuthEnv(): Promise<Record<string, string>> {
  return {
    AUTH_MODE: 'jwt',
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    AUTH_ALGORITHMS: TEST_ALGORITHM,
    AUTH_PUBLIC_KEY: (await keys()).publicKeyPem,
    // The benches' tokens last up to a day; the default hour is unit-tested (src/auth).
    AUTH_MAX_TOKEN_LIFETIME_SECONDS: String(24 * 60 * 60),
  };
}

/**
 * The claims of the e-service's token for one logged-in resident, as token exchange (RFC 8693)
 * issues it: `sub` the resident's subject at the identity provider, `personal_identity_number` the
 * resident (12 digits), `act` the e-service acting for them, and the entitlements scope.
 */
export function residentEserviceClaims(resident: string, sub = 'resident-session-1'): TestTokenOverrides {
  return { sub, scope: 'resident-access:entitlements', claims: { personal_identity_number: resident, act: { sub: 'resident-eservice' } } };
}

/** Defaults to a staff token with no clinics, valid for 10 minutes. */
export async function signTestToken(overrides: TestTokenOverrides = {}): Promise<string> {
  const alg = overrides.alg ?? TEST_ALGORITHM;
  const key = alg === TEST_ALGORITHM ? (await keys()).privateKey : await throwawayKey('other-algorithm', alg);
  return signWith(key, alg, overrides);
}

/** Signed by a key the service does not trust, otherwise valid: the "bad signature" case. */
export async function signTokenWithForeignKey(overrides: TestTokenOverrides = {}): Promise<string> {
  const alg = overrides.alg ?? TEST_ALGORITHM;
  return signWith(await throwawayKey('foreign', alg), alg, overrides);
}

function signWith(key: KeyLike | Uint8Array, alg: string, overrides: TestTokenOverrides): Promise<string> {
  const { sub = 'test-staff', clinics = [], roles = ['staff'], scope, aud = TEST_AUDIENCE, iss = TEST_ISSUER } = overrides;
  const clinicRoles = { ...Object.fromEntries(clinics.map((clinicId) => [clinicId, roles])), ...overrides.clinicRoles };
  const jwt = new SignJWT({ ...overrides.claims, clinic_roles: clinicRoles, ...(scope === undefined ? {} : { scope }) })
    .setProtectedHeader({ alg, typ: overrides.typ ?? 'at+jwt' })
    .setSubject(sub)
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime(fromNow(overrides.expiresIn ?? '10m'));
  if (overrides.notBefore !== undefined) jwt.setNotBefore(fromNow(overrides.notBefore));
  return jwt.sign(key);
}

/** jose reads a number as an absolute time; here a number means seconds from now. */
function fromNow(span: string | number): string | number {
  return typeof span === 'number' ? Math.floor(Date.now() / 1000) + span : span;
}
