import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Page tokens (AIP-158) carry the position after the last item shown (a resident number, or a
 * time and event id) and their expiry, encrypted and authenticated with AES-256-GCM. The listing's
 * parameters (clinic, filter) are the additional authenticated data, so a token opens only for
 * the listing that issued it. The key is derived (HKDF-SHA256) from RESIDENT_PSEUDONYM_SECRET with
 * an info string of its own, so every instance shares it and no other use of that secret meets it.
 *
 * Layout (base64url): version (1 byte) | IV (12) | ciphertext | tag (16).
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_INFO = 'resident-access page tokens v1';
/** A page is asked for within seconds of the one before; an hour allows for a slow reader. */
export const PAGE_TOKEN_LIFETIME_MS = 60 * 60_000;

/** Seals and opens page tokens with one key; every instance derives the same from the shared secret. */
export class PageTokens {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'resident-access', KEY_INFO, 32));
  }

  encode(after: unknown, listing: Record<string, unknown>): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(listingDigest(listing));
    const plain = Buffer.from(JSON.stringify({ a: after, x: this.now().getTime() + PAGE_TOKEN_LIFETIME_MS }), 'utf8');
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * The position to continue after, or undefined if the token was not issued for this listing by a
   * holder of the key, was altered, or has expired.
   */
  decode<T>(token: string, listing: Record<string, unknown>, isPosition: (a: unknown) => a is T): T | undefined {
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < 1 + IV_BYTES + TAG_BYTES + 1 || raw[0] !== VERSION || raw.toString('base64url') !== token) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(listingDigest(listing));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      const parsed = JSON.parse(plain.toString('utf8')) as { a?: unknown; x?: unknown };
      if (typeof parsed.x !== 'number' || parsed.x <= this.now().getTime() || !isPosition(parsed.a)) return undefined;
      return parsed.a;
    } catch {
      return undefined;
    }
  }
}

export const isResidentNumber = (a: unknown): a is string => typeof a === 'string' && /^\d{12}$/.test(a);

function listingDigest(listing: Record<string, unknown>): Buffer {
  return createHash('sha256').update(JSON.stringify(listing)).digest();
}
