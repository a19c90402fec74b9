/**
 * Grammar-based fuzzing of the local org's SOSL over its own schema. Rules relied on:
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm
 * (searches are case-insensitive; record text is split into tokens at spaces and punctuation;
 * reserved characters `? & | ! { } [ ] ( ) ^ ~ * : \ " ' + -` are searched for when escaped with a
 * backslash).
 */
import fc from 'fast-check';
import { Org } from '../../src/org/org.ts';
import { executeSosl } from '../../src/query/index.ts';
import { check, type FuzzProperty, textChar } from './common.ts';
import { answersOrQueryError } from './soql-fuzz.ts';

const RESERVED = new Set('?&|!{}[]()^~*:\\"\'+-'.split(''));

/** A search term with every reserved character escaped. */
export const escapeTerm = (term: string): string =>
  Array.from(term, (c) => (RESERVED.has(c) ? `\\${c}` : c)).join('');

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'Ünïcødé', 'straße', 'o2'];

function newOrg(): Org {
  return new Org({
    settings: { sharedActivities: true, packageInstalled: true },
    adminUsername: 'fuzz@salescaling.localorg',
  });
}

const sosl = (org: Org, text: string) => executeSosl(text, org.store, { apiVersion: '66.0' });

const RETURNABLE = ['Account', 'Contact', 'Lead', 'Opportunity', 'User'];

/** A SOSL search of the wide grammar: any term characters, escaped or not, and every clause. */
function wideSearch(org: Org): fc.Arbitrary<string> {
  const term = fc.oneof(
    fc.string({ unit: textChar, minLength: 0, maxLength: 10 }),
    fc.string({ unit: textChar, minLength: 1, maxLength: 10 }).map(escapeTerm),
    fc
      .tuple(
        fc.constantFrom(...WORDS),
        fc.constantFrom(' AND ', ' OR ', ' AND NOT ', ' ', '* ', '? '),
        fc.constantFrom(...WORDS),
      )
      .map(([a, op, b]) => `${a}${op}${b}`),
    fc.constantFrom(...WORDS).map((w) => `"${w} ${w}"`),
  );
  const returning = fc.constantFrom(...RETURNABLE).chain((name) => {
    const fields = org.store.schema(name)?.fields.map((f) => f.name) ?? ['Id'];
    return fc
      .tuple(
        fc.uniqueArray(fc.constantFrom(...fields), { maxLength: 3 }),
        fc.option(fc.constantFrom(...fields).map((f) => `${f} != null`)),
        fc.option(fc.constantFrom(...fields)),
        fc.option(fc.integer({ min: -1, max: 2100 })),
        fc.option(fc.integer({ min: -1, max: 2100 })),
      )
      .map(([fs, where, order, limit, offset]) =>
        fs.length === 0
          ? name
          : `${name}(${fs.join(', ')}${where ? ` WHERE ${where}` : ''}${order ? ` ORDER BY ${order}` : ''}${limit !== null ? ` LIMIT ${limit}` : ''}${offset !== null ? ` OFFSET ${offset}` : ''})`,
      );
  });
  return fc
    .tuple(
      term,
      fc.constantFrom(
        '',
        ' IN ALL FIELDS',
        ' IN NAME FIELDS',
        ' IN EMAIL FIELDS',
        ' IN PHONE FIELDS',
        ' IN SIDEBAR FIELDS',
        ' IN BOGUS FIELDS',
      ),
      fc.option(fc.uniqueArray(returning, { minLength: 1, maxLength: 3 })),
      fc.constantFrom(
        '',
        ' WITH SPELL_CORRECTION = false',
        ' WITH SECURITY_ENFORCED',
        ' WITH SNIPPET',
        ' UPDATE TRACKING',
      ),
      fc.option(fc.integer({ min: -1, max: 2100 })),
      fc.boolean(),
    )
    .map(
      ([t, scope, ret, withClause, limit, braces]) =>
        `FIND ${braces ? `{${t}}` : `'${t}'`}${scope}${ret ? ` RETURNING ${ret.join(', ')}` : ''}${withClause}${limit !== null ? ` LIMIT ${limit}` : ''}`,
    );
}

const searched = (org: Org, text: string): string[] =>
  sosl(org, text)
    .searchRecords.map((r) => String(r['Id']))
    .sort();

export const soslProperties: FuzzProperty[] = [
  {
    name: 'SOSL finds exactly the records whose name holds the word as a token, in any letter case',
    runs: 150,
    run: (params) =>
      check(
        fc.property(
          fc.array(
            fc.tuple(
              fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }),
              fc.constantFrom(' ', '-', ', ', "'", '/'),
            ),
            { minLength: 1, maxLength: 8 },
          ),
          fc.constantFrom(...WORDS),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
          (names, word, caseBits) => {
            const org = newOrg();
            const created = names.map(([ws, sep]) => ({
              id: org.create('Account', { Name: ws.join(sep) }),
              ws,
            }));
            // Letters whose upper case is longer (ß → SS) stay as typed: the docs do not say how the
            // search index folds them (docs/local-org.md).
            const variant = Array.from(word, (c, i) =>
              c.toUpperCase().length !== c.length
                ? c
                : caseBits[i % caseBits.length]
                  ? c.toUpperCase()
                  : c.toLowerCase(),
            ).join('');
            const text = `FIND {${variant}} IN NAME FIELDS RETURNING Account(Id)`;
            const want = created
              .filter((c) => c.ws.some((w) => w.toLowerCase() === word.toLowerCase()))
              .map((c) => c.id)
              .sort();
            const got = searched(org, text);
            if (JSON.stringify(got) !== JSON.stringify(want))
              throw new Error(`${text}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
          },
        ),
        params,
      ),
  },
  {
    name: 'SOSL with every reserved character escaped never fails as MALFORMED_SEARCH',
    runs: 300,
    run: (params) => {
      const org = newOrg();
      org.create('Account', { Name: 'AT&T (a-b) "quoted" {braces} 50% off!' });
      return check(
        fc.property(fc.string({ unit: textChar, minLength: 2, maxLength: 12 }), (raw) => {
          // A blank term is no term at all (MALFORMED_SEARCH), whatever is escaped.
          fc.pre(raw.trim() !== '');
          const text = `FIND {${escapeTerm(raw)}} RETURNING Account(Id, Name)`;
          try {
            sosl(org, text);
          } catch (e) {
            const code = (e as { errorCode?: string }).errorCode;
            // Too short or only punctuation once tokenised: INVALID_SEARCH is Salesforce's answer.
            if (code !== 'INVALID_SEARCH') throw new Error(`${text}: ${String(code)} ${String(e)}`);
          }
        }),
        params,
      );
    },
  },
  {
    name: 'SOSL from the wide grammar (terms of any characters, every clause) and its mutations answers or fails in Salesforce’s shape',
    runs: 600,
    run: (params) => {
      const org = newOrg();
      for (const w of WORDS) org.create('Account', { Name: `${w} Inc-${w}` });
      org.create('Contact', {
        LastName: "O'Brien-Smith",
        Email: 'a-b@x-y.example.com',
        Phone: '(415) 555-0199',
      });
      const mutated = (q: string) =>
        fc.oneof(
          fc.constant(q),
          fc.nat(q.length).map((i) => q.slice(0, i)),
          fc
            .tuple(
              fc.nat(q.length),
              fc.constantFrom('{', '}', '\\', "'", '(', ')', ',', 'RETURNING', 'FIND', '"'),
            )
            .map(([i, s]) => q.slice(0, i) + s + q.slice(i)),
        );
      return check(
        fc.property(wideSearch(org).chain(mutated), (text) =>
          answersOrQueryError(() => sosl(org, text), text),
        ),
        params,
      );
    },
  },
];
