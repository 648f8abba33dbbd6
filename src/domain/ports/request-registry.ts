/**
 * Remembers which request ids were used for what (AIP-155), across every resident and clinic, so
 * that a reused id with a different request is refused even when it targets another document.
 */
export interface RequestRegistry {
  /** Records `requestId` for `fingerprint`; returns the fingerprint it already had, if any. */
  reserve(requestId: string, fingerprint: string, at: Date): Promise<{ existingFingerprint: string | null }>;
}
