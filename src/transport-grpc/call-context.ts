import type { Principal } from '../domain/authorization/principal';

/** What a handler knows about the caller, from the transport. */
export interface CallContext {
  /** The verified caller; its subject is recorded on every change. */
  principal: Principal;
  /**
   * Aborted when the call ends before the handler answers (deadline passed, or cancelled by the
   * client): use cases stop before their next storage step and any wait.
   */
  signal: AbortSignal;
}

/**
 * Turns the `authorization` metadata value into a verified principal (or throws an AuthError);
 * `clientCertificate` gives the DER of the caller's TLS client certificate (mTLS), read only for
 * a token bound to one.
 */
export type Authenticate = (authorizationHeader: string | undefined, clientCertificate: () => Uint8Array | undefined) => Promise<Principal>;
