import { createHash } from 'node:crypto';
import type { Principal } from '../domain/authorization/principal';

/** maxAgeMs: long enough to spare a busy client's repeated verifications, short next to key rotation. */
export interface VerifiedTokenLimits {
  maxAgeMs: number;
  maxEntries: number;
}

/** What a verified token established: the caller, and the certificate it is bound to (null: none). */
export interface VerifiedToken {
  principal: Principal;
  boundThumbprint: string | null;
}

/**
 * Tokens verified lately, so that a client calling many times with one token pays
 * for one signature check per minute, not one per call (ES256 verification is the service's
 * largest own cost under read load; docs/performance.md). An entry never outlives its token's
 * `exp`. Keys are SHA-256 digests: the tokens themselves are not kept.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { verified: VerifiedToken; validUntilMs: number }>();

  constructor(private readonly limits: VerifiedTokenLimits) {}

  get(token: string): VerifiedToken | null {
    const key = digest(token);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (Date.now() >= entry.validUntilMs) {
      this.entries.delete(key);
      return null;
    }
    return entry.verified;
  }

  put(token: string, verified: VerifiedToken, expiresAtSeconds: number): void {
    if (this.entries.size >= this.limits.maxEntries) {
      // The oldest entry goes (a Map iterates in insertion order).
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(digest(token), { verified, validUntilMs: Math.min(expiresAtSeconds * 1000, Date.now() + this.limits.maxAgeMs) });
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
