import { readFileSync } from 'node:fs';
import { UsageError } from './exit-codes';

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
}

/** Flags first, then the environment: RESIDENT_ACCESS_ADDRESS, _CA, _CERT, _KEY, _INSECURE, _TOKEN. */
export function connectionOptions(flags: ConnectionFlags, env: NodeJS.ProcessEnv): ConnectionOptions {
  const address = flags.address ?? env.RESIDENT_ACCESS_ADDRESS ?? 'localhost:50051';
  const tokenFile = flags['token-file'] ?? env.RESIDENT_ACCESS_TOKEN_FILE;
  let token = env.RESIDENT_ACCESS_TOKEN ?? '';
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8');
    } catch {
      throw new UsageError(`cannot read the token file ${tokenFile}`);
    }
  }
  token = token.trim();
  if (!token) throw new UsageError('no token: pass --token-file or set RESIDENT_ACCESS_TOKEN');
  const cert = flags.cert ?? env.RESIDENT_ACCESS_CERT;
  const key = flags.key ?? env.RESIDENT_ACCESS_KEY;
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  const ca = flags.ca ?? env.RESIDENT_ACCESS_CA;
  const insecure = flags.insecure ?? env.RESIDENT_ACCESS_INSECURE === 'true';
  return { address, insecure, token, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
