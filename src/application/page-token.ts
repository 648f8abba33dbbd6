import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { PseudonymKeyRing } from '../config/pseudonym-key-ring';

/**
 * Page tokens (AIP-158) carry the position after the last item shown (a resident number, or a
 * time and event id) and their expiry, encrypted and authenticated with AES-256-GCM. The listing's
 * parameters (clinic, filter) are the additional authenticated data, so a token opens only for
 * the listing that issued it. Each key of the pseudonym key ring gives a key (HKDF-SHA256, with an
 * info string of its own, so no other use of that secret meets it); a token is sealed with the
 * current one and names it, so it still opens after a rotation while its key is in the ring.
 *
 * Layout (base64url): version (1 byte) | key id length (1) | key id | IV (12) | ciphertext | tag (16).
 * The key id is authenticated too (part of the additional data).
 */
const VERSION = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_INFO = 'resident-access page tokens v1';
/** A page is asked for within seconds of the one before; an hour allows for a slow reader. */
export const PAGE_TOKEN_LIFETIME_MS = 60 * 60_000;

/** Seals page tokens with the ring's current key and opens them with the key they name; every instance derives the same keys. */
export class PageTokens {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly currentId: Buffer;

  constructor(
    ring: PseudonymKeyRing,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.keys = new Map(ring.keys.map((k) => [k.id, Buffer.from(hkdfSync('sha256', k.secret, 'resident-access', KEY_INFO, 32))]));
    this.currentId = Buffer.from(ring.current.id, 'utf8');
  }

  encode(after: unknown, listing: Record<string, unknown>): string {
    const iv = randomBytes(IV_BYTES);
    const header = Buffer.concat([Buffer.from([VERSION, this.currentId.length]), this.currentId]);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId.toString('utf8'))!, iv);
    cipher.setAAD(additionalData(header, listing));
    const plain = Buffer.from(JSON.stringify({ a: after, x: this.now().getTime() + PAGE_TOKEN_LIFETIME_MS }), 'utf8');
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([header, iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * The position to continue after, or undefined if the token was not issued for this listing by a
   * holder of a key still in the ring, was altered, or has expired.
   */
  decode<T>(token: string, listing: Record<string, unknown>, isPosition: (a: unknown) => a is T): T | undefined {
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < 2 || raw[0] !== VERSION || raw.toString('base64url') !== token) return undefined;
    const start = 2 + raw[1]!;
    const key = this.keys.get(raw.subarray(2, start).toString('utf8'));
    if (!key || raw.length < start + IV_BYTES + TAG_BYTES + 1) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(start, start + IV_BYTES));
      decipher.setAAD(additionalData(raw.subarray(0, start), listing));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(start + IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      const parsed = JSON.parse(plain.toString('utf8')) as { a?: unknown; x?: unknown };
      if (typeof parsed.x !== 'number' || parsed.x <= this.now().getTime() || !isPosition(parsed.a)) return undefined;
      return parsed.a;
    } catch {
      return undefined;
    }
  }
}

export const isResidentNumber = (a: unknown): a is string => typeof a === 'string' && /^\d{12}$/.test(a);

/** The token's header (version, key id) and a digest of the listing it belongs to. */
function additionalData(header: Buffer, listing: Record<string, unknown>): Buffer {
  return Buffer.concat([header, createHash('sha256').update(JSON.stringify(listing)).digest()]);
}
