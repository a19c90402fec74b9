/**
 * Salesforce record ids: a 3-character key prefix naming the object, a 2-character pod/instance part,
 * a 10-character sequence (base 62), and for the 18-character form a 3-character suffix that makes
 * the id case-insensitive. The suffix encodes, for each 5-character chunk of the 15-character id,
 * which of its characters are upper-case letters.
 * See https://help.salesforce.com/s/articleView?id=000385008 (What is a Salesforce ID).
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The 3-character case-safe suffix of a 15-character id. */
export function checksumSuffix(id15: string): string {
  if (id15.length !== 15) throw new RangeError(`expected a 15-character id, got ${id15.length} characters`);
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) flags |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[flags];
  }
  return suffix;
}

/**
 * The 18-character form of a 15- or 18-character id, or undefined when it is not a well-formed id.
 * A 15-character id is case-sensitive. An 18-character id is case-safe: its suffix says which letters
 * are upper case, so it names the same record in any case (that is what the suffix is for), and the
 * canonical form is restored from it.
 *
 * Every record look-up and sharing check passes through here, so it reads character codes instead of
 * running regular expressions, and an id already canonical (what the org hands out and stores) comes
 * back as the same string, unallocated, its hash already cached for the Map look-up that follows.
 */
export function to18(id: string): string | undefined {
  if (id.length === 15) return isAlphanumeric(id, 15) ? id + checksumSuffix(id) : undefined;
  if (id.length !== 18 || !isAlphanumeric(id, 18)) return undefined;
  let canonical = true;
  for (let chunk = 0; chunk < 3 && canonical; chunk++) {
    const s = id.charCodeAt(15 + chunk);
    // The suffix is read case-insensitively: a lower-case suffix letter is not canonical.
    const flags = suffixFlags(s);
    if (flags < 0) return undefined;
    if (s >= 97) canonical = false;
    for (let i = 0; i < 5; i++) {
      const c = id.charCodeAt(chunk * 5 + i);
      const flagged = ((flags >> i) & 1) === 1;
      // A flag on a digit cannot be honoured: the suffix does not belong to these 15 characters.
      if (flagged && c <= 57) return undefined;
      if (flagged ? c >= 97 : c >= 65 && c <= 90) canonical = false;
    }
  }
  return canonical ? id : slowTo18(id);
}

/** Letters and digits only, over the first `length` characters. */
function isAlphanumeric(id: string, length: number): boolean {
  for (let i = 0; i < length; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return true;
}

/** The 5 upper-case flags a suffix character stands for (either case), or -1 if it stands for none. */
function suffixFlags(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 97;
  if (c >= 48 && c <= 53) return c - 48 + 26;
  return -1;
}

/** The canonical form of a well-formed 18-character id written in another case. */
function slowTo18(id: string): string | undefined {
  const suffix = id.slice(15).toUpperCase();
  let id15 = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const flags = SUFFIX_ALPHABET.indexOf(suffix.charAt(chunk));
    if (flags < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const ch = id.charAt(chunk * 5 + i);
      id15 += (flags >> i) & 1 ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  return checksumSuffix(id15) === suffix ? id15 + suffix : undefined;
}

/** The key prefix (the object's 3-character code) of an id. */
export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

/** Encodes a sequence number as a fixed-width base-62 string. */
function base62(n: number, width: number): string {
  let out = '';
  let rest = n;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  if (rest > 0) throw new RangeError('id sequence exhausted');
  return out;
}

/**
 * Makes ids for one org: prefix + a 2-character instance part + a 10-character sequence,
 * then the checksum suffix. Sequences are per key prefix so ids of one object sort by creation.
 */
export class IdFactory {
  readonly #instance: string;
  readonly #next = new Map<string, number>();

  constructor(instance = '5g') {
    if (!/^[a-zA-Z0-9]{2}$/.test(instance)) throw new RangeError('instance part must be 2 alphanumerics');
    this.#instance = instance;
  }

  next(keyPrefix: string): string {
    if (!/^[a-zA-Z0-9]{3}$/.test(keyPrefix)) throw new RangeError(`bad key prefix ${keyPrefix}`);
    const seq = (this.#next.get(keyPrefix) ?? 0) + 1;
    this.#next.set(keyPrefix, seq);
    // Real sequences start well above zero; keep that shape (e.g. 0015g00000ABCDE).
    const id15 = keyPrefix + this.#instance + base62(seq + 62 ** 4, 10);
    return id15 + checksumSuffix(id15);
  }

  /** Makes sure later ids do not collide with ids loaded from a saved org. */
  observe(id: string): void {
    const prefix = keyPrefixOf(id);
    if (id.slice(3, 5) !== this.#instance) return;
    const seqPart = id.slice(5, 15);
    let n = 0;
    for (const ch of seqPart) n = n * 62 + BASE62.indexOf(ch);
    const seq = n - 62 ** 4;
    if (seq > (this.#next.get(prefix) ?? 0)) this.#next.set(prefix, seq);
  }
}
