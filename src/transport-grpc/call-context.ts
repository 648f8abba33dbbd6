import type { Principal } from '../domain/authorization/principal';

/** What a handler knows about the caller, from the transport. */
export interface CallContext {
  /** The verified caller; its subject is recorded on every change. */
  principal: Principal;
}

/** Turns the `authorization` metadata value into a verified principal (or throws an AuthError). */
export type Authenticate = (authorizationHeader: string | undefined) => Promise<Principal>;
