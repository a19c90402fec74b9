/**
 * Aggregate SOQL: COUNT(), COUNT(field), COUNT_DISTINCT, SUM, AVG, MIN, MAX, GROUP BY and HAVING.
 * Results are AggregateResult rows; unaliased aggregates are named expr0, expr1, ….
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_agg_functions.htm
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_groupby.htm
 */
import type { FieldFunctionExpression, Query, GroupByClause } from '@jetstreamapp/soql-parser-js';
import type { FieldSchema, FieldValue } from '../schema/types.ts';
import { QueryError, invalidField, locate, malformed } from './errors.ts';
import {
  buildTree,
  compileCondition,
  compileTree,
  kindOf,
  normalize,
  type Operand,
  type Pred,
  type RawCondition,
} from './filter.ts';
import { resolvePath, type Located, type PathScope, type ResolvedPath } from './schema-paths.ts';
import {
  dateFunctionOperand,
  dateParam,
  orderClauses,
  sortRows,
  type Run,
  type SoqlResult,
  type SortKey,
} from './run.ts';

const AGGREGATES = new Set(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX']);

export function isAggregateQuery(query: Query): boolean {
  if (query.groupBy !== undefined) return true;
  return (query.fields ?? []).some(
    (f) => f.type === 'FieldFunctionExpression' && AGGREGATES.has(f.functionName.toUpperCase()),
  );
}

interface Group {
  readonly key: string;
  readonly rows: Located[];
  readonly sample: Located | undefined;
}

/** A grouping expression: a field path or a date function of one. */
interface Grouping {
  readonly text: string;
  readonly operand: Operand<Located>;
  readonly name: string;
}

function groupings(run: Run, query: Query, scope: PathScope): Grouping[] {
  const raw = query.groupBy;
  const list: GroupByClause[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((g) => {
    if ('fn' in g) {
      const name = g.fn.functionName ?? '';
      const param = dateParam(g.fn.parameters?.[0]);
      if (typeof param !== 'string')
        throw malformed(run.soql, locate(run.soql, name), `unexpected token: '${name}'`);
      if (['ROLLUP', 'CUBE'].includes(name.toUpperCase())) {
        throw malformed(run.soql, locate(run.soql, name), `unexpected token: '${name}'`);
      }
      const path = resolvePath(scope, param);
      const operand = dateFunctionOperand(run, name, path, (row: Located) => run.resolver.value(row, path));
      return { text: `${name.toUpperCase()}(${param.toLowerCase()})`, operand, name: operand.name };
    }
    const path = resolvePath(scope, g.field);
    if (path.field.groupable === false) {
      throw invalidField(run.soql, g.field, `field '${path.field.name}' can not be grouped in a query call`);
    }
    return { text: pathKey(path), operand: pathOperand(run, path), name: path.field.name };
  });
}

function pathKey(path: ResolvedPath): string {
  return [...path.hops.map((h) => h.relationshipName), path.field.name].join('.').toLowerCase();
}

function pathOperand(run: Run, path: ResolvedPath): Operand<Located> {
  return {
    name: path.field.name,
    type: path.field.type,
    filterable: true,
    get: (row) => run.resolver.value(row, path),
  };
}

const NUMERIC = new Set<FieldSchema['type']>(['int', 'double', 'currency', 'percent']);

/** An aggregate function over a group: its value and the type it yields. */
function aggregateOperand(
  run: Run,
  scope: PathScope,
  fnName: string,
  params: readonly unknown[],
  raw: string,
): Operand<Group> {
  const fn = fnName.toUpperCase();
  if (fn === 'COUNT' && params.length === 0) {
    return { name: raw, type: 'int', filterable: true, get: (g) => g.rows.length };
  }
  const param = params[0];
  if (params.length !== 1 || typeof param !== 'string') {
    throw malformed(run.soql, locate(run.soql, fnName), `unexpected token: '${fnName}'`);
  }
  const path = resolvePath(scope, param);
  const kind = kindOf(path.field.type);
  const values = (g: Group): FieldValue[] =>
    g.rows.map((r) => run.resolver.value(r, path)).filter((v) => v !== null && v !== undefined && v !== '');
  const unsupported = () =>
    invalidField(run.soql, param, `field ${path.field.name} does not support aggregate operator ${fn}`);
  switch (fn) {
    case 'COUNT':
      return { name: raw, type: 'int', filterable: true, get: (g) => values(g).length };
    case 'COUNT_DISTINCT':
      return {
        name: raw,
        type: 'int',
        filterable: true,
        get: (g) => new Set(values(g).map((v) => JSON.stringify(normalize(kind, v)))).size,
      };
    case 'SUM':
    case 'AVG': {
      if (!NUMERIC.has(path.field.type)) throw unsupported();
      return {
        name: raw,
        type: fn === 'AVG' ? 'double' : path.field.type,
        filterable: true,
        get: (g) => {
          const nums = values(g).map(Number);
          if (nums.length === 0) return null;
          const sum = nums.reduce((a, b) => a + b, 0);
          return fn === 'SUM' ? sum : sum / nums.length;
        },
      };
    }
    case 'MIN':
    case 'MAX': {
      if (kind === 'boolean' || kind === 'none' || path.field.type === 'textarea') throw unsupported();
      return {
        name: raw,
        type: path.field.type,
        filterable: true,
        get: (g) => {
          let best: FieldValue = null;
          let bestKey: unknown = null;
          for (const v of values(g)) {
            const k = normalize(kind, v);
            if (
              bestKey === null ||
              (fn === 'MIN' ? (k as never) < (bestKey as never) : (k as never) > (bestKey as never))
            ) {
              best = v;
              bestKey = k;
            }
          }
          return best;
        },
      };
    }
    default:
      throw malformed(run.soql, locate(run.soql, fnName), `unexpected token: '${fnName}'`);
  }
}

/** Runs an aggregate query over the rows that passed WHERE. */
export function aggregate(run: Run, query: Query, scope: PathScope, rows: Located[]): SoqlResult {
  const fields = query.fields ?? [];
  const groups = groupings(run, query, scope);
  const isCountStar = (f: (typeof fields)[number]): boolean =>
    f.type === 'FieldFunctionExpression' &&
    f.functionName.toUpperCase() === 'COUNT' &&
    f.parameters.length === 0;
  const onlyCount = fields.length === 1 && isCountStar(fields[0]!);
  // COUNT() stands alone: no ORDER BY, no GROUP BY (API 19.0 and later).
  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_count.htm
  if (onlyCount && query.orderBy !== undefined) {
    throw malformed(run.soql, locate(run.soql, 'ORDER'), 'COUNT() and ORDER BY may not be used together');
  }
  if (onlyCount && query.groupBy !== undefined) {
    throw malformed(run.soql, locate(run.soql, 'GROUP'), 'COUNT() and GROUP BY may not be used together');
  }
  if (!onlyCount && fields.some(isCountStar)) {
    throw malformed(run.soql, locate(run.soql, 'COUNT'), 'COUNT() can only be used alone in the select list');
  }

  // Partition into groups; with no GROUP BY the whole set is one group, even when empty.
  const partition = new Map<string, Group>();
  if (groups.length === 0) partition.set('', { key: '', rows, sample: rows[0] });
  else {
    for (const row of rows) {
      const key = JSON.stringify(groups.map((g) => normalize(kindOf(g.operand.type), g.operand.get(row))));
      let group = partition.get(key);
      if (!group) {
        group = { key, rows: [], sample: row };
        partition.set(key, group);
      }
      group.rows.push(row);
    }
  }
  let list = [...partition.values()];

  const groupOperand = (text: string): Operand<Group> | undefined => {
    const g = groups.find((grouping) => grouping.text === text);
    if (!g) return undefined;
    return {
      name: g.name,
      type: g.operand.type,
      filterable: true,
      get: (grp) => (grp.sample ? g.operand.get(grp.sample) : null),
    };
  };
  const fieldOperand = (text: string): Operand<Group> => {
    const path = resolvePath(scope, text);
    const op = groupOperand(pathKey(path));
    if (!op)
      throw malformed(
        run.soql,
        locate(run.soql, text),
        `Field must be grouped or aggregated: ${path.field.name}`,
      );
    return op;
  };
  const fnOperand = (fn: {
    functionName?: string;
    parameters?: unknown[];
    rawValue?: string;
  }): Operand<Group> => {
    const name = fn.functionName ?? '';
    const params = fn.parameters ?? [];
    if (AGGREGATES.has(name.toUpperCase()))
      return aggregateOperand(run, scope, name, params, fn.rawValue ?? name);
    const text = `${name.toUpperCase()}(${String(dateParam(params[0]) ?? '').toLowerCase()})`;
    const op = groupOperand(text);
    if (!op)
      throw malformed(
        run.soql,
        locate(run.soql, name),
        `Field must be grouped or aggregated: ${fn.rawValue ?? name}`,
      );
    return op;
  };

  // HAVING filters groups on aggregates or grouped fields.
  const havingTree = buildTree(query.having, run.soql);
  if (havingTree) {
    const leaf = (cond: RawCondition): Pred<Group> => {
      const operand = cond.fn ? fnOperand(cond.fn) : fieldOperand(cond.field ?? '');
      return compileCondition(run, cond, operand, () => {
        throw malformed(
          run.soql,
          locate(run.soql, 'SELECT', 1),
          'Semi join sub-selects are not allowed in HAVING',
        );
      });
    };
    const having = compileTree(havingTree, leaf, run.soql);
    list = list.filter(having);
  }

  if (onlyCount) {
    const start = query.offset ?? 0;
    const counted = groups.length === 0 ? (list.length === 0 ? 0 : rows.length) : list.length;
    const total = Math.max(0, counted - start);
    return { totalSize: query.limit === undefined ? total : Math.min(total, query.limit), records: [] };
  }

  // The select list, each item named by its alias, its field name, or exprN.
  let expr = 0;
  const columns = fields.map((f) => {
    switch (f.type) {
      case 'Field':
      case 'FieldRelationship': {
        const text = f.type === 'Field' ? f.field : (f.rawValue ?? f.field);
        const op = fieldOperand(text);
        const alias = (f as { alias?: string }).alias;
        return { key: alias ?? op.name, op };
      }
      case 'FieldFunctionExpression': {
        const op = fnOperand(f as FieldFunctionExpression);
        return { key: f.alias ?? `expr${expr++}`, op };
      }
      default:
        throw malformed(run.soql, locate(run.soql, 'SELECT'), 'Field must be grouped or aggregated');
    }
  });
  const seen = new Set<string>();
  for (const c of columns) {
    const lower = c.key.toLowerCase();
    if (seen.has(lower)) throw new QueryError('INVALID_FIELD', `duplicate alias: ${c.key}`);
    seen.add(lower);
  }

  const keys: SortKey<Group>[] = orderClauses(query).map((clause) => {
    const desc = clause.order === 'DESC';
    const nullsFirst = clause.nulls ? clause.nulls === 'FIRST' : !desc;
    const op = 'fn' in clause ? fnOperand(clause.fn) : aliasOr(clause.field);
    const kind = kindOf(op.type);
    return { get: (g: Group) => normalize(kind, op.get(g)), desc, nullsFirst };
  });
  function aliasOr(name: string): Operand<Group> {
    const byAlias = columns.find((c) => c.key.toLowerCase() === name.toLowerCase() && c.op.name !== c.key);
    return byAlias ? byAlias.op : fieldOperand(name);
  }
  list = sortRows(list, keys);
  const start = query.offset ?? 0;
  list = list.slice(start, query.limit === undefined ? undefined : start + query.limit);

  const records = list.map((g) => {
    const out: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
    for (const c of columns) out[c.key] = c.op.get(g);
    return out;
  });
  return { totalSize: records.length, records };
}
