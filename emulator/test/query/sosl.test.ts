import fc from 'fast-check';
import { executeSosl, QueryError } from '../../src/query/index.ts';
import { makeFixture, NOW } from './fixture.ts';

const { ds, ids } = makeFixture();
const search = (sosl: string) => executeSosl(sosl, ds, { apiVersion: '66.0', now: NOW }).searchRecords;
const found = (sosl: string): unknown[] => search(sosl).map((r) => r['Id']);

function failure(sosl: string): QueryError {
  try {
    search(sosl);
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
  throw new Error(`expected ${sosl} to fail`);
}

describe('SOSL: FIND … RETURNING', () => {
  it('when a word is searched, then matching records come back with attributes and the fields asked for', () => {
    expect(search('FIND {acme} IN NAME FIELDS RETURNING Account(Name, Industry ORDER BY Name)')).toEqual([
      {
        attributes: { type: 'Account', url: `/services/data/v66.0/sobjects/Account/${ids['acme']}` },
        Name: 'Acme',
        Industry: 'Technology',
      },
      {
        attributes: { type: 'Account', url: `/services/data/v66.0/sobjects/Account/${ids['acmeSub']}` },
        Name: 'acme subsidiary',
        Industry: 'Technology',
      },
    ]);
  });

  it('when RETURNING names an object without fields, then rows carry only the Id', () => {
    expect(search('FIND {Globex} RETURNING Account')).toEqual([
      {
        attributes: { type: 'Account', url: `/services/data/v66.0/sobjects/Account/${ids['globex']}` },
        Id: ids['globex'],
      },
    ]);
  });

  it('when there is no RETURNING, then every searchable object is searched and rows carry the Id', () => {
    expect(found('FIND {acme}')).toEqual([
      ids['acme'],
      ids['acmeSub'],
      ids['jane'],
      ids['john'],
      ids['renewal'],
      ids['upsell'],
    ]);
  });

  it('when several objects are returned, then rows come object by object in RETURNING order', () => {
    const rows = search('FIND {acme} RETURNING Opportunity(Name), Contact(LastName ORDER BY LastName)');
    expect(rows.map((r) => (r['attributes'] as { type: string }).type)).toEqual([
      'Opportunity',
      'Opportunity',
      'Contact',
      'Contact',
    ]);
  });

  it('when search terms differ in case, then the match is the same', () => {
    expect(found('FIND {GLOBEX} RETURNING Account')).toEqual(found('FIND {globex} RETURNING Account'));
  });

  it('when a term matches only part of a word, then nothing matches; a * wildcard extends it', () => {
    expect(found('FIND {glob} RETURNING Account')).toEqual([]);
    expect(found('FIND {glob*} RETURNING Account')).toEqual([ids['globex']]);
    expect(found('FIND {gl?bex} RETURNING Account')).toEqual([ids['globex']]);
    expect(found('FIND {gl?ex} RETURNING Account')).toEqual([]);
  });

  it('when a quoted phrase is searched, then its words must be adjacent and in order', () => {
    expect(found('FIND {"jane doe"} IN NAME FIELDS RETURNING Contact')).toEqual([ids['jane']]);
    expect(found('FIND {"doe jane"} IN NAME FIELDS RETURNING Contact')).toEqual([]);
  });

  it('when words are separated by spaces, then all must match (AND); OR and AND NOT combine as written', () => {
    expect(found('FIND {jane acme} RETURNING Contact')).toEqual([ids['jane']]);
    expect(found('FIND {jane OR john} RETURNING Contact')).toEqual([ids['jane'], ids['john']]);
    expect(found('FIND {acme AND NOT jane} RETURNING Contact')).toEqual([ids['john']]);
    expect(found('FIND {(jane OR liam) AND example} RETURNING Contact')).toEqual([ids['jane'], ids['liam']]);
  });

  it('when searching IN EMAIL FIELDS, then a whole email address matches, whatever its case', () => {
    expect(found('FIND {john.smith@acme.example.com} IN EMAIL FIELDS RETURNING Contact, Lead')).toEqual([
      ids['john'],
    ]);
    expect(found('FIND {acme} IN EMAIL FIELDS RETURNING Account')).toEqual([]);
  });

  it('when an email with a quote is searched, then it needs no SOSL escape but SOQL-style escapes still work', () => {
    expect(found("FIND {o'brien@example.com} IN EMAIL FIELDS RETURNING Contact")).toEqual([ids['liam']]);
    expect(found("FIND {o\\'brien@example.com} IN EMAIL FIELDS RETURNING Contact")).toEqual([ids['liam']]);
  });

  it('when searching IN PHONE FIELDS, then digits match whatever the punctuation', () => {
    expect(found('FIND {4155550199} IN PHONE FIELDS RETURNING Account')).toEqual([ids['acme']]);
    expect(found('FIND {415-555-0199} IN PHONE FIELDS RETURNING Account, Contact')).toEqual([ids['acme']]);
    expect(found('FIND {14155550101} IN PHONE FIELDS RETURNING Contact')).toEqual([ids['jane']]);
    expect(found('FIND {"555 0101"} IN PHONE FIELDS RETURNING Contact')).toEqual([ids['jane']]);
  });

  it('when RETURNING has WHERE, ORDER BY and LIMIT, then they apply to that object', () => {
    expect(
      search(
        `FIND {acme} RETURNING Contact(LastName WHERE HasOptedOutOfEmail = false ORDER BY LastName DESC LIMIT 1)`,
      ).map((r) => r['LastName']),
    ).toEqual(['Doe']);
    expect(
      search(
        `FIND {acme} RETURNING Account(Name, Owner.Alias WHERE Owner.Alias = 'bseller' ORDER BY Name)`,
      )[0],
    ).toMatchObject({
      Owner: { Alias: 'bseller' },
    });
  });

  it('when OFFSET is given for one object, then rows are skipped; beyond 2000 or over several objects, MALFORMED_SEARCH', () => {
    expect(
      search('FIND {acme} RETURNING Account(Name ORDER BY Name LIMIT 1 OFFSET 1)').map((r) => r['Name']),
    ).toEqual(['acme subsidiary']);
    expect(failure('FIND {acme} RETURNING Account(Name OFFSET 2001)').message).toBe(
      'SOSL offset should be between 0 to 2000',
    );
    expect(failure('FIND {acme} RETURNING Account(Name OFFSET 1), Contact').errorCode).toBe(
      'MALFORMED_SEARCH',
    );
  });

  it('when an overall LIMIT is given, then it caps all rows together', () => {
    expect(search('FIND {acme} RETURNING Account, Contact, Opportunity LIMIT 3')).toHaveLength(3);
  });

  it('when a deleted record matches, then it is not returned', () => {
    expect(found('FIND {initech} RETURNING Account, Contact')).toEqual([]);
  });
});

describe('SOSL: escaping and errors', () => {
  it('when a reserved character is escaped, then it is searched literally; unescaped, the search is malformed', () => {
    // Punctuation separates index tokens, so an escaped & or ' stands between words of a phrase.
    expect(found('FIND {O\\&Brien} RETURNING Account')).toEqual([ids['obrien']]);
    expect(found('FIND {"O\\\'Brien \\& Sons"} RETURNING Account')).toEqual([ids['obrien']]);
    expect(found('FIND {"Sons \\& O\\\'Brien"} RETURNING Account')).toEqual([]);
    expect(found('FIND {brace\\}s} RETURNING Account')).toEqual([]);
    const e = failure('FIND {John|jane_gray@uoa.edu} RETURNING Contact');
    expect(e.errorCode).toBe('MALFORMED_SEARCH');
    expect(e.message).toBe(
      "\nFIND {John|jane_gray@uoa.edu} RETURNING Contact\n         ^\nERROR at Row:1:Column:10\nline 1:10 mismatched character '|' expecting '}'",
    );
  });

  it('when the term is one character, then INVALID_SEARCH says it must be longer', () => {
    const e = failure('FIND {g} RETURNING Account');
    expect(e.errorCode).toBe('INVALID_SEARCH');
    expect(e.message).toBe('search term must be longer than one character: g');
  });

  it('when the fields group is unknown, then MALFORMED_SEARCH names the token', () => {
    const e = failure('FIND {name} IN ALL TYPE RETURNING Account(name)');
    expect(e.errorCode).toBe('MALFORMED_SEARCH');
    expect(e.message).toContain('Malformed search token: TYPE');
  });

  it('when RETURNING names an unknown object or field, then INVALID_TYPE or INVALID_FIELD', () => {
    expect(failure('FIND {acme} RETURNING Widget__c').errorCode).toBe('INVALID_TYPE');
    const e = failure('FIND {acme} RETURNING Account(Nmae)');
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toContain("No such column 'Nmae' on entity 'Account'");
  });

  it('when the SOSL does not start with FIND {…}, then MALFORMED_SEARCH', () => {
    expect(failure("FIND 'acme' RETURNING Account").errorCode).toBe('MALFORMED_SEARCH');
    expect(failure('FIND {acme RETURNING Account').errorCode).toBe('MALFORMED_SEARCH');
    expect(failure('FIND {acme} RETURNING Account GARBAGE').errorCode).toBe('MALFORMED_SEARCH');
  });
});

describe('SOSL robustness', () => {
  it('when any search text is sent, then the engine answers rows or a QueryError, never another exception', () => {
    const term = fc.string({
      unit: fc.constantFrom(
        'a',
        'c',
        'm',
        'e',
        ' ',
        '*',
        '?',
        '"',
        '(',
        ')',
        '\\',
        '{',
        '}',
        '|',
        '&',
        "'",
        '-',
        'AND ',
        'OR ',
        'NOT ',
      ),
      maxLength: 12,
    });
    const tail = fc.constantFrom(
      '',
      ' IN NAME FIELDS',
      ' IN FOO FIELDS',
      ' RETURNING Account',
      ' RETURNING Account(Name',
      ' RETURNING Contact(Name WHERE Email != null LIMIT 2), Lead',
      ' LIMIT 2',
      ' RETURNING Nope',
    );
    fc.assert(
      fc.property(term, tail, (t, rest) => {
        try {
          const result = search(`FIND {${t}}${rest}`);
          expect(Array.isArray(result)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(QueryError);
        }
      }),
      { numRuns: 400 },
    );
  });
});
