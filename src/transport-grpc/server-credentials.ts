import { experimental, ServerCredentials, type ServerCredentials as Credentials } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { GrpcTls } from './settings';

export interface ListeningCredentials {
  credentials: Credentials;
  /** Resolves once the certificate files have been read for the listener (until then it drops connections). */
  loaded: () => Promise<void>;
}

/**
 * TLS from PEM files that grpc-js re-reads every `reloadIntervalMs`: a renewed certificate (a
 * Kubernetes secret swapped in place) serves new connections without a restart; open connections
 * keep the one they began with. With a client CA, a caller without a certificate that CA signed is
 * refused during the handshake.
 */
export function serverCredentials(tls: GrpcTls | null): ListeningCredentials {
  if (tls === null) return { credentials: ServerCredentials.createInsecure(), loaded: async () => undefined };
  checkReadable(tls);
  const identity = new experimental.FileWatcherCertificateProvider({
    certificateFile: tls.certFile,
    privateKeyFile: tls.keyFile,
    refreshIntervalMs: tls.reloadIntervalMs,
  });
  const clientCa = tls.clientCaFile ? new experimental.FileWatcherCertificateProvider({ caCertificateFile: tls.clientCaFile, refreshIntervalMs: tls.reloadIntervalMs }) : null;
  // grpc-js names its first parameter the CA provider, but uses it as the identity provider (1.14).
  const credentials = experimental.createCertificateProviderServerCredentials(identity, clientCa, clientCa !== null);
  return {
    credentials,
    // A provider tells a new listener its latest files: by then the server's context has them too.
    loaded: async () => {
      await new Promise<void>((resolve) => {
        const first = () => {
          identity.removeIdentityCertificateListener(first);
          resolve();
        };
        identity.addIdentityCertificateListener(first);
      });
      if (clientCa === null) return;
      await new Promise<void>((resolve) => {
        const first = () => {
          clientCa.removeCaCertificateListener(first);
          resolve();
        };
        clientCa.addCaCertificateListener(first);
      });
    },
  };
}

/** Fails the start-up naming the variable, rather than a listener that silently drops every connection. */
function checkReadable(tls: GrpcTls): void {
  const read = (variable: string, file: string) => {
    try {
      return readFileSync(file);
    } catch {
      throw new Error(`${variable} cannot be read`);
    }
  };
  const cert = read('GRPC_TLS_CERT_FILE', tls.certFile);
  const key = read('GRPC_TLS_KEY_FILE', tls.keyFile);
  const ca = tls.clientCaFile ? read('GRPC_TLS_CLIENT_CA_FILE', tls.clientCaFile) : undefined;
  try {
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch {
    throw new Error('GRPC_TLS_CERT_FILE, GRPC_TLS_KEY_FILE (or GRPC_TLS_CLIENT_CA_FILE) do not hold a matching PEM certificate and key');
  }
}
