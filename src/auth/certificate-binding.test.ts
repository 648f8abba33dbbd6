import { randomBytes } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { JwtAuthSettings } from './settings';
import { certificateThumbprint } from './certificate-binding';
import { AuthError, createTokenVerifier } from './token-verifier';

/** A key jose signs with: a KeyObject from jose 5, a CryptoKey from jose 6 (which drops the KeyLike type). */
type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'resident-access';

let privateKey: KeyLike;
let settings: JwtAuthSettings;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  settings = {
    mode: 'jwt',
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    tokenTypes: ['at+jwt'],
    maxLifetimeSeconds: 3600,
    requireCertificateBoundTokens: false,
    publicKeyPem: await exportSPKI(pair.publicKey),
  };
});

// The verifier only hashes the DER it is given; any bytes stand for a certificate here.
const ourCertificate = randomBytes(600);
const otherCertificate = randomBytes(600);
/** The connection's client certificate, as the transport offers it to the verifier. */
const presenting = (certificate: Uint8Array) => () => certificate;

function sign(cnf?: unknown): Promise<string> {
  return new SignJWT(cnf === undefined ? {} : { cnf })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .setSubject('caller-1')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

const boundTo = (certificate: Uint8Array) => sign({ 'x5t#S256': certificateThumbprint(certificate) });

async function detailOfRefusal(pending: Promise<unknown>): Promise<string | undefined> {
  const error = await pending.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).reason).toBe('TOKEN_INVALID');
  return (error as AuthError).detail;
}

describe('certificate-bound tokens (RFC 8705 cnf x5t#S256)', () => {
  it('the thumbprint is the base64url SHA-256 of the DER, without padding', () => {
    expect(certificateThumbprint(Buffer.from('abc'))).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('accepts a bound token from the caller presenting that certificate', async () => {
    const verifier = createTokenVerifier(settings);
    await expect(verifier.verify(`Bearer ${await boundTo(ourCertificate)}`, presenting(ourCertificate))).resolves.toMatchObject({ subject: 'caller-1' });
  });

  it('refuses a bound token with another certificate or none, also once the token is cached', async () => {
    const verifier = createTokenVerifier(settings);
    const token = `Bearer ${await boundTo(ourCertificate)}`;
    expect(await detailOfRefusal(verifier.verify(token, presenting(otherCertificate)))).toBe('token is bound to another client certificate (cnf)');
    expect(await detailOfRefusal(verifier.verify(token, undefined))).toBe('certificate-bound token without a client certificate (cnf)');
    await verifier.verify(token, presenting(ourCertificate)); // now cached
    expect(await detailOfRefusal(verifier.verify(token, presenting(otherCertificate)))).toBe('token is bound to another client certificate (cnf)');
  });

  it('refuses a cnf it cannot check (another confirmation method, a malformed thumbprint) rather than taking it as a bearer token', async () => {
    const verifier = createTokenVerifier(settings);
    for (const cnf of [{ jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' }, { 'x5t#S256': 'short' }, 'x5t', []]) {
      expect(await detailOfRefusal(verifier.verify(`Bearer ${await sign(cnf)}`, presenting(ourCertificate)))).toMatch(/malformed claims: cnf/);
    }
  });

  it('accepts an unbound token with or without a client certificate, unless bound tokens are required', async () => {
    const token = `Bearer ${await sign()}`;
    const lenient = createTokenVerifier(settings);
    await expect(lenient.verify(token, presenting(ourCertificate))).resolves.toMatchObject({ subject: 'caller-1' });
    await expect(lenient.verify(token, undefined)).resolves.toMatchObject({ subject: 'caller-1' });
    const strict = createTokenVerifier({ ...settings, requireCertificateBoundTokens: true });
    expect(await detailOfRefusal(strict.verify(token, presenting(ourCertificate)))).toBe('token is not bound to a client certificate (cnf)');
    await expect(strict.verify(`Bearer ${await boundTo(ourCertificate)}`, presenting(ourCertificate))).resolves.toMatchObject({ subject: 'caller-1' });
  });
});
