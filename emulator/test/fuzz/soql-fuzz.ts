/**
 * Grammar-based fuzzing of the local org's SOQL over its own schema (a real `Org`, seeded with
 * generated records full of hyphens, quotes, accents and emoji), in three kinds of property:
 * - reference: a generated WHERE clause returns exactly the records a small evaluator in this file
 *   picks from what the org stores (=, !=, <, <=, >, >=, LIKE, IN, NOT IN, null, AND/OR, relationship
 *   paths, semi-joins, COUNT(), GROUP BY counts, ORDER BY/LIMIT/OFFSET, date literals);
 * - differential: equivalent forms answer the same (IN vs OR, LIKE without wildcards vs =, case
 *   variants of keywords, names and literals);
 * - robustness: any query from the wider grammar (every operator, functions, aggregates, child
 *   subqueries, TYPEOF, FIELDS(), date functions, …), and mutations of it, either answers or fails
 *   with a QueryError in Salesforce's shape; never another exception (an HTTP 500).
 * Rules (cited where the reference evaluator relies on them):
 * - https://developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/sforce-api-calls-soql-select-comparisonoperators.html
 *   (case-insensitive comparisons, `%` any run, `_` exactly one character)
 * - https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
 *   (`\'`, `\\`, `\n`…, `\uXXXX`; `\%`/`\_` only in LIKE)
 * - https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
 *   (LAST_N_DAYS:n includes today, NEXT_N_DAYS:n starts tomorrow)
 */
import fc from 'fast-check';
import { Org } from '../../src/org/org.ts';
import { executeSoql, executeSosl, QueryError } from '../../src/query/index.ts';
import type { FieldSchema, ObjectSchema, StoredRecord } from '../../src/schema/types.ts';
import { check, type FuzzProperty, QUERY_ERROR_CODES, textChar } from './common.ts';

/** The fixed clock of every generated org: Tuesday 24 November 2026, noon UTC. */
const NOW = new Date('2026-11-24T12:00:00.000Z');
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------------
// Quoting

/** A SOQL string literal for `text`, with the documented escapes (some characters randomly as \uXXXX). */
function quote(text: string, unicodeEscapes: readonly boolean[] = []): string {
  let out = "'";
  let i = 0;
  for (const ch of text) {
    const u = unicodeEscapes[i++ % Math.max(1, unicodeEscapes.length)] === true;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    // `%` and `_` are never written as \u0025/\u005f: whether LIKE reads those as wildcards is not
    // documented (likeLiteral escapes them with a backslash instead).
    else if (u && ch !== '%' && ch !== '_') {
      for (let k = 0; k < ch.length; k++) out += `\\u${ch.charCodeAt(k).toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}'`;
}

/** A LIKE pattern: literal text (its `%`/`_` escaped) and wildcards. */
type LikePiece = { kind: 'text'; text: string } | { kind: 'any' } | { kind: 'one' };

function likeLiteral(pieces: readonly LikePiece[], unicodeEscapes: readonly boolean[] = []): string {
  let out = "'";
  for (const p of pieces) {
    if (p.kind === 'any') out += '%';
    else if (p.kind === 'one') out += '_';
    else out += quote(p.text, unicodeEscapes).slice(1, -1).replace(/[%_]/g, '\\$&');
  }
  return `${out}'`;
}

/** Reference LIKE: dynamic programming over code points of the upper-cased texts. */
function likeReference(pieces: readonly LikePiece[], value: string): boolean {
  const pat: ('any' | 'one' | string)[] = [];
  for (const p of pieces) {
    if (p.kind === 'text') pat.push(...Array.from(p.text.toUpperCase()));
    else pat.push(p.kind);
  }
  const v = Array.from(value.toUpperCase());
  // ok[j] = pattern prefix i matches value prefix j.
  let ok = v.map(() => false);
  ok = [true, ...ok];
  for (const t of pat) {
    const next = ok.map(() => false);
    for (let j = 0; j <= v.length; j++) {
      if (t === 'any') next[j] = ok[j]! || (j > 0 && next[j - 1]!);
      else if (j > 0 && ok[j - 1]) next[j] = t === 'one' || t === v[j - 1];
    }
    ok = next;
  }
  return ok[v.length]!;
}

/** Random upper/lower case of a keyword or name (SOQL keywords and names are case-insensitive). */
function recase(word: string, bits: readonly boolean[]): string {
  if (bits.length === 0) return word;
  return Array.from(word, (c, i) => (bits[i % bits.length] ? c.toUpperCase() : c.toLowerCase())).join('');
}

// ---------------------------------------------------------------------------------------------------
// The org

const TEXT = fc.string({ unit: textChar, minLength: 1, maxLength: 12 });
/** Texts that share letters, so that equality and LIKE sometimes match. */
const NEAR_TEXT = fc.oneof(
  TEXT,
  fc.constantFrom(
    'Acme',
    'acme',
    'ACME-1',
    "O'Brien",
    'Ünïcødé',
    'straße',
    'STRASSE',
    '100%_sure',
    'a\\b',
    '😀 Smile',
  ),
);

interface AccountRow {
  Name: string;
  Phone: string | null;
  Type: string | null;
  NumberOfEmployees: number | null;
  AnnualRevenue: number | null;
}
interface ContactRow {
  LastName: string;
  Email: string | null;
  account: number | null;
}
interface OpportunityRow {
  Name: string;
  StageName: string;
  CloseDate: string;
  Amount: number | null;
  account: number | null;
}

const TYPES = ['Customer', 'Prospect', 'Partner', 'Other - Direct'];
const accountRow: fc.Arbitrary<AccountRow> = fc.record({
  Name: NEAR_TEXT,
  Phone: fc.option(fc.constantFrom('(415) 555-0199', '+44 20 7946 0000', '555-0100', 'ext. 12'), {
    nil: null,
  }),
  Type: fc.option(fc.constantFrom(...TYPES), { nil: null }),
  NumberOfEmployees: fc.option(fc.integer({ min: -3, max: 12 }), { nil: null }),
  AnnualRevenue: fc.option(fc.constantFrom(0, 1.5, 1000, 2500.25, -10), { nil: null }),
});
const contactRow = (n: number): fc.Arbitrary<ContactRow> =>
  fc.record({
    LastName: NEAR_TEXT,
    Email: fc.option(fc.constantFrom('a-b@x-y.example.com', "o'brien@example.com", 'É@example.org'), {
      nil: null,
    }),
    account: n > 0 ? fc.option(fc.nat(n - 1), { nil: null }) : fc.constant(null),
  });
const opportunityRow = (n: number): fc.Arbitrary<OpportunityRow> =>
  fc.record({
    Name: NEAR_TEXT,
    StageName: fc.constantFrom('Prospecting', 'Closed Won'),
    // Within a year either side of NOW.
    CloseDate: fc
      .integer({ min: -400, max: 400 })
      .map((d) => new Date(NOW.getTime() + d * DAY).toISOString().slice(0, 10)),
    Amount: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
    account: n > 0 ? fc.option(fc.nat(n - 1), { nil: null }) : fc.constant(null),
  });

interface World {
  accounts: AccountRow[];
  contacts: ContactRow[];
  opportunities: OpportunityRow[];
}

const world: fc.Arbitrary<World> = fc.array(accountRow, { minLength: 1, maxLength: 12 }).chain((accounts) =>
  fc.record({
    accounts: fc.constant(accounts),
    contacts: fc.array(contactRow(accounts.length), { maxLength: 10 }),
    opportunities: fc.array(opportunityRow(accounts.length), { maxLength: 10 }),
  }),
);

interface Built {
  org: Org;
  /** What the org stores, read back from the store (not from a query). */
  stored: { Account: StoredRecord[]; Contact: StoredRecord[]; Opportunity: StoredRecord[] };
}

/** A real local org (its schema and write rules) holding the generated records. */
export function buildOrg(w: World): Built {
  const org = new Org({
    settings: { sharedActivities: true, packageInstalled: true },
    adminUsername: 'fuzz@salescaling.localorg',
  });
  const accountIds = w.accounts.map((a) => org.create('Account', { ...a }));
  for (const c of w.contacts) {
    org.create('Contact', {
      LastName: c.LastName,
      Email: c.Email,
      AccountId: c.account === null ? null : accountIds[c.account],
    });
  }
  for (const o of w.opportunities) {
    org.create('Opportunity', {
      Name: o.Name,
      StageName: o.StageName,
      CloseDate: o.CloseDate,
      Amount: o.Amount,
      AccountId: o.account === null ? null : accountIds[o.account],
    });
  }
  const read = (name: string) => [...org.store.records(name, { includeDeleted: false })];
  return {
    org,
    stored: { Account: read('Account'), Contact: read('Contact'), Opportunity: read('Opportunity') },
  };
}

export function soql(org: Org, text: string, includeDeleted = false) {
  return executeSoql(text, org.store, { includeDeleted, apiVersion: '66.0', now: NOW });
}

const ids = (org: Org, text: string): string[] =>
  soql(org, text)
    .records.map((r) => String(r['Id']))
    .sort();

// ---------------------------------------------------------------------------------------------------
// Conditions with a reference evaluation

type TextField = 'Name' | 'Phone' | 'Type';
type NumberField = 'NumberOfEmployees' | 'AnnualRevenue';
type Cond =
  | { kind: 'text'; field: TextField; op: '=' | '!='; value: string | null }
  | { kind: 'num'; field: NumberField; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: number | null }
  | { kind: 'in'; field: TextField; not: boolean; values: (string | null)[] }
  | { kind: 'like'; field: TextField; pieces: LikePiece[] }
  | { kind: 'and' | 'or'; items: Cond[] };

const likePieces: fc.Arbitrary<LikePiece[]> = fc.array(
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .string({ unit: textChar, minLength: 1, maxLength: 4 })
        .map((text) => ({ kind: 'text' as const, text })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'any' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'one' as const }) },
  ),
  { minLength: 1, maxLength: 5 },
);

const textField = fc.constantFrom<TextField>('Name', 'Phone', 'Type');
const leaf: fc.Arbitrary<Cond> = fc.oneof(
  fc.record({
    kind: fc.constant('text' as const),
    field: textField,
    op: fc.constantFrom<'=' | '!='>('=', '!='),
    value: fc.option(fc.oneof(NEAR_TEXT, fc.constantFrom(...TYPES, '(415) 555-0199')), {
      nil: null,
      freq: 6,
    }),
  }),
  fc.record({
    kind: fc.constant('num' as const),
    field: fc.constantFrom<NumberField>('NumberOfEmployees', 'AnnualRevenue'),
    op: fc.constantFrom<'=' | '!=' | '<' | '<=' | '>' | '>='>('=', '!=', '<', '<=', '>', '>='),
    value: fc.oneof(fc.integer({ min: -4, max: 13 }), fc.constantFrom(1.5, 2500.25, -10)),
  }),
  fc.record({
    kind: fc.constant('num' as const),
    field: fc.constantFrom<NumberField>('NumberOfEmployees', 'AnnualRevenue'),
    op: fc.constantFrom<'=' | '!='>('=', '!='),
    value: fc.constant(null),
  }),
  fc.record({
    kind: fc.constant('in' as const),
    field: textField,
    not: fc.boolean(),
    values: fc.array(fc.option(fc.oneof(NEAR_TEXT, fc.constantFrom(...TYPES)), { nil: null, freq: 8 }), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
  fc.record({ kind: fc.constant('like' as const), field: textField, pieces: likePieces }),
);

const cond: fc.Arbitrary<Cond> = fc.letrec<{ c: Cond }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      kind: fc.constantFrom<'and' | 'or'>('and', 'or'),
      items: fc.array(tie('c'), { minLength: 2, maxLength: 3 }),
    }),
  ),
})).c;

interface Style {
  keywords: boolean[];
  unicode: boolean[];
}

/** The condition as SOQL; `prefix` reads every field through a parent relationship (`Account.`). */
function renderCond(c: Cond, s: Style, prefix = ''): string {
  const kw = (w: string) => recase(w, s.keywords);
  const lit = (v: string | null) => (v === null ? kw('null') : quote(v, s.unicode));
  switch (c.kind) {
    case 'text':
      return `${prefix}${c.field} ${c.op} ${lit(c.value)}`;
    case 'num':
      return `${prefix}${c.field} ${c.op} ${c.value === null ? kw('null') : String(c.value)}`;
    case 'in':
      return `${prefix}${c.field} ${c.not ? `${kw('NOT')} ${kw('IN')}` : kw('IN')} (${c.values.map(lit).join(', ')})`;
    case 'like':
      return `${prefix}${c.field} ${kw('LIKE')} ${likeLiteral(c.pieces, s.unicode)}`;
    default:
      // AND and OR never mix without parentheses in SOQL.
      return c.items.map((i) => `(${renderCond(i, s, prefix)})`).join(` ${kw(c.kind.toUpperCase())} `);
  }
}

/** Salesforce stores '' as null; text compares case-insensitively (upper case, as `=` does). */
const textOf = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const sameText = (a: string | null, b: string | null): boolean =>
  a === null || b === null ? a === b : a.toUpperCase() === b.toUpperCase();

function evaluate(c: Cond, r: StoredRecord): boolean {
  switch (c.kind) {
    case 'text': {
      const eq = sameText(textOf(r[c.field]), textOf(c.value));
      return c.op === '=' ? eq : !eq;
    }
    case 'num': {
      const v = r[c.field];
      const n = typeof v === 'number' ? v : null;
      if (c.value === null) return c.op === '=' ? n === null : n !== null;
      // != keeps nulls; the ordering operators never match a null.
      if (c.op === '!=') return n === null || n !== c.value;
      if (n === null) return false;
      return {
        '=': n === c.value,
        '<': n < c.value,
        '<=': n <= c.value,
        '>': n > c.value,
        '>=': n >= c.value,
      }[c.op];
    }
    case 'in': {
      const inList = c.values.some((v) => sameText(textOf(r[c.field]), textOf(v)));
      return c.not ? !inList : inList;
    }
    case 'like': {
      const v = textOf(r[c.field]);
      return v !== null && likeReference(c.pieces, v);
    }
    case 'and':
      return c.items.every((i) => evaluate(i, r));
    case 'or':
      return c.items.some((i) => evaluate(i, r));
  }
}

const style: fc.Arbitrary<Style> = fc.record({
  keywords: fc.array(fc.boolean(), { maxLength: 4 }),
  unicode: fc.array(fc.boolean(), { maxLength: 3 }),
});

const idsOf = (rows: readonly StoredRecord[]) => rows.map((r) => String(r['Id'])).sort();

// ---------------------------------------------------------------------------------------------------
// The wider grammar, for robustness

function filterable(s: ObjectSchema): FieldSchema[] {
  return s.fields.filter((f) => f.filterable);
}

/** A literal of (roughly) the field's type, sometimes deliberately of another type. */
function literalFor(f: FieldSchema): fc.Arbitrary<string> {
  const text = fc.tuple(TEXT, fc.array(fc.boolean(), { maxLength: 3 })).map(([t, u]) => quote(t, u));
  const dateLit = fc.oneof(
    fc.constantFrom(
      'TODAY',
      'YESTERDAY',
      'TOMORROW',
      'LAST_WEEK',
      'THIS_MONTH',
      'NEXT_QUARTER',
      'THIS_FISCAL_YEAR',
      'LAST_90_DAYS',
    ),
    fc
      .tuple(
        fc.constantFrom(
          'LAST_N_DAYS',
          'NEXT_N_DAYS',
          'N_DAYS_AGO',
          'LAST_N_WEEKS',
          'N_MONTHS_AGO',
          'NEXT_N_QUARTERS',
          'LAST_N_YEARS',
          'NEXT_N_FISCAL_YEARS',
        ),
        fc.integer({ min: 0, max: 1000 }),
      )
      .map(([l, n]) => `${l}:${n}`),
  );
  const date = fc.date({ min: new Date('1700-01-01'), max: new Date('4000-12-31'), noInvalidDate: true });
  const other = fc.oneof(
    text,
    fc.constantFrom('null', 'TRUE', 'false', '42', '-1.5', '2026-11-24', '2026-11-24T10:00:00Z'),
  );
  switch (f.type) {
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return fc.oneof(
        fc.integer().map(String),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).map((d) => d.toFixed(2)),
        other,
      );
    case 'boolean':
      return fc.oneof(fc.constantFrom('TRUE', 'FALSE', 'true'), other);
    case 'date':
      return fc.oneof(
        date.map((d) => d.toISOString().slice(0, 10)),
        dateLit,
        other,
      );
    case 'datetime':
      return fc.oneof(
        date.map((d) => d.toISOString().replace('.000', '')),
        date.map((d) => d.toISOString().replace('Z', '+05:30')),
        dateLit,
        other,
      );
    case 'id':
    case 'reference':
      return fc.oneof(
        fc.constantFrom(
          "'001000000000000'",
          "'001000000000000AAA'",
          "'005xx000001Sv6y'",
          "'0'",
          "''",
          "'001-0000000000000'",
        ),
        other,
      );
    default:
      return fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: other });
  }
}

const OPERATORS = ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'IN', 'NOT IN', 'INCLUDES', 'EXCLUDES'];
const DATE_FUNCTIONS = [
  'CALENDAR_YEAR',
  'CALENDAR_MONTH',
  'CALENDAR_QUARTER',
  'DAY_IN_MONTH',
  'DAY_IN_WEEK',
  'DAY_IN_YEAR',
  'HOUR_IN_DAY',
  'WEEK_IN_YEAR',
  'FISCAL_YEAR',
  'DAY_ONLY',
];

/** One WHERE condition over a field of `s` (or a parent field, a semi-join or a date function). */
function wideCondition(org: Org, s: ObjectSchema): fc.Arbitrary<string> {
  const fields = filterable(s);
  const multi = fields.filter((f) => f.type === 'multipicklist');
  const plain = fc
    .tuple(fc.constantFrom(...fields), fc.constantFrom(...OPERATORS))
    // INCLUDES/EXCLUDES mostly on multi-select picklists, where they are valid.
    .map(([f, op]): [FieldSchema, string] =>
      (op === 'INCLUDES' || op === 'EXCLUDES') &&
      f.type !== 'multipicklist' &&
      multi.length > 0 &&
      op.length % 2 === 0
        ? [multi[0]!, op]
        : [f, op],
    )
    .chain(([f, op]) =>
      (op === 'IN' || op === 'NOT IN' || op === 'INCLUDES' || op === 'EXCLUDES'
        ? fc.array(literalFor(f), { minLength: 1, maxLength: 3 }).map((l) => `(${l.join(', ')})`)
        : literalFor(f)
      ).map((lit) => `${f.name} ${op} ${lit}`),
    );
  const parents = fields.filter((f) => f.type === 'reference' && f.relationshipName);
  const parentPath = parents.length
    ? fc.constantFrom(...parents).chain((f) => {
        const target = org.store.schema(f.referenceTo?.[0] ?? '');
        const tf = target ? filterable(target) : [];
        const polymorphic = (f.referenceTo?.length ?? 0) > 1;
        const names = polymorphic || tf.length === 0 ? ['Name', 'Id', 'Type'] : tf.map((x) => x.name);
        return fc
          .tuple(fc.constantFrom(...names), fc.constantFrom('=', '!=', 'LIKE', '>'), TEXT)
          .map(([n, op, t]) => `${f.relationshipName}.${n} ${op} ${quote(t)}`);
      })
    : plain;
  const children = s.childRelationships.filter((c) => org.store.schema(c.childSObject));
  const semi = children.length
    ? fc
        .tuple(fc.constantFrom(...children), fc.boolean(), fc.constantFrom('Id', 'Name', 'CreatedDate'))
        .map(
          ([c, not, sel]) =>
            `${sel === 'Id' ? 'Id' : sel} ${not ? 'NOT IN' : 'IN'} (SELECT ${c.field} FROM ${c.childSObject})`,
        )
    : plain;
  const dates = fields.filter((f) => f.type === 'date' || f.type === 'datetime');
  const dateFn = dates.length
    ? fc
        .tuple(
          fc.constantFrom(...DATE_FUNCTIONS),
          fc.constantFrom(...dates),
          fc.constantFrom('=', '>', '<=', 'IN'),
          fc.integer({ min: -1, max: 2030 }),
        )
        .map(([fn, f, op, n]) => `${fn}(${f.name}) ${op} ${op === 'IN' ? `(${n}, 1)` : n}`)
    : plain;
  return fc.oneof({ weight: 6, arbitrary: plain }, parentPath, semi, dateFn);
}

function wideWhere(org: Org, s: ObjectSchema): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.array(wideCondition(org, s), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('AND', 'OR', 'and'),
      fc.boolean(),
    )
    .map(([cs, joiner, not]) => {
      const body = cs.map((c) => `(${c})`).join(` ${joiner} `);
      return not ? `NOT (${body})` : body;
    });
}

/** A SELECT of the wider grammar over one queryable object. */
export function wideQuery(org: Org, objectNames: readonly string[]): fc.Arbitrary<string> {
  return fc.constantFrom(...objectNames).chain((name) => {
    const s = org.store.schema(name) as ObjectSchema;
    const fields = s.fields;
    const sortable = fields.filter((f) => f.sortable);
    const groupable = fields.filter((f) => f.groupable !== false && f.filterable);
    const parents = fields.filter((f) => f.type === 'reference' && f.relationshipName);
    const children = s.childRelationships.filter(
      (c) => c.relationshipName && org.store.schema(c.childSObject),
    );
    const selectItem = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...fields).map((f) => f.name) },
      parents.length
        ? fc
            .constantFrom(...parents)
            .map((f) => `${f.relationshipName}.${(f.referenceTo?.length ?? 0) > 1 ? 'Name' : 'Id'}`)
        : fc.constant('Id'),
      children.length
        ? fc
            .tuple(
              fc.constantFrom(...children),
              fc.constantFrom('', ' ORDER BY Id', ' LIMIT 2', ' WHERE Id != null'),
            )
            .map(([c, tail]) => `(SELECT Id FROM ${c.relationshipName}${tail})`)
        : fc.constant('Id'),
      fc.constantFrom(
        'FIELDS(STANDARD)',
        'toLabel(Id)',
        'FORMAT(CreatedDate)',
        'Id',
        'COUNT()',
        'TYPEOF Owner WHEN User THEN Name END',
      ),
    );
    const plainSelect = fc
      .tuple(
        fc.uniqueArray(selectItem, { minLength: 1, maxLength: 4 }),
        fc.option(wideWhere(org, s)),
        fc.option(
          fc.tuple(
            fc.constantFrom(...(sortable.length ? sortable : fields)),
            fc.constantFrom('', ' ASC', ' DESC'),
            fc.constantFrom('', ' NULLS FIRST', ' NULLS LAST'),
          ),
        ),
        fc.option(
          fc.oneof(
            { weight: 5, arbitrary: fc.integer({ min: 0, max: 50 }) },
            fc.integer({ min: 0, max: 60000 }),
          ),
        ),
        fc.option(
          fc.oneof(
            { weight: 5, arbitrary: fc.integer({ min: 0, max: 20 }) },
            fc.integer({ min: 0, max: 2100 }),
          ),
        ),
        fc.constantFrom('', '', '', ' USING SCOPE mine', ' USING SCOPE everything'),
        fc.constantFrom('', '', '', ' WITH SECURITY_ENFORCED', ' WITH USER_MODE'),
        fc.constantFrom('', '', '', ' FOR VIEW', ' FOR REFERENCE', ' FOR UPDATE', ' UPDATE TRACKING'),
      )
      .map(
        ([items, where, order, limit, offset, scope, withClause, tail]) =>
          `SELECT ${items.join(', ')} FROM ${name}${scope}${where ? ` WHERE ${where}` : ''}${withClause}${order && !tail.includes('UPDATE') ? ` ORDER BY ${order[0].name}${order[1]}${order[2]}` : ''}${limit !== null ? ` LIMIT ${limit}` : ''}${offset !== null ? ` OFFSET ${offset}` : ''}${tail}`,
      );
    const numeric = fields.filter((f) => ['int', 'double', 'currency', 'percent'].includes(f.type));
    const aggregate = fc
      .tuple(
        fc.constantFrom(...(groupable.length ? groupable : fields)),
        fc.constantFrom('COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX'),
        fc.constantFrom(...(numeric.length ? numeric : fields)),
        fc.option(wideWhere(org, s)),
        fc.option(fc.integer({ min: -1, max: 3 })),
        fc.boolean(),
      )
      .map(
        ([g, fn, f, where, having, alias]) =>
          `SELECT ${g.name}, ${fn}(${f.name})${alias ? ' total' : ''} FROM ${name}${where ? ` WHERE ${where}` : ''} GROUP BY ${g.name}${having !== null ? ` HAVING ${fn}(${f.name}) > ${having}` : ''} ORDER BY ${g.name}`,
      );
    return fc.oneof({ weight: 4, arbitrary: plainSelect }, aggregate);
  });
}

/** Mutations that make most queries invalid: the org must still answer with a QueryError. */
export const mutate = (query: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.nat(query.length).map((i) => query.slice(0, i)),
    fc.tuple(fc.nat(query.length), fc.nat(6)).map(([i, n]) => query.slice(0, i) + query.slice(i + n)),
    fc
      .tuple(
        fc.nat(query.length),
        fc.oneof(
          fc.constantFrom(
            "'",
            '\\',
            '(',
            ')',
            ',',
            '.',
            ':',
            '%',
            'SELECT',
            'FROM',
            'WHERE',
            'AND',
            'OR',
            'NOT',
            'IN',
            'LIMIT',
            'null',
            '\\u12',
            '\\x',
            '--',
            ';',
            '*',
            '{',
            '"',
            '😀',
            ' ',
          ),
          fc.string({ unit: textChar, maxLength: 3 }),
        ),
      )
      .map(([i, s]) => query.slice(0, i) + s + query.slice(i)),
    fc.constant(query.replace(/\bId\b/, 'Nope__x')),
    fc.constant(query.replace(/FROM (\w+)/, 'FROM $1Nope')),
    fc.constant(query.toUpperCase()),
  );

/** Runs a query that may be invalid: an answer, or a QueryError in Salesforce's shape; anything else fails. */
export function answersOrQueryError(run: () => unknown, text: string): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof QueryError)) {
      throw new Error(
        `not a Salesforce error (the org would answer 500) for ${JSON.stringify(text)}: ${String(e)}`,
        {
          cause: e,
        },
      );
    }
    if (!QUERY_ERROR_CODES.has(e.errorCode) || typeof e.message !== 'string' || e.message === '') {
      throw new Error(`unexpected error code ${e.errorCode} for ${JSON.stringify(text)}: ${e.message}`);
    }
    if (e.statusCode >= 500) throw new Error(`status ${e.statusCode} for ${JSON.stringify(text)}`);
  }
}

const QUERYABLE = [
  'Account',
  'Contact',
  'Opportunity',
  'Lead',
  'Event',
  'Task',
  'User',
  'EventRelation',
  'OpportunityContactRole',
  'ContentDocumentLink',
];

// ---------------------------------------------------------------------------------------------------
// Properties

export const soqlProperties: FuzzProperty[] = [
  {
    name: 'SOQL WHERE over generated records returns exactly what the reference evaluator picks',
    runs: 250,
    run: (params) =>
      check(
        fc.property(world, cond, style, (w, c, s) => {
          const { org, stored } = buildOrg(w);
          const text = `${recase('SELECT', s.keywords)} Id ${recase('FROM', s.keywords)} Account ${recase('WHERE', s.keywords)} ${renderCond(c, s)}`;
          const expected = idsOf(stored.Account.filter((r) => evaluate(c, r)));
          if (JSON.stringify(ids(org, text)) !== JSON.stringify(expected)) {
            throw new Error(
              `${text}\n  got      ${JSON.stringify(ids(org, text))}\n  expected ${JSON.stringify(expected)}`,
            );
          }
        }),
        params,
      ),
  },
  {
    name: 'SOQL equivalent forms answer the same (IN vs OR of =, LIKE without wildcards vs =, case variants)',
    runs: 200,
    run: (params) =>
      check(
        fc.property(
          world,
          textField,
          fc.array(fc.option(NEAR_TEXT, { nil: null, freq: 8 }), { minLength: 1, maxLength: 4 }),
          style,
          fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
          (w, field, values, s, caseBits) => {
            const { org } = buildOrg(w);
            const same = (a: string, b: string) => {
              const x = ids(org, a);
              const y = ids(org, b);
              if (JSON.stringify(x) !== JSON.stringify(y))
                throw new Error(`${a}\n  ≠ ${b}\n  ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
            };
            const lit = (v: string | null) => (v === null ? 'null' : quote(v, s.unicode));
            same(
              `SELECT Id FROM Account WHERE ${field} IN (${values.map(lit).join(', ')})`,
              `SELECT Id FROM Account WHERE ${values.map((v) => `${field} = ${lit(v)}`).join(' OR ')}`,
            );
            same(
              `SELECT Id FROM Account WHERE ${field} NOT IN (${values.map(lit).join(', ')})`,
              `SELECT Id FROM Account WHERE ${values.map((v) => `${field} != ${lit(v)}`).join(' AND ')}`,
            );
            const v = values.find((x) => x !== null);
            if (v !== undefined && v !== null) {
              same(
                `SELECT Id FROM Account WHERE ${field} = ${quote(v)}`,
                `SELECT Id FROM Account WHERE ${field} LIKE ${likeLiteral([{ kind: 'text', text: v }])}`,
              );
              same(
                `SELECT Id FROM Account WHERE ${field} = ${quote(v)}`,
                `${recase('select', caseBits)} ${recase('id', caseBits)} ${recase('from', caseBits)} ${recase('account', caseBits)} ${recase('where', caseBits)} ${recase(field, caseBits)} = ${quote(recase(v, caseBits), s.unicode)}`,
              );
            }
          },
        ),
        params,
      ),
  },
  {
    name: 'SOQL relationship paths, semi-joins, COUNT(), GROUP BY and ORDER BY/LIMIT/OFFSET agree with the stored records',
    runs: 120,
    run: (params) =>
      check(
        fc.property(world, cond, fc.nat(12), fc.nat(12), (w, c, limit, offset) => {
          const { org, stored } = buildOrg(w);
          const where = renderCond(c, { keywords: [], unicode: [] });
          const matching = new Set(idsOf(stored.Account.filter((r) => evaluate(c, r))));
          const expect = (text: string, got: unknown, want: unknown) => {
            if (JSON.stringify(got) !== JSON.stringify(want)) {
              throw new Error(
                `${text}\n  got      ${JSON.stringify(got)}\n  expected ${JSON.stringify(want)}`,
              );
            }
          };
          const viaAccount = idsOf(
            stored.Contact.filter((r) => r['AccountId'] !== null && matching.has(String(r['AccountId']))),
          );
          // Parent path: each Account.<field> in the condition read through the contact's account.
          const pathWhere = renderCond(c, { keywords: [], unicode: [] }, 'Account.');
          const parentText = `SELECT Id FROM Contact WHERE AccountId != null AND (${pathWhere})`;
          expect(parentText, ids(org, parentText), viaAccount);
          const semiText = `SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account WHERE ${where})`;
          expect(semiText, ids(org, semiText), viaAccount);
          const antiText = `SELECT Id FROM Contact WHERE AccountId NOT IN (SELECT Id FROM Account WHERE ${where})`;
          expect(
            antiText,
            ids(org, antiText),
            idsOf(stored.Contact.filter((r) => !matching.has(String(r['AccountId'])))),
          );
          const countText = `SELECT COUNT() FROM Account WHERE ${where}`;
          expect(countText, soql(org, countText).totalSize, matching.size);
          const groupText = `SELECT Type, COUNT(Id) n FROM Account WHERE ${where} GROUP BY Type`;
          const groups = new Map<string, number>();
          for (const r of stored.Account) {
            if (!matching.has(String(r['Id']))) continue;
            const k = String(textOf(r['Type']));
            groups.set(k, (groups.get(k) ?? 0) + 1);
          }
          const gotGroups = soql(org, groupText).records.map((r) => [String(textOf(r['Type'])), r['n']]);
          expect(groupText, gotGroups.sort(), [...groups.entries()].sort());
          const pageText = `SELECT Id FROM Account WHERE ${where} ORDER BY Id LIMIT ${limit} OFFSET ${offset}`;
          const page = soql(org, pageText).records.map((r) => String(r['Id']));
          expect(pageText, page, [...matching].sort().slice(offset, offset + limit));
        }),
        params,
      ),
  },
  {
    name: 'SOQL date literals select the documented ranges (LAST_N_DAYS:n includes today, NEXT_N_DAYS:n starts tomorrow)',
    runs: 100,
    run: (params) =>
      check(
        fc.property(world, fc.integer({ min: 0, max: 400 }), (w, n) => {
          const { org, stored } = buildOrg(w);
          const today = Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), NOW.getUTCDate());
          const day = (r: StoredRecord) => Date.parse(`${String(r['CloseDate'])}T00:00:00Z`);
          const cases: [string, (t: number) => boolean][] = [
            ['TODAY', (t) => t === today],
            ['YESTERDAY', (t) => t === today - DAY],
            ['TOMORROW', (t) => t === today + DAY],
            [`LAST_N_DAYS:${n}`, (t) => t >= today - n * DAY && t <= today],
            [`NEXT_N_DAYS:${n}`, (t) => t > today && t <= today + n * DAY],
            [`N_DAYS_AGO:${n}`, (t) => t === today - n * DAY],
            ['THIS_MONTH', (t) => new Date(t).toISOString().slice(0, 7) === NOW.toISOString().slice(0, 7)],
            ['THIS_YEAR', (t) => new Date(t).getUTCFullYear() === NOW.getUTCFullYear()],
          ];
          for (const [literal, inRange] of cases) {
            const text = `SELECT Id FROM Opportunity WHERE CloseDate = ${literal}`;
            const want = idsOf(stored.Opportunity.filter((r) => inRange(day(r))));
            const got = ids(org, text);
            if (JSON.stringify(got) !== JSON.stringify(want))
              throw new Error(`${text}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
          }
        }),
        params,
      ),
  },
  {
    name: 'SOQL from the wide grammar (every operator, functions, aggregates, subqueries) answers or fails in Salesforce’s shape',
    runs: 600,
    run: (params) => {
      const { org } = buildOrg(fc.sample(world, { numRuns: 1, seed: params.seed })[0]!);
      return check(
        fc.property(wideQuery(org, QUERYABLE), fc.boolean(), (text, all) => {
          answersOrQueryError(() => soql(org, text, all), text);
        }),
        params,
      );
    },
  },
  {
    name: 'SOQL mutated into invalid text fails with MALFORMED_QUERY/INVALID_FIELD/… in Salesforce’s shape, never otherwise',
    runs: 600,
    run: (params) => {
      const { org } = buildOrg(fc.sample(world, { numRuns: 1, seed: params.seed })[0]!);
      return check(
        fc.property(
          wideQuery(org, QUERYABLE).chain((q) => mutate(q)),
          (text) => answersOrQueryError(() => soql(org, text), text),
        ),
        params,
      );
    },
  },
  {
    name: 'SOQL with an unknown field, object or an unterminated literal gets exactly INVALID_FIELD, INVALID_TYPE or MALFORMED_QUERY',
    runs: 150,
    run: (params) => {
      const { org } = buildOrg(fc.sample(world, { numRuns: 1, seed: params.seed })[0]!);
      const code = (text: string): string | undefined => {
        try {
          soql(org, text);
          return undefined;
        } catch (e) {
          return e instanceof QueryError ? e.errorCode : `not a QueryError: ${String(e)}`;
        }
      };
      const word = fc
        .stringMatching(/^[A-Za-z][A-Za-z0-9]{0,10}$/)
        .filter((w) => !org.store.schema(w) && !org.store.schema(`${w}__c`));
      return check(
        fc.property(word, TEXT, (w, t) => {
          const cases: [string, string][] = [
            [`SELECT ${w}__c FROM Account`, 'INVALID_FIELD'],
            [`SELECT Id FROM Account WHERE ${w}__c = 'x'`, 'INVALID_FIELD'],
            [`SELECT Id FROM ${w}__x`, 'INVALID_TYPE'],
            [`SELECT Id FROM Account WHERE Name = ${quote(t).slice(0, -1)}`, 'MALFORMED_QUERY'],
            [`SELECT Id FROM Account WHERE Name = ${quote(t)} AND`, 'MALFORMED_QUERY'],
          ];
          for (const [text, want] of cases) {
            const got = code(text);
            if (got !== want) throw new Error(`${text}: ${String(got)}, expected ${want}`);
          }
        }),
        params,
      );
    },
  },
  {
    name: 'SOQL and SOSL chained or nested thousands deep answer or fail in Salesforce’s shape (no stack overflow)',
    runs: 10,
    run: (params) => {
      const { org } = buildOrg(fc.sample(world, { numRuns: 1, seed: params.seed })[0]!);
      return check(
        fc.property(
          fc.integer({ min: 100, max: 25000 }),
          fc.constantFrom('OR', 'AND', 'paren', 'sosl-or', 'sosl-paren', 'sosl-words'),
          (n, shape) => {
            const text = {
              OR: `SELECT Id FROM Account WHERE ${Array.from({ length: n }, (_, i) => `Name = 'a${i}'`).join(' OR ')}`,
              AND: `SELECT Id FROM Account WHERE ${Array.from({ length: n }, () => 'Name != null').join(' AND ')}`,
              paren: `SELECT Id FROM Account WHERE ${'('.repeat(n)}Name = 'a'${')'.repeat(n)}`,
              'sosl-or': `FIND {${Array.from({ length: n }, () => 'acme').join(' OR ')}} RETURNING Account(Id)`,
              'sosl-paren': `FIND {${'('.repeat(n)}acme${')'.repeat(n)}} RETURNING Account(Id)`,
              'sosl-words': `FIND {${'acme '.repeat(n)}} RETURNING Account(Id)`,
            }[shape];
            answersOrQueryError(
              () =>
                shape.startsWith('sosl')
                  ? executeSosl(text, org.store, { apiVersion: '66.0' })
                  : soql(org, text),
              `${shape} ×${n}`,
            );
          },
        ),
        params,
      );
    },
  },
];
