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
