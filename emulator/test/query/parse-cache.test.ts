/**
 * The parse cache (src/query/parse.ts) answers every query exactly as parsing its own text does:
 * the same AST, deep and strictly equal to @jetstreamapp/soql-parser-js's `parseQuery`, or the same
 * MALFORMED_QUERY message and position — over the queries the service sends (built with its own
 * quoting), queries of the org's wider grammar, the emulator's test suites' queries, and mutations
 * of them, each with random literals (quotes, backslash escapes, LIKE's `\%` and `\_`, unicode,
 * empty strings, IN lists of any length, datetimes with offsets, dates).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import { Org } from '../../src/org/org.ts';
import { QueryError } from '../../src/query/errors.ts';
import { parseCacheSize, parseSoql, parseUncached } from '../../src/query/parse.ts';
import { identifier, soql } from '../../../service/src/salesforce/soql.ts';
import { textChar } from '../fuzz/common.ts';
import { mutate, wideQuery } from '../fuzz/soql-fuzz.ts';

type Outcome = { ast: unknown } | { code: string; message: string };

function outcome(parse: (text: string) => unknown, text: string): Outcome {
  try {
    return { ast: parse(text) };
  } catch (e) {
    if (e instanceof QueryError) return { code: e.errorCode, message: e.message };
    throw e;
  }
}

/** The cached parse gives exactly what parsing the text alone gives (an AST or an error). */
function expectSameParse(text: string): Outcome {
  const expected = outcome(parseUncached, text);
  const got = outcome(parseSoql, text);
  if ('ast' in expected) expect(expected.ast).toStrictEqual(parseQuery(text));
  expect(got).toStrictEqual(expected);
  return got;
}

// ---------------------------------------------------------------------------------------------------
// Random literals

/** Any string the lexer reads as one token: plain characters and backslash pairs, valid or not. */
const rawStringLiteral: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: textChar.filter((c) => !/['\\\n\r\u2028\u2029]/.test(c)) },
      {
        weight: 2,
        arbitrary: fc
          .constantFrom("'", '\\', 'n', 'N', 't', 'r', 'b', 'f', '"', '%', '_', 'u00e9', 'U00C9', 'x', 'u12')
          .map((c) => `\\${c}`),
      },
    ),
    { maxLength: 8 },
  )
  .map((pieces) => `'${pieces.join('')}'`);

/** Text a client quotes with the service's own escaping. */
const quotedText: fc.Arbitrary<string> = fc
  .string({ unit: fc.oneof(textChar, fc.constantFrom("'", '\\', '%', '_', '"', '\n')), maxLength: 8 })
  .map((t) => soql`${t}`);

const stringLiteral = fc.oneof(rawStringLiteral, quotedText, fc.constant("''"));

const two = (n: number): string => String(n).padStart(2, '0');
const dateLiteral: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }))
  .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${two(m)}-${two(d)}`);
const dateTimeLiteral: fc.Arbitrary<string> = fc
  .tuple(
    dateLiteral,
    fc.constantFrom('T', 't'),
    fc.integer({ min: 0, max: 23 }),
    fc.integer({ min: 0, max: 59 }),
    fc.constantFrom('', '.000', '.5', '.123456'),
    fc.constantFrom('Z', 'z', '+02:00', '-08:00', '+0530', '-0000'),
  )
  .map(([date, t, h, m, frac, zone]) => `${date}${t}${two(h)}:${two(m)}:${two((h * m) % 60)}${frac}${zone}`);

/** A list of `n` literals for an IN. */
const inList = (item: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.array(item, { minLength: 1, maxLength: 5 }).map((items) => `(${items.join(', ')})`);

// ---------------------------------------------------------------------------------------------------
// The service's queries (service/src/salesforce/lookups.ts, batch-lookups.ts, rule-lookups.ts), built
// with its own quoting from random values.

const email = fc.oneof(
  fc.emailAddress(),
  fc.string({ unit: fc.oneof(textChar, fc.constantFrom("'", '\\', '"')), maxLength: 12 }),
);
const sfId = fc.stringMatching(/^[0-9A-Za-z]{15}([0-9A-Za-z]{3})?$/);
const isoInstant = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z'));
const ids = fc.array(sfId, { minLength: 1, maxLength: 6 });
const emails = fc.array(email, { minLength: 1, maxLength: 6 });

const EVENT_SELECT = (column: string): string =>
  `SELECT Id, IsDeleted, WhoId, WhatId, Description, Subject, LastModifiedById, OwnerId, Owner.Email, CreatedDate, StartDateTime, EndDateTime, IsPrivate, IsChild, ${column}, (SELECT RelationId FROM EventRelations) FROM Event`;
const referenceColumn = fc.constantFrom('Salescaling_Meeting_Id__c', 'Location');
const windowOf = (column: string, start: string, end: string): string =>
  `StartDateTime < ${end} AND EndDateTime > ${start} AND IsDeleted = false AND ${soql`${identifier(column)} = null`}`;

const serviceQuery: fc.Arbitrary<string> = fc.oneof(
  // The lone Event look-up: the meeting's reference, its enriched id, the owner's window.
  fc
    .record({
      column: referenceColumn,
      value: fc.string(),
      enriched: fc.option(sfId),
      window: fc.option(fc.record({ start: isoInstant, end: isoInstant, organizer: fc.option(email) })),
      me: sfId,
    })
    .map(({ column, value, enriched, window, me }) => {
      const c = identifier(column);
      const conditions = [soql`${c} = ${value}`];
      if (enriched !== null) conditions.push(soql`Id = ${enriched}`);
      if (window !== null) {
        const owner =
          window.organizer === null
            ? soql`OwnerId = ${me}`
            : soql`(Owner.Email = ${window.organizer} OR OwnerId = ${me})`;
        conditions.push(`(${windowOf(column, window.start, window.end)} AND ${owner})`);
      }
      const order = window === null ? '' : soql`${c} ASC NULLS LAST, `;
      return `${EVENT_SELECT(column)} WHERE ${conditions.join(' OR ')} ORDER BY ${order}CreatedDate ASC, Id ASC${soql` LIMIT ${100}`}`;
    }),
  fc
    .tuple(
      fc.constantFrom('Event', 'Task'),
      fc.constantFrom('Salescaling_Meeting_Id__c', 'CallObject'),
      fc.string(),
    )
    .map(
      ([kind, column, value]) =>
        soql`SELECT Id, IsDeleted, WhoId, WhatId, Description, ${identifier(column)} FROM ${identifier(kind)} WHERE ${identifier(column)} = ${value} ORDER BY CreatedDate ASC, Id ASC LIMIT 50`,
    ),
  emails.map((e) => soql`SELECT Id, Email, IsActive FROM User WHERE Email IN ${e}`),
  fc
    .tuple(emails, ids)
    .map(
      ([e, i]) =>
        `SELECT Id, Email, AccountId, LastModifiedDate, IsDeleted FROM Contact WHERE ${soql`Email IN ${e} OR Id IN ${i}`}`,
    ),
  emails.map(
    (e) => soql`SELECT Id, Email, LastModifiedDate FROM Lead WHERE Email IN ${e} AND IsConverted = false`,
  ),
  sfId.map((i) => soql`SELECT Id, RelationId, IsParent, IsWhat FROM EventRelation WHERE EventId = ${i}`),
  ids.map(
    (i) =>
      soql`SELECT Id, ContentDocumentId, LinkedEntityId FROM ContentDocumentLink WHERE LinkedEntityId IN ${i}`,
  ),
  emails.map(
    (e) =>
      `SELECT Id, AccountId, CloseDate, IsClosed, (SELECT ContactId FROM OpportunityContactRoles) FROM Opportunity WHERE IsClosed = false AND ${soql`AccountId IN (SELECT AccountId FROM Contact WHERE Email IN ${e})`} ORDER BY CloseDate ASC, Id ASC`,
  ),
  fc
    .tuple(fc.array(fc.domain(), { minLength: 1, maxLength: 3 }), ids)
    .map(
      ([domains, i]) =>
        `SELECT Id, Name, Website FROM Account WHERE ${[...domains.map((d) => soql`Website LIKE ${`%${d.replace(/[%_\\]/g, '\\$&')}%`}`), soql`Id IN ${i}`].join(' OR ')}`,
    ),
  fc
    .tuple(ids, isoInstant)
    .map(
      ([i, since]) =>
        `${soql`SELECT Id, AccountId, CloseDate, LastModifiedDate FROM Opportunity WHERE IsClosed = false AND AccountId IN ${i}`} AND LastModifiedDate >= ${since} ORDER BY Id ASC LIMIT 200`,
    ),
  // The batch's shared look-ups.
  fc
    .tuple(referenceColumn, fc.array(fc.string(), { minLength: 1, maxLength: 8 }))
    .map(
      ([column, values]) =>
        `${EVENT_SELECT(column)} ${soql`WHERE ${identifier(column)} IN ${values} ORDER BY CreatedDate ASC, Id ASC`}`,
    ),
  fc
    .tuple(referenceColumn, isoInstant, isoInstant, emails, sfId)
    .map(
      ([column, start, end, e, me]) =>
        `${EVENT_SELECT(column)} WHERE ${windowOf(column, start, end)} AND (` +
        soql`Owner.Email IN ${e}` +
        ` OR ${soql`OwnerId = ${me}`})`,
    ),
);

// ---------------------------------------------------------------------------------------------------
// The grammar around literals: every kind of value in every place a value goes.

const anyValue = fc.oneof(
  { weight: 4, arbitrary: stringLiteral },
  dateTimeLiteral,
  dateLiteral,
  fc.constantFrom(
    'null',
    'NULL',
    'true',
    'FALSE',
    'TODAY',
    'LAST_N_DAYS:3',
    'N_DAYS_AGO:0',
    '12',
    '-3.5',
    'USD100',
  ),
);
const grammarQuery: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom('=', '!=', '<', '<=', '>', '>=', 'LIKE'), anyValue, fc.constantFrom(' ', ''))
    .map(([op, v, sp]) => `SELECT Id FROM Account WHERE Name ${op}${sp}${v}`),
  fc
    .tuple(fc.constantFrom('IN', 'NOT IN', 'INCLUDES', 'EXCLUDES'), inList(anyValue))
    .map(([op, list]) => `SELECT Id FROM Account WHERE Name ${op} ${list}`),
  fc
    .tuple(dateTimeLiteral, inList(dateTimeLiteral), dateLiteral, inList(dateLiteral))
    .map(
      ([dt, dts, d, ds]) =>
        `SELECT Id FROM Event WHERE (StartDateTime >=${dt}) AND EndDateTime IN ${dts} AND (ActivityDate=${d} OR ActivityDate IN ${ds}) AND CreatedDate = LAST_N_DAYS:7`,
    ),
  fc
    .tuple(stringLiteral, stringLiteral, stringLiteral)
    .map(
      ([a, b, c]) =>
        `SELECT Name, (SELECT Id FROM Contacts WHERE Email = ${a} LIMIT 2), TYPEOF Owner WHEN User THEN Name END FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE LastName LIKE ${b}) AND Name != ${c} ORDER BY Name DESC NULLS LAST LIMIT 10 OFFSET 1`,
    ),
  fc
    .tuple(stringLiteral, fc.constantFrom("'mi'", "'km'", "'MI'", "'miles'"), stringLiteral)
    .map(
      ([a, unit, b]) =>
        `SELECT Id FROM Account WHERE DISTANCE(Loc__c, GEOLOCATION(1.5, -2), ${unit}) < 20 AND Name = ${a} OR Name = ${unit} OR Site = ${b}`,
    ),
  fc
    .tuple(stringLiteral, stringLiteral)
    .map(
      ([a, b]) =>
        `SELECT Industry, COUNT(Id) n FROM Account WHERE Name LIKE ${a} GROUP BY Industry HAVING COUNT(Id) > 1 AND Industry != ${b} ORDER BY Industry`,
    ),
  fc
    .tuple(stringLiteral, dateTimeLiteral)
    .map(
      ([a, dt]) =>
        `SELECT toLabel(StageName), FORMAT(Amount) FROM Opportunity WHERE CALENDAR_YEAR(CloseDate) = 2026 AND StageName = ${a} AND LastModifiedDate > ${dt} WITH SECURITY_ENFORCED FOR VIEW`,
    ),
);

// ---------------------------------------------------------------------------------------------------
// The emulator's own test suites' queries, their literals replaced by random ones.

function testQueries(): string[] {
  const root = join(__dirname, '..');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.push(path);
    }
  };
  walk(root);
  const found = new Set<string>();
  // Backtick and double-quoted JavaScript strings holding a whole query, without interpolation or
  // JavaScript escapes (so their text is the query's).
  const pattern = /`(SELECT [^`$\\]*)`|"(SELECT [^"\\\n]*)"/gi;
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(pattern)) found.add((m[1] ?? m[2]) as string);
  }
  return [...found];
}

/** The same query with each quoted string, datetime and date replaced by a random one of its kind. */
const reliteral = (query: string): fc.Arbitrary<string> => {
  const parts = query.split(
    /('(?:[^'\\\n]|\\.)*'|\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})|\b\d{4}-\d{2}-\d{2}\b)/,
  );
  return fc
    .tuple(
      ...parts.map((part, i) =>
        i % 2 === 0
          ? fc.constant(part)
          : part.startsWith("'")
            ? stringLiteral
            : part.includes('T')
              ? dateTimeLiteral
              : dateLiteral,
      ),
    )
    .map((pieces) => pieces.join(''));
};

const QUERYABLE = ['Account', 'Contact', 'Opportunity', 'Lead', 'Event', 'Task', 'User', 'EventRelation'];

describe('the parse cache answers as parsing the text itself does', () => {
  it("when the service's look-ups come with random values, then each AST equals the parser's and no parse falls back to the text", () => {
    const before = parseCacheSize();
    fc.assert(
      fc.property(serviceQuery, (text) => {
        expect('ast' in expectSameParse(text)).toBe(true);
      }),
      { numRuns: 400 },
    );
    // Every one of them was answered from a parsed shape (a fallback parses and keeps the text).
    expect(parseCacheSize().texts).toBe(before.texts);
  });

  it('when literals of every kind sit in every place a value goes, then the AST or the error equals the parser’s', () => {
    fc.assert(
      fc.property(grammarQuery, (text) => void expectSameParse(text)),
      { numRuns: 400 },
    );
  });

  it('when the same shape comes again with other literals, then each answer carries its own', () => {
    fc.assert(
      fc.property(
        grammarQuery.chain(reliteral).chain((q) => fc.tuple(fc.constant(q), reliteral(q))),
        ([a, b]) => {
          expectSameParse(a);
          expectSameParse(b);
          expectSameParse(a);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("when the emulator's test suites' queries come with random literals, then each AST or error equals the parser's", () => {
    const corpus = testQueries();
    expect(corpus.length).toBeGreaterThan(100);
    for (const [i, query] of corpus.entries()) {
      expectSameParse(query);
      for (const variant of fc.sample(reliteral(query), { numRuns: 2, seed: i })) expectSameParse(variant);
    }
  });

  it('when queries of the wider grammar and their mutations (malformed ones among them) are parsed, then each answer equals the parser’s', () => {
    const org = new Org({
      settings: { sharedActivities: true, packageInstalled: true },
      adminUsername: 'parse@salescaling.localorg',
    });
    const wide = wideQuery(org, QUERYABLE);
    fc.assert(
      fc.property(
        fc.oneof(wide, wide.chain(reliteral), wide.chain(mutate), grammarQuery.chain(mutate)),
        (text) => void expectSameParse(text),
      ),
      { numRuns: 600 },
    );
  });

  it('when a caller changes the AST it was given, then the next parse of the same shape is untouched', () => {
    const text = soql`SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Name IN ${['a', "o'b"]} AND CreatedDate > 2026-01-01T00:00:00Z`;
    const first = parseSoql(text) as unknown as Record<string, unknown> & {
      where: { left: { value: string[] } };
    };
    first.where.left.value.push("'x'");
    first['sObject'] = 'Contact';
    first['fields'] = [];
    expect(parseSoql(text)).toStrictEqual(parseQuery(text));
    const other = text.replace("'a'", "'c'");
    expect(parseSoql(other)).toStrictEqual(parseQuery(other));
  });

  it('when thousands of shapes and unliftable texts go through, then the cache stays bounded', () => {
    for (let n = 1; n <= 700; n++) {
      // Numbers stay in the shape: each LIMIT is a shape of its own.
      expectSameParse(`SELECT Id FROM Account WHERE Name IN ('a', 'b') LIMIT ${n}`);
      // A NUL in the text is not lifted: it is kept by its text.
      expectSameParse(`SELECT Id FROM Account WHERE Name = 'nul\u0000${n}'`);
    }
    const size = parseCacheSize();
    expect(size.shapes).toBeLessThanOrEqual(500);
    expect(size.texts).toBeLessThanOrEqual(500);
    expect(size.texts).toBeGreaterThan(0);
  });
});
