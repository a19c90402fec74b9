/**
 * AES-256-GCM for OAuth tokens at rest. The ciphertext names the key it was sealed with (a short
 * fingerprint), so keys can be rotated: the first configured key seals, every key opens.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

function fingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export class TokenCipher {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #sealKey: Buffer;
  readonly #sealId: string;

  constructor(keys: readonly Buffer[]) {
    const first = keys[0];
    if (!first) throw new Error('TokenCipher needs at least one key');
    for (const k of keys) if (k.length !== 32) throw new Error('token encryption keys must be 32 bytes');
    this.#sealKey = first;
    this.#sealId = fingerprint(first);
    this.#keys = new Map(keys.map((k) => [fingerprint(k), k]));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      VERSION,
      this.#sealId,
      iv.toString('base64'),
      tag.toString('base64'),
      body.toString('base64'),
    ].join(':');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || !keyId || !iv || !tag || body === undefined)
      throw new Error('not a sealed token');
    const key = this.#keys.get(keyId);
    if (!key) throw new Error('token was sealed with a key that is no longer configured');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }

  /** True when the value was sealed with an older key and should be sealed again. */
  isStale(sealed: string): boolean {
    return sealed.split(':')[1] !== this.#sealId;
  }
}
