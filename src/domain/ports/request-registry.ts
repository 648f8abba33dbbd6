/** Whose request id it is: ids are scoped per clinic and caller, so one caller's id never meets another's. */
export interface RequestKey {
  clinicId: string;
  /** The token's subject. */
  caller: string;
  requestId: string;
}

/**
 * Remembers which request ids were used for what (AIP-155), per clinic and caller, across every
 * resident of the clinic, so that a reused id with a different request is refused even when it
 * targets another document. A record is kept for the retention (REQUEST_ID_RETENTION_DAYS); an
 * expired one counts as absent.
 */
export interface RequestRegistry {
  /**
   * Records the key for `fingerprint` unless a live record has it; returns the fingerprint that
   * record has (null: recorded now) and until when the id is remembered.
   */
  reserve(key: RequestKey, fingerprint: string, now: Date): Promise<{ existingFingerprint: string | null; expiresAt: Date }>;
}
