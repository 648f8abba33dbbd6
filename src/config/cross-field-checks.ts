import { authEnv } from '../auth/settings';
import { transportEnv } from '../transport-grpc/settings';
import { isLoopbackHost } from './loopback';
import { mongoTlsOn } from './transport-security';

/**
 * The rules between settings, checked on the variables as given (before parsing, so that one run
 * names every problem). Messages name variables, never a value: a value may be a secret.
 */
type Present = Record<string, string | undefined>;

const DEFAULT_AUTH_MODE = authEnv.shape.AUTH_MODE.parse(undefined);
const DEFAULT_GRPC_HOST = transportEnv.shape.GRPC_HOST.parse(undefined);

export function crossFieldProblems(present: Present): string[] {
  return [...authProblems(present), ...exposureProblems(present), ...connectionProblems(present)];
}

/** JWT mode (the default) needs an issuer and exactly one key source; development mode needs none. */
function authProblems(present: Present): string[] {
  if ((present.AUTH_MODE ?? DEFAULT_AUTH_MODE) !== 'jwt') return [];
  const problems: string[] = [];
  if (!present.AUTH_ISSUER) problems.push('AUTH_ISSUER is required when AUTH_MODE=jwt');
  if (!present.AUTH_JWKS_URL === !present.AUTH_PUBLIC_KEY) {
    problems.push('AUTH_JWKS_URL or AUTH_PUBLIC_KEY: set exactly one when AUTH_MODE=jwt');
  }
  // Without client certificates no token could ever be shown bound to one: every call would fail.
  if (present.AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS === 'true' && !present.GRPC_TLS_CLIENT_CA_FILE) {
    problems.push('AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS=true needs GRPC_TLS_CLIENT_CA_FILE (mTLS)');
  }
  return problems;
}

/**
 * What may listen where: development mode and plaintext only on loopback (an explicit
 * GRPC_ALLOW_INSECURE=true lets plaintext through, e.g. behind a TLS-terminating mesh).
 */
function exposureProblems(present: Present): string[] {
  const problems: string[] = [];
  const loopback = isLoopbackHost(present.GRPC_HOST ?? DEFAULT_GRPC_HOST);
  if (present.AUTH_MODE === 'development' && !loopback) {
    problems.push('AUTH_MODE=development is allowed only when GRPC_HOST is loopback (127.0.0.0/8, ::1, localhost)');
  }
  if (present.AUTH_JWKS_URL && URL.canParse(present.AUTH_JWKS_URL)) {
    const url = new URL(present.AUTH_JWKS_URL);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
      problems.push('AUTH_JWKS_URL must be https: (http: only for a loopback host)');
    }
  }
  if (!present.GRPC_TLS_CERT_FILE !== !present.GRPC_TLS_KEY_FILE) problems.push('GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE: set both or neither');
  const tls = Boolean(present.GRPC_TLS_CERT_FILE && present.GRPC_TLS_KEY_FILE);
  if (present.GRPC_TLS_CLIENT_CA_FILE && !tls) problems.push('GRPC_TLS_CLIENT_CA_FILE needs GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE');
  if (!loopback && !tls && present.GRPC_ALLOW_INSECURE !== 'true') {
    problems.push('GRPC_HOST is not loopback: set GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE, or GRPC_ALLOW_INSECURE=true');
  }
  return problems;
}

/** Kafka and MongoDB security settings that only make sense together. */
function connectionProblems(present: Present): string[] {
  const problems: string[] = [];
  const kafkaSsl = present.KAFKA_SSL === 'true';
  for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE']) {
    if (present[name] && !kafkaSsl) problems.push(`${name} needs KAFKA_SSL=true`);
  }
  if (!present.KAFKA_SSL_CERT_FILE !== !present.KAFKA_SSL_KEY_FILE) problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: set both or neither');
  if (present.KAFKA_SASL_MECHANISM) {
    if (!present.KAFKA_SASL_USERNAME) problems.push('KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set');
    if (!present.KAFKA_SASL_PASSWORD === !present.KAFKA_SASL_PASSWORD_FILE) {
      problems.push('KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE: set exactly one when KAFKA_SASL_MECHANISM is set');
    }
    // PLAIN sends the password itself: only inside TLS.
    if (present.KAFKA_SASL_MECHANISM === 'plain' && !kafkaSsl) problems.push('KAFKA_SASL_MECHANISM=plain needs KAFKA_SSL=true');
  } else if (present.KAFKA_SASL_USERNAME || present.KAFKA_SASL_PASSWORD || present.KAFKA_SASL_PASSWORD_FILE) {
    problems.push('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD(_FILE) need KAFKA_SASL_MECHANISM');
  }
  if (present.MONGODB_USERNAME && !present.MONGODB_PASSWORD === !present.MONGODB_PASSWORD_FILE) {
    problems.push('MONGODB_PASSWORD or MONGODB_PASSWORD_FILE: set exactly one when MONGODB_USERNAME is set');
  }
  if (!present.MONGODB_USERNAME && (present.MONGODB_PASSWORD || present.MONGODB_PASSWORD_FILE)) {
    problems.push('MONGODB_PASSWORD(_FILE) needs MONGODB_USERNAME');
  }
  const mongoTls = mongoTlsOn(present);
  for (const name of ['MONGODB_TLS_CA_FILE', 'MONGODB_TLS_CERT_KEY_FILE']) {
    if (present[name] && !mongoTls) problems.push(`${name} needs MONGODB_TLS=true`);
  }
  return problems;
}

/** The parsed retention settings. */
interface Retention {
  AUDIT_RETENTION_DAYS: number;
  ENDED_ACCESS_RETENTION_DAYS: number;
  REQUEST_ID_RETENTION_DAYS: number;
}

/** A retry within REQUEST_ID_RETENTION_DAYS is answered from the access document or the audit trail: both must outlive it. */
export function retentionProblems(e: Retention): string[] {
  return (['AUDIT_RETENTION_DAYS', 'ENDED_ACCESS_RETENTION_DAYS'] as const)
    .filter((variable) => e[variable] < e.REQUEST_ID_RETENTION_DAYS)
    .map((variable) => `${variable} must be at least REQUEST_ID_RETENTION_DAYS`);
}
