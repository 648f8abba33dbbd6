import { DEFAULT_KAFKA_BROKERS } from '../publishing-kafka/settings';
import { DEFAULT_MONGODB_URI } from '../storage-mongo/settings';
import { isLoopbackHost } from './loopback';

type Present = Record<string, string | undefined>;

/** What the Kafka and MongoDB settings expose: refusals (exit 78) and what an *_ALLOW_INSECURE flag let through (warnings). */
export interface TransportFindings {
  refused: string[];
  allowed: string[];
}

/** URI options that keep TLS but stop checking who answers. */
const UNVERIFIED_TLS_OPTIONS = ['tlsInsecure', 'tlsAllowInvalidCertificates', 'tlsAllowInvalidHostnames'];

/**
 * Plaintext (or unverified TLS) to Kafka and MongoDB only where no other machine can listen: every
 * server on loopback, or an explicit KAFKA_ALLOW_INSECURE=true / MONGODB_ALLOW_INSECURE=true (e.g.
 * a mesh that encrypts). The gRPC port follows the same rule with GRPC_ALLOW_INSECURE. Messages name
 * variables and options, never a value: a URI may hold a password.
 */
export function transportFindings(present: Present): TransportFindings {
  const findings: TransportFindings = { refused: [], allowed: [] };
  const add = (allowFlag: 'KAFKA_ALLOW_INSECURE' | 'MONGODB_ALLOW_INSECURE', refusal: string, warning: string) => {
    if (present[allowFlag] === 'true') findings.allowed.push(`${allowFlag}=true: ${warning}`);
    else findings.refused.push(`${refusal}, or ${allowFlag}=true`);
  };

  const kafkaLocal = kafkaBrokerHosts(present.KAFKA_BROKERS ?? DEFAULT_KAFKA_BROKERS).every(isLoopbackHost);
  if (!kafkaLocal && present.KAFKA_SSL !== 'true') {
    if (present.KAFKA_SASL_MECHANISM) {
      add(
        'KAFKA_ALLOW_INSECURE',
        'KAFKA_SASL_MECHANISM without KAFKA_SSL=true sends the SASL login and every event in clear to KAFKA_BROKERS off loopback: set KAFKA_SSL=true',
        'the SASL login and every event (identity numbers included) go to Kafka brokers off loopback WITHOUT TLS, readable on the network unless something else encrypts them',
      );
    } else {
      add(
        'KAFKA_ALLOW_INSECURE',
        'KAFKA_BROKERS are not loopback: set KAFKA_SSL=true',
        'every event (identity numbers included) goes to Kafka brokers off loopback WITHOUT TLS, readable on the network unless something else encrypts it',
      );
    }
  }

  const uri = present.MONGODB_URI ?? DEFAULT_MONGODB_URI;
  if (!mongoServersAreLocal(uri)) {
    if (!mongoTlsOn(present)) {
      add(
        'MONGODB_ALLOW_INSECURE',
        'MONGODB_URI names servers off loopback and TLS is off: set MONGODB_TLS=true',
        "residents' data goes to MongoDB off loopback WITHOUT TLS, readable on the network unless something else encrypts it",
      );
    } else if (mongoUnverifiedTlsOptions(uri).length > 0) {
      add(
        'MONGODB_ALLOW_INSECURE',
        `MONGODB_URI turns off the check of the servers' certificates or names (${mongoUnverifiedTlsOptions(uri).join(', ')}) for servers off loopback: remove it`,
        "MongoDB off loopback is reached over TLS WITHOUT checking the servers' certificates or names: whoever answers gets residents' data",
      );
    }
  }
  return findings;
}

/** The hosts of a `host:port,host:port` list. */
export function kafkaBrokerHosts(brokers: string): string[] {
  return brokers
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean)
    .map((broker) => broker.replace(/:\d*$/, ''));
}

/**
 * The servers a mongodb:// URI names are all loopback (or local socket paths). A mongodb+srv:// URI
 * never is: its servers are whatever the DNS record names.
 */
export function mongoServersAreLocal(uri: string): boolean {
  const parts = /^mongodb(\+srv)?:\/\/([^/?#]*)/.exec(uri);
  if (!parts || parts[1]) return false;
  const authority = parts[2]!;
  // Credentials may precede the hosts; they are skipped, never looked at.
  const hosts = authority.slice(authority.lastIndexOf('@') + 1).split(',');
  return hosts.every((host) => isLocalSocket(host) || isLoopbackHost(host.replace(/:\d*$/, '')));
}

function isLocalSocket(host: string): boolean {
  try {
    return decodeURIComponent(host).startsWith('/');
  } catch {
    return false;
  }
}

/** The URI's options by lower-case name (values as written). */
function mongoUriOptions(uri: string): Map<string, string[]> {
  const query = /^mongodb(?:\+srv)?:\/\/[^/?#]*\/?[^?#]*\?([^#]*)/.exec(uri)?.[1] ?? '';
  const options = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(query)) {
    const key = name.toLowerCase();
    options.set(key, [...(options.get(key) ?? []), value.toLowerCase()]);
  }
  return options;
}

/** TLS as the driver decides it: MONGODB_TLS=true, tls=true or ssl=true in the URI, or a mongodb+srv:// URI not turning it off. */
export function mongoTlsOn(present: Present): boolean {
  const uri = present.MONGODB_URI ?? DEFAULT_MONGODB_URI;
  const options = mongoUriOptions(uri);
  const written = [...(options.get('tls') ?? []), ...(options.get('ssl') ?? [])];
  if (present.MONGODB_TLS === 'true' || written.includes('true')) return true;
  return uri.startsWith('mongodb+srv://') && !written.includes('false');
}

/** The URI's options that keep TLS but stop checking certificates or host names, as the driver names them. */
export function mongoUnverifiedTlsOptions(uri: string): string[] {
  const options = mongoUriOptions(uri);
  return UNVERIFIED_TLS_OPTIONS.filter((name) => options.get(name.toLowerCase())?.includes('true'));
}
