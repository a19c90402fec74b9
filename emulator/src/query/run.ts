/**
 * What one SOQL execution shares (the Run) and the row helpers both the plain SELECT (soql.ts) and
 * the aggregate query (aggregate.ts) use: ORDER BY and the date functions. Their own module so that
 * soql.ts can call aggregate.ts without aggregate.ts importing soql.ts back (no import cycles).
 */
import type { OrderByClause, Query } from '@jetstreamapp/soql-parser-js';
import type { FieldValue } from '../schema/types.ts';
import type { QueryDataSource } from './data-source.ts';
import { invalidField, locate, malformed } from './errors.ts';
import { kindOf, normalize, type FilterContext, type Operand } from './filter.ts';
import type { RecordResolver, ResolvedPath } from './schema-paths.ts';

export interface SoqlResult {
  totalSize: number;
  records: Record<string, unknown>[];
}

/** Everything one query execution shares: the text (for error positions), the data and the clock. */
export interface Run extends FilterContext {
  /** Per-query tallies of limited constructs. */
  readonly counters: { childRelationships: number };
  /** Relationship aliases declared in the top-level FROM list. */
  readonly relationshipAliases?: ReadonlyMap<string, readonly string[]>;
  readonly ds: QueryDataSource;
  readonly includeDeleted: boolean;
  readonly version: string;
  readonly resolver: RecordResolver;
}

export const DATE_FUNCTIONS: Readonly<Record<string, (t: Date) => number | string>> = {
  CALENDAR_YEAR: (t) => t.getUTCFullYear(),
  CALENDAR_MONTH: (t) => t.getUTCMonth() + 1,
  CALENDAR_QUARTER: (t) => Math.floor(t.getUTCMonth() / 3) + 1,
  FISCAL_YEAR: (t) => t.getUTCFullYear(),
  FISCAL_MONTH: (t) => t.getUTCMonth() + 1,
  FISCAL_QUARTER: (t) => Math.floor(t.getUTCMonth() / 3) + 1,
  DAY_IN_MONTH: (t) => t.getUTCDate(),
  DAY_IN_WEEK: (t) => t.getUTCDay() + 1,
  DAY_IN_YEAR: (t) => Math.floor((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
  HOUR_IN_DAY: (t) => t.getUTCHours(),
  DAY_ONLY: (t) => t.toISOString().slice(0, 10),
};

/** A date function (CALENDAR_YEAR(CreatedDate), DAY_ONLY(…)) applied to a path; the org runs in UTC. */
export function dateFunctionOperand<T>(
  run: Run,
  fnName: string,
  path: ResolvedPath,
  read: (row: T) => FieldValue,
): Operand<T> {
  const upper = fnName.toUpperCase();
  const fn = DATE_FUNCTIONS[upper];
  const kind = kindOf(path.field.type);
  if (!fn) throw malformed(run.soql, locate(run.soql, fnName), `unexpected token: '${fnName}'`);
  if (kind !== 'date' && kind !== 'datetime') {
    throw invalidField(
      run.soql,
      fnName,
      `${path.field.name} is not a date or dateTime field and cannot be used with ${upper}`,
    );
  }
  if (upper === 'HOUR_IN_DAY' && kind !== 'datetime') {
    throw invalidField(run.soql, fnName, `HOUR_IN_DAY can only be used with dateTime fields`);
  }
  return {
    name: `${upper}(${path.field.name})`,
    type: upper === 'DAY_ONLY' ? 'date' : 'int',
    filterable: true,
    get: (row) => {
      const v = read(row);
      const t = normalize(kind, v);
      return typeof t === 'number' ? fn(new Date(t)) : null;
    },
  };
}

/**
 * The field a date function reads; `convertTimezone(field)` is the field itself, since this org's
 * users are in UTC.
 */
export function dateParam(param: unknown): unknown {
  if (param && typeof param === 'object') {
    const inner = param as { functionName?: string; parameters?: unknown[] };
    if (inner.functionName?.toLowerCase() === 'converttimezone' && inner.parameters?.length === 1) {
      return inner.parameters[0];
    }
  }
  return param;
}

/** A sort key reader and its direction for ORDER BY. */
export interface SortKey<T> {
  readonly get: (row: T) => unknown;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

/** Compares two normalized values: text (already upper-cased), numbers, booleans. */
function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = Array.isArray(a) ? a.join(';') : String(a);
  const sb = Array.isArray(b) ? b.join(';') : String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Sorts stably by the keys. Nulls come first ascending and last descending unless NULLS says otherwise.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm
 */
export function sortRows<T>(rows: T[], keys: readonly SortKey<T>[]): T[] {
  if (keys.length === 0) return rows;
  const decorated = rows.map((row, i) => ({ row, i, ks: keys.map((k) => k.get(row)) }));
  decorated.sort((x, y) => {
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j] as SortKey<T>;
      const a = x.ks[j];
      const b = y.ks[j];
      const an = a === null || a === undefined;
      const bn = b === null || b === undefined;
      if (an && bn) continue;
      if (an || bn) return (an ? -1 : 1) * (key.nullsFirst ? 1 : -1);
      const c = compareValues(a, b);
      if (c !== 0) return key.desc ? -c : c;
    }
    return x.i - y.i;
  });
  return decorated.map((d) => d.row);
}

export function orderClauses(query: Query): OrderByClause[] {
  const o = query.orderBy;
  return o === undefined ? [] : Array.isArray(o) ? o : [o];
}
