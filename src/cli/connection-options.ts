import { readFileSync } from 'node:fs';
import { isLoopbackHost } from '../config/loopback';
import { InputError, UsageError } from './exit-codes';

export interface ConnectionOptions {
  address: string;
  /** Plaintext (a local or port-forwarded service); TLS otherwise. */
  insecure: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  token: string;
}

export interface ConnectionFlags {
  address?: string;
  insecure?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  'token-file'?: string;
  'allow-insecure-remote'?: boolean;
}

/** Whose token the command sends: the operator's (AdminService), or a clinic staff member's (export: ListResidents). */
export type TokenHolder = 'operator' | 'staff';

/** Flags first, then the environment: RESIDENT_ACCESS_ADDRESS, _CA, _CERT, _KEY, _INSECURE, _TOKEN_FILE, _TOKEN. */
export function connectionOptions(flags: ConnectionFlags, env: NodeJS.ProcessEnv, holder: TokenHolder = 'operator'): ConnectionOptions {
  const address = flags.address ?? env.RESIDENT_ACCESS_ADDRESS ?? 'localhost:50051';
  const cert = flags.cert ?? env.RESIDENT_ACCESS_CERT;
  const key = flags.key ?? env.RESIDENT_ACCESS_KEY;
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  const ca = flags.ca ?? env.RESIDENT_ACCESS_CA;
  const insecure = flags.insecure ?? env.RESIDENT_ACCESS_INSECURE === 'true';
  // Plaintext carries the token in clear: only where no other machine listens, unless asked for on this very command line.
  if (insecure && !isLoopbackTarget(address) && flags['allow-insecure-remote'] !== true) {
    throw new UsageError(`--insecure would send the ${holder} token in clear to a host that is not loopback: use TLS, or add --allow-insecure-remote`);
  }
  const token = bearerToken(flags['token-file'] ?? env.RESIDENT_ACCESS_TOKEN_FILE, env.RESIDENT_ACCESS_TOKEN, holder);
  return { address, insecure, token, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/** The token in the file (`--token-file`, RESIDENT_ACCESS_TOKEN_FILE), else RESIDENT_ACCESS_TOKEN's. */
function bearerToken(tokenFile: string | undefined, fromEnv: string | undefined, holder: TokenHolder): string {
  let token = fromEnv ?? '';
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8');
    } catch {
      throw new InputError(`cannot read the token file ${tokenFile}`);
    }
  }
  token = token.trim();
  if (!token) throw new InputError(`no ${holder} token: pass --token-file FILE, or set RESIDENT_ACCESS_TOKEN_FILE or RESIDENT_ACCESS_TOKEN`);
  return token;
}

/**
 * Every address a gRPC target names is loopback (127.0.0.0/8, ::1, localhost) or a local socket:
 * `host:port`, `[::1]:port`, `dns:[//authority/]host:port`, `ipv4:`/`ipv6:` lists, `unix:`.
 * Anything it cannot read counts as remote.
 */
export function isLoopbackTarget(address: string): boolean {
  const target = address.trim();
  if (/^unix(-abstract)?:/.test(target)) return true;
  const addresses = target.replace(/^(dns|ipv4|ipv6):(\/\/[^/]*\/)?/, '').split(',');
  return addresses.every((hostPort) => {
    const host = hostPort.startsWith('[') ? hostPort.slice(0, hostPort.indexOf(']') + 1) : hostPort.replace(/:\d*$/, '');
    return host !== '' && isLoopbackHost(host);
  });
}
