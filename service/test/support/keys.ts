import { TokenCipher } from '../../src/crypto/token-cipher.ts';

/** A fixed, test-only token encryption key. */
export const testKey = Buffer.alloc(32, 7);
export const testCipher = new TokenCipher([testKey]);
