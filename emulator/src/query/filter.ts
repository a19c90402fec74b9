/**
 * WHERE and HAVING: the parser's flat condition list turned back into a boolean tree, and each
 * condition compiled to a predicate with Salesforce's typing and comparison rules.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_conditionexpression.htm
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
 */
import type { WhereClause, HavingClause, Query } from '@jetstreamapp/soql-parser-js';
import type { FieldSchema, FieldValue } from '../schema/types.ts';
import { to18 } from '../ids.ts';
import { QueryError, invalidField, locate, located, malformed } from './errors.ts';
import {
  dateLiteralRange,
  likeMatcher,
  parseDate,
  parseDateTime,
  stringValue,
  type Range,
} from './literals.ts';

/** A condition as the parser gives it (field or function on the left, literal(s) or a subquery on the right). */
export interface RawCondition {
  field?: string;
  fn?: { functionName?: string; parameters?: unknown[]; rawValue?: string };
  operator: string;
  value?: string | string[];
  literalType?: string | string[];
  dateLiteralVariable?: number | number[];
  valueQuery?: Query;
}

export type BoolTree =
  | { readonly kind: 'and' | 'or'; readonly items: readonly BoolTree[] }
  | { readonly kind: 'not'; readonly item: BoolTree }
  | { readonly kind: 'cond'; readonly cond: RawCondition };

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { cond: RawCondition };

function flatten(clause: WhereClause | HavingClause | undefined, out: Token[]): void {
  if (!clause) return;
  const left = (
    clause as { left: (Record<string, unknown> & { openParen?: number; closeParen?: number }) | null }
  ).left;
  if (left) {
    for (let i = 0; i < (left.openParen ?? 0); i++) out.push('(');
    if ('operator' in left) {
      out.push({ cond: left as unknown as RawCondition });
      for (let i = 0; i < (left.closeParen ?? 0); i++) out.push(')');
    }
  }
  const op = (clause as { operator?: string }).operator;
  if (op === 'AND' || op === 'OR' || op === 'NOT') out.push(op);
  flatten((clause as { right?: WhereClause }).right, out);
}

/** Trees built, by clause: a query plans its WHERE from the tree more than once (look-ups, filter). */
const trees = new WeakMap<WhereClause | HavingClause, BoolTree>();

/**
 * Rebuilds the tree. SOQL gives AND and OR no precedence: mixing them without parentheses is a
 * MALFORMED_QUERY, as on the platform.
 */
export function buildTree(
  clause: WhereClause | HavingClause | undefined,
  soql: string,
): BoolTree | undefined {
  const known = clause && trees.get(clause);
  if (known) return known;
  const tree = buildTreeOnce(clause, soql);
  if (clause && tree) trees.set(clause, tree);
  return tree;
}

function buildTreeOnce(clause: WhereClause | HavingClause | undefined, soql: string): BoolTree | undefined {
  const tokens: Token[] = [];
  flatten(clause, tokens);
  if (tokens.length === 0) return undefined;
  let pos = 0;
  const fail = (what: string): never => {
    throw malformed(
      soql,
      what === '<EOF>' ? soql.length : locate(soql, what),
      `unexpected token: ${what === '<EOF>' ? '<EOF>' : `'${what}'`}`,
    );
  };
  const unary = (): BoolTree => {
    const t = tokens[pos++];
    if (t === undefined) return fail('<EOF>');
    if (t === 'NOT') return { kind: 'not', item: unary() };
    if (t === '(') {
      const inner = expr();
      if (tokens[pos++] !== ')') fail('<EOF>');
      return inner;
    }
    if (typeof t === 'object') return { kind: 'cond', cond: t.cond };
    return fail(t);
  };
  const expr = (): BoolTree => {
    const first = unary();
    const items = [first];
    let kind: 'and' | 'or' | undefined;
    while (tokens[pos] === 'AND' || tokens[pos] === 'OR') {
      const op = tokens[pos] as 'AND' | 'OR';
      const k = op === 'AND' ? 'and' : 'or';
      if (kind !== undefined && kind !== k) fail(op);
      kind = k;
      pos++;
      items.push(unary());
    }
    return kind === undefined ? first : { kind, items };
  };
  const tree = expr();
  if (pos < tokens.length) {
    const t = tokens[pos];
    fail(typeof t === 'string' ? t : '<EOF>');
  }
  return tree;
}

export type Pred<T> = (row: T) => boolean;

/** How values of a field type compare in filters. */
export type Kind = 'text' | 'id' | 'number' | 'boolean' | 'date' | 'datetime' | 'multi' | 'none';

export function kindOf(type: FieldSchema['type']): Kind {
  switch (type) {
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'picklist':
    case 'combobox':
    case 'time':
      return 'text';
    case 'id':
    case 'reference':
      return 'id';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'multipicklist':
      return 'multi';
    default:
      return 'none';
  }
}

/** The SOAP type name Salesforce uses in "must be of type …" messages (xsd:double for currency). */
function soapType(type: FieldSchema['type']): string {
  switch (type) {
    case 'datetime':
      return 'dateTime';
    case 'int':
      return 'int';
    case 'currency':
    case 'percent':
      return 'double';
    case 'reference':
    case 'id':
      return 'id';
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'picklist':
    case 'combobox':
    case 'multipicklist':
      return 'string';
    default:
      return type;
  }
}

/** What a condition's left side yields for a row, and the field type that governs comparison. */
export interface Operand<T> {
  readonly get: (row: T) => FieldValue;
  readonly type: FieldSchema['type'];
  /** Field name for messages (`Amount`, `COUNT(Id)`). */
  readonly name: string;
  readonly filterable: boolean;
  /**
   * A unique, case-sensitive text field: comparisons on it are case-sensitive, on every other field
   * case-insensitive (https://developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/sforce-api-calls-soql-select-comparisonoperators.html).
   */
  readonly caseSensitive?: boolean;
}

type Normal = string | number | boolean | null;

/** A row value in the comparison domain of its kind; null for empty values (Salesforce stores '' as null). */
export function normalize(kind: Kind, v: FieldValue | undefined): Normal | string[] {
  if (v === null || v === undefined || v === '') return null;
  switch (kind) {
    // English-locale SOQL compares the upper-cased UTF-8 values: case-insensitive, and '_' after 'Z'.
    // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm
    case 'text':
      return String(v).toUpperCase();
    case 'id':
      return to18(String(v)) ?? String(v);
    case 'number':
      return typeof v === 'number' ? v : Number(v);
    case 'boolean':
      return v === true || v === 'true';
    case 'date':
      return parseDate(String(v).slice(0, 10)) ?? null;
    case 'datetime':
      return parseDateTime(String(v)) ?? parseDate(String(v)) ?? null;
    case 'multi':
      return String(v)
        .split(';')
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s !== '');
    default:
      return typeof v === 'object' ? JSON.stringify(v) : (v as Normal);
  }
}

type Literal = { readonly kind: 'value'; readonly v: Normal } | { readonly kind: 'range'; readonly r: Range };

export interface FilterContext {
  readonly soql: string;
  readonly now: Date;
}

function asArray<V>(v: V | V[] | undefined): V[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function typeError(ctx: FilterContext, op: Operand<unknown>, quoted: boolean): QueryError {
  const t = soapType(op.type);
  const tail = quoted ? 'should not be enclosed in quotes' : 'should be enclosed in quotes';
  return invalidField(
    ctx.soql,
    op.name,
    `value of filter criterion for field '${op.name}' must be of type ${t} and ${tail}`,
    locate(ctx.soql, 'WHERE'),
  );
}

function convert(
  ctx: FilterContext,
  op: Operand<unknown>,
  kind: Kind,
  raw: string,
  literalType: string,
  n: number | undefined,
): Literal {
  if (literalType === 'NULL') return { kind: 'value', v: null };
  const quoted = literalType === 'STRING';
  switch (kind) {
    case 'text':
    case 'multi': {
      if (!quoted) throw typeError(ctx, op, false);
      // An empty string literal means no value: Salesforce stores '' as null.
      const text = stringValue(raw);
      if (text === '') return { kind: 'value', v: null };
      return { kind: 'value', v: kind === 'multi' ? text.toLowerCase() : text.toUpperCase() };
    }
    case 'id': {
      if (!quoted) throw typeError(ctx, op, false);
      const s = stringValue(raw);
      const id = to18(s);
      if (!id) throw new QueryError('INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${s}`);
      return { kind: 'value', v: id };
    }
    case 'number':
      if (!/^(INTEGER|DECIMAL)/.test(literalType)) throw typeError(ctx, op, quoted);
      return { kind: 'value', v: Number(raw.replace(/^[A-Z]{3}/, '')) };
    case 'boolean':
      if (literalType !== 'BOOLEAN') throw typeError(ctx, op, quoted);
      return { kind: 'value', v: raw.toUpperCase() === 'TRUE' };
    case 'date':
    case 'datetime': {
      if (literalType === 'DATE_LITERAL' || literalType === 'DATE_N_LITERAL') {
        const name = raw.split(':')[0] ?? raw;
        const r = dateLiteralRange(name, n, ctx.now);
        if (!r) throw malformed(ctx.soql, locate(ctx.soql, name), `unexpected token: '${raw}'`);
        return { kind: 'range', r };
      }
      if (
        (kind === 'date' && literalType === 'DATE') ||
        (kind === 'datetime' && literalType === 'DATETIME')
      ) {
        const t = kind === 'date' ? parseDate(raw) : parseDateTime(raw);
        if (t === undefined) {
          const at = locate(ctx.soql, raw);
          throw malformed(ctx.soql, at, `line 1:${at} no viable alternative at character '${raw}'`);
        }
        return { kind: 'value', v: t };
      }
      throw typeError(ctx, op, quoted);
    }
    default:
      throw invalidField(ctx.soql, op.name, `field '${op.name}' can not be filtered in a query call`);
  }
}

function cmp(a: Normal, b: Normal): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function equals(a: Normal | string[], lit: Literal): boolean {
  if (a === null) return lit.kind === 'value' && lit.v === null;
  if (lit.kind === 'range') return typeof a === 'number' && a >= lit.r.start && a < lit.r.end;
  if (lit.v === null) return false;
  if (Array.isArray(a)) {
    // A multi-select picklist equals a value only when it holds exactly those selections.
    const want = String(lit.v)
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return want.length === a.length && want.every((w) => a.includes(w));
  }
  return cmp(a, lit.v) === 0;
}

function order(a: Normal | string[], lit: Literal, op: string): boolean {
  if (a === null || Array.isArray(a)) return false;
  if (lit.kind === 'range') {
    if (typeof a !== 'number') return false;
    switch (op) {
      case '<':
        return a < lit.r.start;
      case '<=':
        return a < lit.r.end;
      case '>':
        return a >= lit.r.end;
      default:
        return a >= lit.r.start;
    }
  }
  if (lit.v === null) return false;
  const c = cmp(a, lit.v);
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

/** Compiles one comparison. `semiJoin` evaluates an `IN (SELECT …)` subquery to the ids it yields. */
export function compileCondition<T>(
  ctx: FilterContext,
  cond: RawCondition,
  operand: Operand<T>,
  semiJoin: (q: Query) => Set<string>,
): Pred<T> {
  const op = cond.operator.toUpperCase();
  const kind = kindOf(operand.type);
  if (!operand.filterable || kind === 'none') {
    throw invalidField(ctx.soql, operand.name, `field '${operand.name}' can not be filtered in a query call`);
  }
  const exact = kind === 'text' && operand.caseSensitive === true;
  const get = (row: T): Normal | string[] => {
    const v = normalize(kind, operand.get(row));
    return exact && v !== null ? String(operand.get(row)) : v;
  };

  if (cond.valueQuery) {
    if (op !== 'IN' && op !== 'NOT IN') {
      throw malformed(ctx.soql, locate(ctx.soql, 'SELECT', 1), `unexpected token: 'SELECT'`);
    }
    if (kind !== 'id') {
      throw invalidField(
        ctx.soql,
        operand.name,
        `Invalid field for semi/anti join: ${operand.name}. The field must be an Id or reference field.`,
      );
    }
    // Evaluated once, up front, so an invalid sub-select fails even when no outer row exists.
    const ids = semiJoin(cond.valueQuery);
    const has = (row: T): boolean => {
      const v = get(row);
      return typeof v === 'string' && ids.has(v);
    };
    return op === 'IN' ? has : (row) => !has(row);
  }

  const values = asArray(cond.value);
  const types = asArray(cond.literalType);
  const ns = asArray(cond.dateLiteralVariable);
  if (types.includes('APEX_BIND_VARIABLE')) {
    throw malformed(ctx.soql, ctx.soql.indexOf(':'), `unexpected token: ':'`);
  }
  const lits = values.map((raw, i) => {
    const lt = types[i] ?? types[0] ?? 'STRING';
    if (op === 'LIKE') return { kind: 'value', v: null } as Literal;
    const lit = convert(ctx, operand as Operand<unknown>, kind, raw, lt, ns[i] ?? ns[0]);
    const kept: Literal | undefined =
      exact && lit.kind === 'value' && lit.v !== null ? { kind: 'value', v: stringValue(raw) } : undefined;
    return kept ?? lit;
  });
  const first = lits[0] ?? { kind: 'value', v: null };

  switch (op) {
    case '=':
      return (row) => equals(get(row), first);
    case '!=':
      return (row) => !equals(get(row), first);
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (
        kind === 'boolean' ||
        kind === 'multi' ||
        (kind === 'id' && first.kind === 'value' && first.v === null)
      ) {
        throw new QueryError(
          'INVALID_QUERY_FILTER_OPERATOR',
          located(
            ctx.soql,
            locate(ctx.soql, operand.name),
            `invalid operator on ${soapType(operand.type)} field: ${operand.name}`,
          ),
        );
      }
      return (row) => order(get(row), first, op);
    case 'LIKE': {
      if (kind !== 'text' && kind !== 'id') {
        throw new QueryError(
          'INVALID_QUERY_FILTER_OPERATOR',
          located(ctx.soql, locate(ctx.soql, operand.name), `invalid operator on field: ${operand.name}`),
        );
      }
      const t = types[0];
      if (t !== 'STRING') throw typeError(ctx, operand as Operand<unknown>, false);
      const match = likeMatcher(values[0] ?? "''");
      return (row) => {
        const v = operand.get(row);
        return v !== null && v !== undefined && v !== '' && match(String(v));
      };
    }
    // A null row value is in the list only when the list holds null; NOT IN keeps it otherwise.
    // The row's value is read once per row, not once per literal: an IN list of a batch's look-ups
    // holds hundreds of values.
    case 'IN':
      return (row) => {
        const v = get(row);
        return lits.some((l) => equals(v, l));
      };
    case 'NOT IN':
      return (row) => {
        const v = get(row);
        return !lits.some((l) => equals(v, l));
      };
    case 'INCLUDES':
    case 'EXCLUDES': {
      if (kind !== 'multi') {
        throw new QueryError(
          'INVALID_QUERY_FILTER_OPERATOR',
          located(
            ctx.soql,
            locate(ctx.soql, operand.name),
            'includes or excludes operator only valid on multipicklist field',
          ),
        );
      }
      // 'a;b' inside INCLUDES means both a and b; separate values mean either.
      const sets = lits.map((l) =>
        String(l.kind === 'value' ? l.v : '')
          .split(';')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      );
      const includes = (row: T): boolean => {
        const v = get(row);
        const have = Array.isArray(v) ? v : [];
        return sets.some((set) => set.every((s) => have.includes(s)));
      };
      return op === 'INCLUDES' ? includes : (row) => !includes(row);
    }
    default:
      throw malformed(ctx.soql, locate(ctx.soql, op), `unexpected token: '${op}'`);
  }
}

/** Compiles a tree given a way to compile each condition; semi-joins under OR are refused as on the platform. */
export function compileTree<T>(
  tree: BoolTree,
  leaf: (c: RawCondition) => Pred<T>,
  soql: string,
  underOr = false,
): Pred<T> {
  switch (tree.kind) {
    case 'cond':
      if (underOr && tree.cond.valueQuery) {
        throw malformed(
          soql,
          locate(soql, 'OR'),
          "Semi join sub-selects are not allowed with the 'OR' operator",
        );
      }
      return leaf(tree.cond);
    case 'not': {
      const inner = compileTree(tree.item, leaf, soql, underOr);
      return (row) => !inner(row);
    }
    case 'and': {
      const items = tree.items.map((i) => compileTree(i, leaf, soql, underOr));
      return (row) => items.every((p) => p(row));
    }
    case 'or': {
      const items = tree.items.map((i) => compileTree(i, leaf, soql, true));
      return (row) => items.some((p) => p(row));
    }
  }
}
