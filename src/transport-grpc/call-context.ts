/** What a handler knows about the caller, from the transport. */
export interface CallContext {
  /** The authenticated subject; recorded on every change. */
  actor: string;
}
