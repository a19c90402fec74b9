/**
 * SOSL: `FIND {term} [IN … FIELDS] [RETURNING Object(fields [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n]), …]
 * [WITH …] [LIMIT n]`, answered in the REST search resource's shape (`{ searchRecords: [...] }`).
 * FIND syntax: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm
 * Examples and escaping: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_examples.htm
 * The search index is emulated by exact, case-insensitive token matching (no stemming, synonyms or
 * relevance ranking): rows come per RETURNING object, in the order asked or the records' order.
 */
import type { FieldSchema, ObjectSchema } from '../schema/types.ts';
import type { QueryDataSource } from './data-source.ts';
import { QueryError, excerpt, located, rethrowTooComplicated } from './errors.ts';
import { isAggregateQuery } from './aggregate.ts';
import { RecordResolver, type Located } from './schema-paths.ts';
import { NO_CHILDREN, compileRows, schemaOrThrow } from './soql.ts';
import { parseSoql } from './parse.ts';
import type { Run } from './run.ts';

export interface SoslOptions {
  readonly apiVersion: string;
  readonly now?: Date;
}

export interface SoslResult {
  searchRecords: Record<string, unknown>[];
}

/** Objects searched when there is no RETURNING clause and the data source cannot list its objects. */
const STANDARD_SEARCHABLE = [
  'Account',
  'Contact',
  'Lead',
  'Opportunity',
  'User',
  'Event',
  'Task',
  'ContentNote',
];

/** Search results are capped at 2,000 records per search. */
const MAX_RESULTS = 2000;

/** Characters that must be escaped with a backslash inside FIND {…} to be searched literally. */
const RESERVED = new Set(['&', '|', '!', '{', '}', '[', ']', '^', '~', ':', '\\']);

type Scope = 'ALL' | 'NAME' | 'EMAIL' | 'PHONE' | 'SIDEBAR';

/** One unit of the search expression: a sequence of token patterns that must appear in a row, in order. */
interface Leaf {
  readonly kind: 'leaf';
  readonly patterns: readonly RegExp[];
  readonly length: number;
}
type TermTree =
  | Leaf
  | { readonly kind: 'and' | 'or'; readonly items: readonly TermTree[] }
  | { readonly kind: 'andNot'; readonly left: TermTree; readonly right: TermTree };

function searchError(sosl: string, at: number, message: string): QueryError {
  // The search grammar reports ANTLR's 0-based column, and the caret sits one place before it.
  const line = sosl.split('\n')[0] ?? sosl;
  const shown = excerpt(line, Math.max(0, at - 1));
  return new QueryError(
    'MALFORMED_SEARCH',
    `\n${shown.text}\n${' '.repeat(shown.caret)}^\nERROR at Row:1:Column:${at}\n${message}`,
  );
}

/**
 * One character lower-cased to one character (İ stays İ rather than becoming i + a combining dot), so
 * that a term and the record text it was copied from fold alike, whatever their letters.
 */
function fold(c: string): string {
  const lower = c.toLowerCase();
  return lower.length === c.length ? lower : c;
}

/** Splits text into the search index's tokens: runs of letters and digits, lower-cased. */
export function tokenize(text: string): string[] {
  return (
    Array.from(text, fold)
      .join('')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** A word of the search term (escapes resolved, wildcards kept) turned into token patterns. */
function leafOf(word: { text: string; wild: boolean[] }): Leaf | undefined {
  const patterns: RegExp[] = [];
  let current = '';
  let length = 0;
  const flush = (): void => {
    if (current !== '') patterns.push(new RegExp(`^${current}$`, 'u'));
    current = '';
  };
  // By code point: a letter outside the BMP (𐀀, 𝒜) is one character of a token, as tokenize() reads
  // record text (by UTF-16 unit, its halves split the word and the search missed the record).
  for (let i = 0, c = ''; i < word.text.length; i += c.length) {
    c = String.fromCodePoint(word.text.codePointAt(i) as number);
    if (word.wild[i] && c === '*') current += '[\\p{L}\\p{N}]*';
    else if (word.wild[i] && c === '?') current += '[\\p{L}\\p{N}]';
    else if (/[\p{L}\p{N}]/u.test(c)) {
      current += fold(c).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      length++;
    } else flush();
  }
  flush();
  return patterns.length === 0 ? undefined : { kind: 'leaf', patterns, length };
}

/** Reads the text between FIND's braces, honouring backslash escapes. */
function readBraces(sosl: string, start: number): { term: string; end: number } {
  let i = start;
  let term = '';
  while (i < sosl.length) {
    const c = sosl[i] as string;
    if (c === '\\') {
      term += c + (sosl[i + 1] ?? '');
      i += 2;
      continue;
    }
    if (c === '}') return { term, end: i + 1 };
    if (RESERVED.has(c) && c !== '\\')
      throw searchError(sosl, i, `line 1:${i} mismatched character '${c}' expecting '}'`);
    term += c;
    i++;
  }
  throw searchError(sosl, sosl.length, `line 1:${sosl.length} mismatched character '<EOF>' expecting '}'`);
}

type TermToken =
  | { kind: 'op'; op: 'AND' | 'OR' | 'NOT' | '(' | ')' }
  | { kind: 'word'; leaf: Leaf | undefined; raw: string };

function lexTerm(term: string, sosl: string, offset: number): TermToken[] {
  const out: TermToken[] = [];
  let i = 0;
  while (i < term.length) {
    const c = term[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ kind: 'op', op: c });
      i++;
      continue;
    }
    const text: string[] = [];
    const wild: boolean[] = [];
    let raw = '';
    if (c === '"') {
      // A phrase: everything up to the closing quote, operators included, is searched as adjacent words.
      i++;
      while (i < term.length && term[i] !== '"') {
        const ch = term[i] as string;
        if (ch === '\\') {
          text.push(term[i + 1] ?? '');
          wild.push(false);
          i += 2;
          continue;
        }
        text.push(ch);
        wild.push(ch === '*' || ch === '?');
        i++;
      }
      if (term[i] !== '"')
        throw searchError(
          sosl,
          offset + i,
          `line 1:${offset + i} mismatched character '<EOF>' expecting '"'`,
        );
      i++;
      const w = { text: text.join(''), wild };
      out.push({ kind: 'word', leaf: leafOf(w), raw: w.text });
      continue;
    }
    while (i < term.length && !/[\s()"]/.test(term[i] as string)) {
      const ch = term[i] as string;
      if (ch === '\\') {
        text.push(term[i + 1] ?? '');
        wild.push(false);
        raw += term[i + 1] ?? '';
        i += 2;
        continue;
      }
      text.push(ch);
      wild.push(ch === '*' || ch === '?');
      raw += ch;
      i++;
    }
    const upper = raw.toUpperCase();
    if (upper === 'AND' || upper === 'OR' || upper === 'NOT') out.push({ kind: 'op', op: upper });
    else out.push({ kind: 'word', leaf: leafOf({ text: text.join(''), wild }), raw });
  }
  return out;
}

/**
 * Parses the term: parentheses first, then AND NOT, then AND (also between adjacent words), then OR.
 */
/**
 * `left AND right` (or OR) as one flat node: a chain of thousands of words stays one level deep, so
 * matching does not recurse once per word (20,000 words overflowed the stack: a 500).
 */
function join(
  kind: 'and' | 'or',
  left: TermTree | undefined,
  right: TermTree | undefined,
): TermTree | undefined {
  if (!left || !right) return left ?? right;
  if (left.kind === kind) {
    (left.items as TermTree[]).push(right);
    return left;
  }
  return { kind, items: [left, right] };
}

/** SearchQuery lengths the SOSL syntax page documents (sforce_api_calls_sosl_syntax.htm). */
const NO_ROWS_ABOVE = 10_000;
const NO_OPERATORS_ABOVE = 4_000;

function parseTerm(sosl: string, term: string, offset: number): TermTree {
  let tokens = lexTerm(term, sosl, offset);
  // "If SearchQuery is longer than 4,000 characters, any logical operators are removed … AND …
  // will default to the OR operator"
  // (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_syntax.htm).
  const flat = term.length > NO_OPERATORS_ABOVE;
  if (flat) {
    const words = tokens.filter((t) => t.kind === 'word');
    tokens = words.flatMap((t, i): TermToken[] => (i > 0 ? [{ kind: 'op', op: 'OR' }, t] : [t]));
  }
  let pos = 0;
  const fail = (what: string): never => {
    throw searchError(sosl, offset, `line 1:${offset} no viable alternative at character '${what}'`);
  };
  const primary = (): TermTree | undefined => {
    const t = tokens[pos];
    if (!t) return fail('}');
    if (t.kind === 'op' && t.op === '(') {
      pos++;
      const inner = orExpr();
      const close = tokens[pos];
      if (!close || close.kind !== 'op' || close.op !== ')') fail(')');
      pos++;
      return inner;
    }
    if (t.kind === 'word') {
      pos++;
      return t.leaf;
    }
    return fail(t.op);
  };
  const andExpr = (): TermTree | undefined => {
    let left = primary();
    for (;;) {
      const t = tokens[pos];
      if (!t || (t.kind === 'op' && (t.op === 'OR' || t.op === ')'))) return left;
      if (
        t.kind === 'op' &&
        t.op === 'AND' &&
        tokens[pos + 1]?.kind === 'op' &&
        (tokens[pos + 1] as { op: string }).op === 'NOT'
      ) {
        pos += 2;
        const right = primary();
        if (left && right) left = { kind: 'andNot', left, right };
        continue;
      }
      if (t.kind === 'op' && t.op === 'NOT') fail('NOT');
      if (t.kind === 'op' && t.op === 'AND') pos++;
      const right = primary();
      left = join('and', left, right);
    }
  };
  const orExpr = (): TermTree | undefined => {
    let left = andExpr();
    while (tokens[pos]?.kind === 'op' && (tokens[pos] as { op: string }).op === 'OR') {
      pos++;
      const right = andExpr();
      left = join('or', left, right);
    }
    return left;
  };
  const tree = orExpr();
  if (pos < tokens.length) fail(')');
  const letters = tokenize(term.replace(/\\./g, (m) => m.slice(1))).join('');
  const words = tokens.filter((t) => t.kind === 'word');
  if (!tree || letters.length < 2) {
    throw new QueryError(
      'INVALID_SEARCH',
      `search term must be longer than one character: ${words.map((w) => (w as { raw: string }).raw).join(' ')}`,
    );
  }
  return tree;
}

function inScope(schema: ObjectSchema, field: FieldSchema, scope: Scope): boolean {
  switch (scope) {
    case 'NAME':
      return (
        field.nameField === true ||
        // A person's name parts, and an activity's Subject, are searched as names too.
        ['FirstName', 'LastName', 'MiddleName', 'Subject'].includes(field.name) ||
        (schema.name === 'Lead' && field.name === 'Company')
      );
    case 'EMAIL':
      return field.type === 'email';
    case 'PHONE':
      return field.type === 'phone';
    default:
      return ['string', 'textarea', 'email', 'phone', 'url', 'combobox'].includes(field.type);
  }
}

/** The token lists a record offers to the search, one per searched field. */
function recordTokens(fields: readonly FieldSchema[], at: Located): string[][] {
  const out: string[][] = [];
  for (const f of fields) {
    const v = RecordResolver.read(at, f.name, false);
    if (typeof v !== 'string' || v === '') continue;
    out.push(tokenize(v));
    // Phone numbers are found by their digits whatever the punctuation.
    if (f.type === 'phone') out.push([v.replace(/\D/g, '')]);
  }
  return out;
}

function leafMatches(leaf: Leaf, lists: readonly string[][]): boolean {
  const n = leaf.patterns.length;
  for (const tokens of lists) {
    for (let i = 0; i + n <= tokens.length; i++) {
      let ok = true;
      for (let j = 0; j < n; j++) {
        if (!(leaf.patterns[j] as RegExp).test(tokens[i + j] as string)) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
  }
  return false;
}

function matches(tree: TermTree, lists: readonly string[][]): boolean {
  switch (tree.kind) {
    case 'leaf':
      return leafMatches(tree, lists);
    case 'and':
      return tree.items.every((t) => matches(t, lists));
    case 'or':
      return tree.items.some((t) => matches(t, lists));
    case 'andNot':
      return matches(tree.left, lists) && !matches(tree.right, lists);
  }
}

/** A tiny scanner over the SOSL text outside the braces. */
class Scanner {
  pos: number;
  readonly text: string;

  constructor(text: string, pos: number) {
    this.text = text;
    this.pos = pos;
  }

  skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  peekWord(): string {
    this.skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    return m ? m[0] : '';
  }

  word(): string {
    const w = this.peekWord();
    this.pos += w.length;
    return w;
  }

  keyword(k: string): boolean {
    if (this.peekWord().toUpperCase() !== k) return false;
    this.pos += k.length;
    return true;
  }

  char(c: string): boolean {
    this.skip();
    if (this.text[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  integer(): number | undefined {
    this.skip();
    const m = /^\d+/.exec(this.text.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  /** The text up to the parenthesis closing the one just consumed, skipping string literals. */
  balanced(): string {
    const start = this.pos;
    let depth = 1;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] as string;
      if (c === "'") {
        this.pos++;
        while (this.pos < this.text.length && this.text[this.pos] !== "'") {
          if (this.text[this.pos] === '\\') this.pos++;
          this.pos++;
        }
      } else if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (depth === 0) {
          this.pos++;
          return this.text.slice(start, this.pos - 1);
        }
      }
      this.pos++;
    }
    return this.text.slice(start);
  }

  unexpected(): QueryError {
    this.skip();
    const rest = this.text.slice(this.pos);
    const token = /^\S+/.exec(rest)?.[0] ?? '<EOF>';
    return searchError(this.text, this.pos, `unexpected token: '${token}'`);
  }
}

interface Returning {
  readonly object: string;
  readonly inner: string | undefined;
  readonly at: number;
}

/** Splits `Name, Phone WHERE … ORDER BY … LIMIT 5` into the field list and the clauses after it. */
function splitInner(inner: string): { fields: string; rest: string } {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] as string;
    if (inString) {
      if (c === '\\') i++;
      else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") inString = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (
      depth === 0 &&
      /\s/.test(inner[i - 1] ?? ' ') &&
      /^(WHERE|ORDER|LIMIT|OFFSET|USING|WITH)\b/i.test(inner.slice(i))
    ) {
      return { fields: inner.slice(0, i).trim(), rest: inner.slice(i) };
    }
  }
  return { fields: inner.trim(), rest: '' };
}

export function executeSosl(sosl: string, source: QueryDataSource, options: SoslOptions): SoslResult {
  const ds = source.forRunningUser?.() ?? source;
  try {
    return executeSoslUnguarded(sosl, ds, options);
  } catch (e) {
    if (e instanceof QueryError) throw e;
    return rethrowTooComplicated(e);
  }
}

function executeSoslUnguarded(sosl: string, ds: QueryDataSource, options: SoslOptions): SoslResult {
  const s = new Scanner(sosl, 0);
  if (!s.keyword('FIND')) throw s.unexpected();
  s.skip();
  if (sosl[s.pos] !== '{') {
    // Quoted terms are for Apex; the API wants braces.
    throw searchError(
      sosl,
      s.pos,
      `line 1:${s.pos} no viable alternative at character '${sosl[s.pos] ?? '<EOF>'}'`,
    );
  }
  const termStart = s.pos + 1;
  const { term, end } = readBraces(sosl, termStart);
  s.pos = end;
  // "If the SearchQuery string is longer than 10,000 characters, no result rows are returned" (same page).
  const tree = term.length > NO_ROWS_ABOVE ? undefined : parseTerm(sosl, term, termStart);

  let scope: Scope = 'ALL';
  if (s.keyword('IN')) {
    const group = s.word().toUpperCase();
    if (!['ALL', 'NAME', 'EMAIL', 'PHONE', 'SIDEBAR'].includes(group)) {
      throw searchError(sosl, s.pos - group.length, `Malformed search token: ${group || '<EOF>'}`);
    }
    if (!s.keyword('FIELDS')) {
      const next = s.peekWord();
      throw searchError(sosl, s.pos, `Malformed search token: ${next || '<EOF>'}`);
    }
    scope = group as Scope;
  }

  const returning: Returning[] = [];
  if (s.keyword('RETURNING')) {
    do {
      s.skip();
      const at = s.pos;
      const object = s.word();
      if (!object) throw s.unexpected();
      const inner = s.char('(') ? s.balanced() : undefined;
      returning.push({ object, inner, at });
    } while (s.char(','));
  }
  while (s.keyword('WITH')) {
    const what = s.word().toUpperCase();
    if (what === 'SPELL_CORRECTION') {
      if (!s.char('=') || !['TRUE', 'FALSE'].includes(s.word().toUpperCase())) throw s.unexpected();
    } else if (!['SECURITY_ENFORCED', 'USER_MODE', 'SYSTEM_MODE'].includes(what)) {
      throw searchError(sosl, s.pos - what.length, `unexpected token: '${what}'`);
    }
  }
  let limit: number | undefined;
  if (s.keyword('LIMIT')) {
    limit = s.integer();
    if (limit === undefined) throw s.unexpected();
  }
  if (s.keyword('UPDATE')) {
    const what = s.word().toUpperCase();
    if (what !== 'TRACKING' && what !== 'VIEWSTAT') throw s.unexpected();
  }
  s.skip();
  if (s.pos < sosl.length) throw s.unexpected();

  const run: Run = {
    counters: { childRelationships: 0 },
    soql: sosl,
    ds,
    now: options.now ?? new Date(),
    includeDeleted: false,
    version: options.apiVersion.replace(/^v/i, ''),
    resolver: new RecordResolver(ds, false),
  };

  const targets: Returning[] =
    returning.length > 0
      ? returning
      : [...(ds.objectNames ? ds.objectNames() : STANDARD_SEARCHABLE)]
          .filter((name) => ds.schema(name)?.searchable === true)
          .map((object) => ({ object, inner: undefined, at: 0 }));

  const cap = Math.min(limit ?? MAX_RESULTS, MAX_RESULTS);
  const searchRecords: Record<string, unknown>[] = [];
  for (const target of targets) {
    if (searchRecords.length >= cap) break;
    const schema = schemaOrThrow(run, target.object);
    if (!schema.searchable) {
      throw new QueryError(
        'INVALID_TYPE',
        located(sosl, target.at, `entity type ${schema.name} does not support search`),
      );
    }
    const { fields, rest } = splitInner(target.inner ?? '');
    const soql = `SELECT ${fields === '' ? 'Id' : fields} FROM ${schema.name} ${rest}`;
    let query;
    try {
      query = parseSoql(soql);
    } catch {
      throw searchError(sosl, target.at, `unexpected token: '${target.object}'`);
    }
    if (isAggregateQuery(query))
      throw searchError(sosl, target.at, 'Aggregate functions are not supported in SOSL');
    // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_offset.htm
    if (query.offset !== undefined) {
      if (query.offset > 2000) {
        throw new QueryError('MALFORMED_SEARCH', 'SOSL offset should be between 0 to 2000');
      }
      if (targets.length > 1) {
        throw searchError(sosl, target.at, 'OFFSET can be used only when searching a single object');
      }
    }
    const searched = schema.fields.filter((f) => inScope(schema, f, scope));
    const run1 = compileRows(run, query, schema, NO_CHILDREN);
    const result = run1((row: Located) => tree !== undefined && matches(tree, recordTokens(searched, row)));
    for (const r of result.records) {
      if (searchRecords.length >= cap) break;
      searchRecords.push(r);
    }
  }
  return { searchRecords };
}
