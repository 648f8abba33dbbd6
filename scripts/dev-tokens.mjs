/**
 * Local tokens for AUTH_MODE=jwt: one ES256 key pair kept under .local/dev-auth/ (made once) and
 * five freshly signed tokens written to .local/dev-tokens.json: clinic staff, clinic administrator,
 * the resident e-service (entitlement queries), the e-service acting for one logged-in resident
 * (what token exchange, RFC 8693, gives it: the resident's own access log and audit trail) and an
 * operator (the resident-access CLI). The operator token also goes alone into
 * .local/dev-operator-token and that resident's number into .local/dev-resident-number, the files
 * the CLI reads (--token-file, standard input). Run directly to print them:
 * node scripts/dev-tokens.mjs [clinic HSA-id] [resident's 12-digit number]
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT } from 'jose';

const ALGORITHM = 'ES256';
const ISSUER = 'resident-access-dev';
const AUDIENCE = 'resident-access';
const ENTITLEMENTS_SCOPE = 'resident-access:entitlements';
const OPERATOR_SCOPE = 'resident-access:operator';
const HSA_ID = /^SE\d{10}-[A-Za-z0-9]{1,31}$/;
// The README's example resident; any valid number can be given instead.
const DEMO_RESIDENT = '202007121391';
// RFC 9068's access-token type, the one the service accepts by default (AUTH_TOKEN_TYPES).
const TOKEN_TYPE = 'at+jwt';

export async function ensureDevAuth({ root, clinicId, resident = DEMO_RESIDENT, validDays = 30 }) {
  if (!HSA_ID.test(clinicId ?? '')) throw new Error(`clinic id must be an HSA-id such as SE2321000016-1234, got ${clinicId}`);
  // The service checks the number itself (TOKEN_INVALID if it is none); the token holds the stored 12-digit form.
  const residentNumber = (resident ?? '').replace(/^(\d{8})-(\d{4})$/, '$1$2');
  if (!/^\d{12}$/.test(residentNumber)) throw new Error('resident must be a 12-digit personal identity number (YYYYMMDDNNNC)');
  const { privateKey, publicKeyPem } = await loadOrCreateKeys(join(root, '.local', 'dev-auth'));
  const lifetimeSeconds = Math.round(validDays * 24 * 60 * 60);
  const expiresAtSeconds = Math.floor(Date.now() / 1000) + lifetimeSeconds;
  const sign = (subject, claims) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE })
      .setSubject(subject)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresAtSeconds)
      .sign(privateKey);
  const tokens = {
    staff: await sign('dev-staff', { clinic_roles: { [clinicId]: ['staff'] } }),
    admin: await sign('dev-admin', { clinic_roles: { [clinicId]: ['staff', 'admin'] } }),
    eservice: await sign('dev-resident-eservice', { scope: ENTITLEMENTS_SCOPE }),
    // As token exchange issues it: sub the resident's subject (never the number), act the e-service.
    eserviceForResident: await sign('dev-resident-1', {
      scope: ENTITLEMENTS_SCOPE,
      personal_identity_number: residentNumber,
      act: { sub: 'dev-resident-eservice' },
    }),
    operator: await sign('dev-operator', { scope: OPERATOR_SCOPE }),
  };
  const tokensFile = join(root, '.local', 'dev-tokens.json');
  const operatorTokenFile = join(root, '.local', 'dev-operator-token');
  const residentNumberFile = join(root, '.local', 'dev-resident-number');
  const expiresAt = new Date(expiresAtSeconds * 1000).toISOString();
  await writePrivate(tokensFile, `${JSON.stringify({ ...tokens, expiresAt }, null, 2)}\n`);
  await writePrivate(operatorTokenFile, `${tokens.operator}\n`);
  await writePrivate(residentNumberFile, `${residentNumber}\n`);
  // maxLifetimeSeconds: what the local service must allow (AUTH_MAX_TOKEN_LIFETIME_SECONDS) for these tokens.
  return {
    publicKeyPem,
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: [ALGORITHM],
    maxLifetimeSeconds: lifetimeSeconds,
    tokens,
    tokensFile,
    operatorTokenFile,
    residentNumberFile,
  };
}

/** The service's settings that make it accept these tokens (what `npm start` sets). */
export function localAuthEnv(devAuth) {
  return {
    AUTH_MODE: 'jwt',
    AUTH_ISSUER: devAuth.issuer,
    AUTH_AUDIENCE: devAuth.audience,
    AUTH_ALGORITHMS: devAuth.algorithms.join(','),
    AUTH_PUBLIC_KEY: devAuth.publicKeyPem,
    // Local tokens last 30 days (deployments keep the default hour).
    AUTH_MAX_TOKEN_LIFETIME_SECONDS: String(devAuth.maxLifetimeSeconds),
  };
}

/** One operator CLI command that works against the local service: the number from a file on stdin, never on the command line. */
export function operatorCliExample({ address, operatorTokenFile, residentNumberFile }) {
  return `npx resident-access inspect --address ${address} --insecure --token-file ${operatorTokenFile} < ${residentNumberFile}`;
}

async function loadOrCreateKeys(dir) {
  const privatePath = join(dir, 'private-key.pem');
  const publicPath = join(dir, 'public-key.pem');
  try {
    const [privatePem, publicKeyPem] = await Promise.all([readFile(privatePath, 'utf8'), readFile(publicPath, 'utf8')]);
    return { privateKey: await importPKCS8(privatePem, ALGORITHM), publicKeyPem };
  } catch (error) {
    if (error?.code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const publicKeyPem = await exportSPKI(publicKey);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writePrivate(privatePath, await exportPKCS8(privateKey));
  await writeFile(publicPath, publicKeyPem);
  return { privateKey, publicKeyPem };
}

/** Owner-only file; chmod as well, since writeFile's mode applies only when it creates the file. */
async function writePrivate(path, text) {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const clinicId = process.argv[2] ?? 'SE2321000016-1234';
  ensureDevAuth({ root, clinicId, resident: process.argv[3] }).then(
    ({ tokens, tokensFile }) => {
      console.log(`tokens written to ${tokensFile} (clinic ${clinicId})\n`);
      for (const [name, token] of Object.entries(tokens)) {
        console.log(`${name}:\n${token}\n-H "authorization: Bearer ${token}"\n`);
      }
    },
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
