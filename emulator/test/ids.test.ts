import { IdFactory, checksumSuffix, to18 } from '../src/ids.ts';

describe('Salesforce ids', () => {
  it.each([
    ['a0BA0000000L2ZC', 'a0BA0000000L2ZCMA0'],
    ['AAaAAbbBBBCcCCC', 'AAaAAbbBBBCcCCC123'],
    ['ABCDEFGHIJKLMNO', 'ABCDEFGHIJKLMNO555'],
    ['AaaAABbbBBCccCC', 'AaaAABbbBBCccCCZZZ'],
  ])('when %s is given, then its 18-character form is %s', (id15, id18) => {
    expect(id15 + checksumSuffix(id15)).toBe(id18);
    expect(to18(id15)).toBe(id18);
    expect(to18(id18)).toBe(id18);
    expect(to18(id18.toLowerCase())).toBe(id18);
    expect(to18(id18.toUpperCase())).toBe(id18);
  });

  it('when the suffix does not match, then the id is malformed', () => {
    expect(to18('a0BA0000000L2ZCAA5')).toBeUndefined();
    expect(to18('a0BA0000000L2ZC' + '555')).toBeUndefined();
    expect(to18('short')).toBeUndefined();
    expect(to18("001' OR Name != '")).toBeUndefined();
  });

  it('when ids are made, then they carry the prefix, are unique and case-safe', () => {
    const ids = new IdFactory();
    const made = Array.from({ length: 1000 }, () => ids.next('003'));
    expect(new Set(made.map((id) => id.toLowerCase())).size).toBe(1000);
    for (const id of made) {
      expect(id).toMatch(/^003[a-zA-Z0-9]{12}[A-Z0-5]{3}$/);
      expect(to18(id.slice(0, 15))).toBe(id);
    }
  });

  it('when a saved id is observed, then new ids continue after it', () => {
    const first = new IdFactory();
    const a = first.next('001');
    const b = first.next('001');
    const second = new IdFactory();
    second.observe(b);
    expect([a, b]).not.toContain(second.next('001'));
  });
});

/** The regular-expression form to18 had before it read character codes: the reference it must equal. */
function referenceTo18(id: string): string | undefined {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  if (/^[a-zA-Z0-9]{15}$/.test(id)) return id + checksumSuffix(id);
  if (!/^[a-zA-Z0-9]{18}$/.test(id)) return undefined;
  const suffix = id.slice(15).toUpperCase();
  let id15 = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const flags = alphabet.indexOf(suffix.charAt(chunk));
    if (flags < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const ch = id.charAt(chunk * 5 + i);
      id15 += (flags >> i) & 1 ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  return checksumSuffix(id15) === suffix ? id15 + suffix : undefined;
}

describe('to18 against the regular-expression reference', () => {
  // A fixed seed: the same ids on every run (a failure names its input).
  let seed = 0x2f6e2b1;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const pick = (alphabet: string, length: number): string =>
    Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');

  it('when ids of every shape are given, then to18 answers as the reference does', () => {
    const made = new IdFactory().next('00U');
    const inputs = [made, made.toLowerCase(), made.toUpperCase(), made.slice(0, 15), '', 'x'.repeat(18)];
    for (let n = 0; n < 20_000; n++) {
      const id15 = pick(chars, 15);
      const id18 = id15 + checksumSuffix(id15);
      const flip = [...id18].map((c) => (random(2) ? c.toLowerCase() : c.toUpperCase())).join('');
      inputs.push(
        id15,
        id18,
        flip,
        id15 + pick(chars, 3),
        id15 + pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345', 3),
        pick(chars + ' -_é\n', 15 + random(4)),
        id18.slice(0, 17) + ' ',
        id18 + '\n',
      );
    }
    const mismatches = inputs.filter((id) => to18(id) !== referenceTo18(id));
    expect(mismatches).toEqual([]);
    // The inputs reach both answers (well-formed ids and refusals) in every form, not only one.
    expect(inputs.filter((id) => id.length === 18 && to18(id) !== undefined).length).toBeGreaterThan(40_000);
    expect(inputs.filter((id) => id.length === 18 && to18(id) === undefined).length).toBeGreaterThan(10_000);
  });
});
