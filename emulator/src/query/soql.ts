/**
 * SOQL over a QueryDataSource, with results in the REST API's JSON shape.
 * SELECT reference: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm
 */
import type { FieldType, Query } from '@jetstreamapp/soql-parser-js';
import type { FieldSchema, FieldValue, ObjectSchema, StoredRecord } from '../schema/types.ts';
import type { QueryDataSource } from './data-source.ts';
import { to18 } from '../ids.ts';
import { QueryError, invalidField, locate, located, malformed, rethrowTooComplicated } from './errors.ts';
import { stringValue } from './literals.ts';
import { parseSoql } from './parse.ts';
import { indexPlan } from './index-plan.ts';
import {
  buildTree,
  compileCondition,
  compileTree,
  kindOf,
  normalize,
  type BoolTree,
  type Operand,
  type Pred,
  type RawCondition,
} from './filter.ts';
import { aggregate, isAggregateQuery } from './aggregate.ts';
import {
  DATE_FUNCTIONS,
  dateFunctionOperand,
  dateParam,
  orderClauses,
  sortRows,
  type Run,
  type SoqlResult,
  type SortKey,
} from './run.ts';
import {
  NAME_SCHEMA,
  RecordResolver,
  findField,
  findRelationship,
  resolvePath,
  type Hop,
  type Located,
  type PathScope,
  type ResolvedPath,
} from './schema-paths.ts';

export interface SoqlOptions {
  readonly includeDeleted: boolean;
  readonly apiVersion: string;
  /** The clock for date literals (TODAY, LAST_N_DAYS:n); the current time when absent. */
  readonly now?: Date;
}

const MAX_OFFSET = 2000;
const MAX_CHILD_RELATIONSHIPS = 20;
/** A depth at which no child subquery is allowed at all (SOSL's RETURNING lists). */
export const NO_CHILDREN = 1000;

function maxChildDepth(run: Run): number {
  return Number.parseFloat(run.version) >= 58 ? 4 : 1;
}
const FIELDS_LIMIT = 200;

export function recordUrl(version: string, objectName: string, id: FieldValue): string {
  return `/services/data/v${version}/sobjects/${objectName}/${String(id)}`;
}

function attributes(run: Run, type: string, at: Located): { type: string; url: string } {
  return { type, url: recordUrl(run.version, at.objectName, at.record['Id'] ?? null) };
}

export function schemaOrThrow(run: Run, name: string | undefined): ObjectSchema {
  const schema = name ? run.ds.schema(name) : undefined;
  if (!schema || !schema.queryable) {
    const shown = name ?? '';
    throw new QueryError(
      'INVALID_TYPE',
      located(
        run.soql,
        locate(run.soql, shown, locate(run.soql, 'FROM')),
        `sObject type '${shown}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      ),
    );
  }
  return schema;
}

/** One entry of the output shape: a field, a parent relationship, a child subquery or a TYPEOF. */
type Node =
  | {
      readonly kind: 'field';
      readonly key: string;
      readonly fromName: boolean;
      /** toLabel(): picklist value to label. */
      readonly labels?: ReadonlyMap<string, string>;
    }
  | { readonly kind: 'rel'; readonly key: string; readonly hop: Hop; readonly children: Node[] }
  | { readonly kind: 'sub'; readonly key: string; readonly run: (parent: Located) => SoqlResult }
  | {
      readonly kind: 'typeof';
      readonly key: string;
      readonly hop: Hop;
      readonly cases: ReadonlyMap<string, readonly FieldSchema[]>;
      readonly otherwise: readonly string[];
    };

function duplicate(name: string): QueryError {
  return new QueryError('INVALID_FIELD', `duplicate field selected: ${name}`);
}

function addPath(nodes: Node[], path: ResolvedPath, labels?: ReadonlyMap<string, string>): void {
  let list = nodes;
  for (const hop of path.hops) {
    const lower = hop.relationshipName.toLowerCase();
    let rel = list.find((n) => n.kind === 'rel' && n.key.toLowerCase() === lower);
    if (!rel) {
      rel = { kind: 'rel', key: hop.relationshipName, hop, children: [] };
      list.push(rel);
    }
    list = (rel as { children: Node[] }).children;
  }
  const key = path.field.name;
  if (list.some((n) => n.kind === 'field' && n.key === key)) throw duplicate(path.text);
  const last = path.hops[path.hops.length - 1];
  list.push({ kind: 'field', key, fromName: last?.polymorphic === true, ...(labels ? { labels } : {}) });
}

/** The fields FIELDS(ALL|STANDARD|CUSTOM) stands for, in describe order. */
function fieldsMacro(schema: ObjectSchema, which: string): FieldSchema[] {
  const custom = (f: FieldSchema): boolean => f.name.endsWith('__c');
  switch (which.toUpperCase()) {
    case 'ALL':
      return [...schema.fields];
    case 'CUSTOM':
      return schema.fields.filter(custom);
    case 'STANDARD':
      return schema.fields.filter((f) => !custom(f));
    default:
      throw new QueryError('MALFORMED_QUERY', `unexpected token: '${which}'`);
  }
}

/** One SELECT item of the parser's field list. */
type SelectItem<T extends FieldType['type']> = Extract<FieldType, { type: T }>;

/** Validates the select list against the schema and builds the output shape, one planner per kind of item. */
function planSelect(run: Run, query: Query, schema: ObjectSchema, scope: PathScope, depth: number): Node[] {
  const nodes: Node[] = [];
  for (const f of query.fields ?? []) {
    switch (f.type) {
      case 'Field':
      case 'FieldRelationship':
        planPath(run, f, scope, nodes);
        break;
      case 'FieldFunctionExpression':
        planFunction(run, query, f, schema, scope, nodes);
        break;
      case 'FieldSubquery':
        planSubquery(run, query, f, schema, depth, nodes);
        break;
      case 'FieldTypeof':
        planTypeof(run, f, schema, scope, nodes);
        break;
    }
  }
  return nodes;
}

/** A field or a parent path (`Name`, `Account.Owner.Email`). */
function planPath(
  run: Run,
  f: SelectItem<'Field'> | SelectItem<'FieldRelationship'>,
  scope: PathScope,
  nodes: Node[],
): void {
  const text = f.type === 'Field' ? f.field : (f.rawValue ?? [...f.relationships, f.field].join('.'));
  const alias = (f as { alias?: string }).alias;
  if (alias !== undefined) {
    throw malformed(
      run.soql,
      locate(run.soql, alias, locate(run.soql, text)),
      'only aggregate expressions use field aliasing',
    );
  }
  addPath(nodes, resolvePath(scope, text));
}

/** Functions whose value is the field's, shown another way: a picklist's label, the formatted value. */
const DISPLAY_FUNCTIONS = new Set(['tolabel', 'format', 'convertcurrency']);

/** FIELDS(), toLabel()/FORMAT()/convertCurrency(), and the functions a plain SELECT refuses. */
function planFunction(
  run: Run,
  query: Query,
  f: SelectItem<'FieldFunctionExpression'>,
  schema: ObjectSchema,
  scope: PathScope,
  nodes: Node[],
): void {
  const name = f.functionName.toLowerCase();
  if (name === 'fields') planFieldsMacro(run, query, f, schema, nodes);
  else if (DISPLAY_FUNCTIONS.has(name)) planDisplayFunction(run, f, scope, nodes);
  else refuseFunction(run, f, scope);
}

/** FIELDS(ALL | STANDARD | CUSTOM): the object's fields of that kind. */
function planFieldsMacro(
  run: Run,
  query: Query,
  f: SelectItem<'FieldFunctionExpression'>,
  schema: ObjectSchema,
  nodes: Node[],
): void {
  // FIELDS() arrived in API 51.0; earlier versions do not know the word.
  if (Number.parseFloat(run.version) < 51) {
    throw malformed(run.soql, locate(run.soql, 'FIELDS'), `unexpected token: '('`);
  }
  const which = String(f.parameters[0] ?? '');
  const bounded = which.toUpperCase() === 'STANDARD';
  // FIELDS(ALL) and FIELDS(CUSTOM) are unbounded: the API wants LIMIT ≤ 200.
  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_fields.htm
  if (!bounded && (query.limit === undefined || query.limit > FIELDS_LIMIT)) {
    throw malformed(
      run.soql,
      locate(run.soql, 'FIELDS'),
      `The SOQL FIELDS function must have a LIMIT of at most ${FIELDS_LIMIT}`,
    );
  }
  for (const field of fieldsMacro(schema, which)) {
    if (nodes.some((n) => n.kind === 'field' && n.key === field.name)) throw duplicate(field.name);
    nodes.push({ kind: 'field', key: field.name, fromName: false });
  }
}

/**
 * toLabel() reads picklist labels; FORMAT() and convertCurrency() are the identity in this org (one
 * locale, one currency).
 */
function planDisplayFunction(
  run: Run,
  f: SelectItem<'FieldFunctionExpression'>,
  scope: PathScope,
  nodes: Node[],
): void {
  const param = f.parameters[0];
  if (typeof param !== 'string')
    throw malformed(run.soql, locate(run.soql, f.functionName), 'unexpected token');
  const path = resolvePath(scope, param);
  const labels =
    f.functionName.toLowerCase() === 'tolabel' && path.field.picklistValues
      ? new Map(path.field.picklistValues.map((p) => [p.value, p.label]))
      : undefined;
  addPath(nodes, path, labels);
}

/** Any other function in a plain SELECT: a date function wants GROUP BY, the rest are unknown. */
function refuseFunction(run: Run, f: SelectItem<'FieldFunctionExpression'>, scope: PathScope): never {
  // A field of an unsupported function is checked first, so an unknown one reads as on the platform.
  const first = f.parameters[0];
  if (typeof first === 'string' && /^[A-Za-z_][\w.]*$/.test(first)) resolvePath(scope, first);
  if (f.functionName.toUpperCase() in DATE_FUNCTIONS) {
    throw malformed(
      run.soql,
      locate(run.soql, f.functionName),
      `Field must be grouped or aggregated: ${f.rawValue ?? f.functionName}`,
    );
  }
  throw malformed(run.soql, locate(run.soql, f.functionName), `unexpected token: '${f.functionName}'`);
}

/** A child subquery through one of the object's child relationships. */
function planSubquery(
  run: Run,
  query: Query,
  f: SelectItem<'FieldSubquery'>,
  schema: ObjectSchema,
  depth: number,
  nodes: Node[],
): void {
  // From API 58.0 a query may nest child subqueries four levels below its root; before, one.
  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_limits.htm
  if (depth >= maxChildDepth(run)) {
    throw malformed(
      run.soql,
      locate(run.soql, f.subquery.relationshipName),
      depth >= NO_CHILDREN
        ? `unexpected token: '('`
        : `SOQL statements cannot query more than ${maxChildDepth(run) + 1} levels of parent-to-child relationships`,
    );
  }
  if (++run.counters.childRelationships > MAX_CHILD_RELATIONSHIPS) {
    throw malformed(
      run.soql,
      locate(run.soql, f.subquery.relationshipName),
      `No more than ${MAX_CHILD_RELATIONSHIPS} parent-to-child relationships can be specified in a query`,
    );
  }
  const sub = f.subquery;
  const relName = sub.relationshipName;
  const lower = relName.toLowerCase();
  const rel = schema.childRelationships.find((c) => c.relationshipName?.toLowerCase() === lower);
  const child = rel ? run.ds.schema(rel.childSObject) : undefined;
  if (!rel || !child || !rel.relationshipName) {
    throw new QueryError(
      'INVALID_TYPE',
      located(
        run.soql,
        locate(run.soql, relName),
        `Didn't understand relationship '${relName}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      ),
    );
  }
  if (nodes.some((n) => n.kind === 'sub' && n.key === rel.relationshipName)) throw duplicate(relName);
  // A child subquery may skip rows only when its parent asks for one row.
  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_offset.htm
  if (sub.offset !== undefined && query.limit !== 1) {
    throw malformed(
      run.soql,
      locate(run.soql, 'OFFSET'),
      'OFFSET is only allowed in a subquery when the outer query has LIMIT 1',
    );
  }
  const { relationshipName: _rel, sObjectPrefix: _prefix, ...rest } = sub;
  const childQuery: Query = { ...rest, sObject: child.name };
  const refField = rel.field;
  const compiled = compileRows(run, childQuery, child, depth + 1);
  // Children are grouped by parent once per query, so a subquery costs one pass over the child object.
  let byParent: Map<string, Located[]> | undefined;
  const childrenOf = (parentId: string): Located[] => {
    // The lookup's index gives one parent's children in scan order (the rows the pass below groups).
    const indexed = byParent
      ? undefined
      : run.ds.indexed?.(child.name, refField, [parentId], { includeDeleted: run.includeDeleted });
    if (indexed) return indexed.map((record) => ({ objectName: child.name, record }));
    if (!byParent) {
      byParent = new Map();
      for (const record of run.ds.records(child.name, { includeDeleted: run.includeDeleted })) {
        const ref = normalize('id', record[refField]);
        if (typeof ref !== 'string') continue;
        const list = byParent.get(ref) ?? [];
        list.push({ objectName: child.name, record });
        byParent.set(ref, list);
      }
    }
    return byParent.get(parentId) ?? [];
  };
  nodes.push({
    kind: 'sub',
    key: rel.relationshipName,
    run: (parent) => {
      const parentId = normalize('id', parent.record['Id']);
      return compiled(() => true, typeof parentId === 'string' ? childrenOf(parentId) : []);
    },
  });
}

/** TYPEOF over a polymorphic relationship. */
function planTypeof(
  run: Run,
  f: SelectItem<'FieldTypeof'>,
  schema: ObjectSchema,
  scope: PathScope,
  nodes: Node[],
): void {
  const ref = findRelationship(schema, f.field);
  if (!ref || !ref.relationshipName || (ref.referenceTo?.length ?? 0) < 2) {
    throw invalidField(
      run.soql,
      f.field,
      `Didn't understand relationship '${f.field}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const cases = new Map<string, FieldSchema[]>();
  let otherwise: string[] = [];
  for (const c of f.conditions) {
    if (c.type === 'ELSE') {
      otherwise = c.fieldList.map((name) => {
        const field = findField(NAME_SCHEMA, name);
        if (!field) throw invalidField(run.soql, name, `No such column '${name}' on entity 'Name'.`);
        return field.name;
      });
      continue;
    }
    const target = run.ds.schema(c.objectType ?? '');
    const allowed = (ref.referenceTo ?? []).map((r) => r.toLowerCase());
    if (!target || !allowed.includes(target.name.toLowerCase())) {
      throw new QueryError(
        'INVALID_TYPE',
        located(
          run.soql,
          locate(run.soql, c.objectType ?? ''),
          `sObject type '${c.objectType ?? ''}' is not supported.`,
        ),
      );
    }
    const targetScope: PathScope = { ...scope, root: target, alias: undefined };
    cases.set(
      target.name.toLowerCase(),
      c.fieldList.map((name) => resolvePath(targetScope, name).field),
    );
  }
  nodes.push({
    kind: 'typeof',
    key: ref.relationshipName,
    hop: { field: ref, relationshipName: ref.relationshipName, target: NAME_SCHEMA, polymorphic: true },
    cases,
    otherwise,
  });
}

function materialize(run: Run, at: Located, type: string, nodes: readonly Node[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(run, type, at) };
  for (const node of nodes) {
    switch (node.kind) {
      case 'field': {
        const v = RecordResolver.read(at, node.key, node.fromName);
        out[node.key] =
          node.labels && typeof v === 'string'
            ? v
                .split(';')
                .map((part) => node.labels?.get(part) ?? part)
                .join(';')
            : v;
        break;
      }
      case 'rel': {
        const parent = run.resolver.byId(RecordResolver.read(at, node.hop.field.name, false));
        // A polymorphic parent is typed `Name` in the result; its URL names the real object.
        out[node.key] = parent
          ? materialize(run, parent, node.hop.polymorphic ? 'Name' : parent.objectName, node.children)
          : null;
        break;
      }
      case 'sub': {
        const result = node.run(at);
        out[node.key] =
          result.totalSize === 0
            ? null
            : { totalSize: result.totalSize, done: true, records: result.records };
        break;
      }
      case 'typeof': {
        const parent = run.resolver.byId(RecordResolver.read(at, node.hop.field.name, false));
        if (!parent) {
          out[node.key] = null;
          break;
        }
        const fields = node.cases.get(parent.objectName.toLowerCase());
        const o: Record<string, unknown> = { attributes: attributes(run, parent.objectName, parent) };
        if (fields) for (const f of fields) o[f.name] = RecordResolver.read(parent, f.name, false);
        else for (const name of node.otherwise) o[name] = RecordResolver.read(parent, name, true);
        out[node.key] = o;
        break;
      }
    }
  }
  return out;
}

/** Builds the WHERE predicate over located records. */
export function compileWhere(run: Run, query: Query, scope: PathScope): Pred<Located> | undefined {
  const tree = buildTree(query.where, run.soql);
  if (!tree) return undefined;
  const leaf = (cond: RawCondition): Pred<Located> => {
    const operand = whereOperand(run, scope, cond);
    return compileCondition(run, cond, operand, (sub) => semiJoin(run, sub, scope.root));
  };
  return compileTree(tree, leaf, run.soql);
}

function whereOperand(run: Run, scope: PathScope, cond: RawCondition): Operand<Located> {
  if (cond.fn) {
    const name = cond.fn.functionName ?? '';
    const param = dateParam(cond.fn.parameters?.[0]);
    if (
      cond.fn.parameters?.length !== 1 ||
      typeof param !== 'string' ||
      !(name.toUpperCase() in DATE_FUNCTIONS)
    ) {
      throw malformed(run.soql, locate(run.soql, name), `unexpected token: '${name}'`);
    }
    const path = resolvePath(scope, param);
    return dateFunctionOperand(run, name, path, (row) => run.resolver.value(row, path));
  }
  const path = resolvePath(scope, cond.field ?? '');
  return {
    name: path.field.name,
    type: path.field.type,
    filterable: path.field.filterable,
    caseSensitive: path.field.unique === true && path.field.caseSensitive === true,
    get: (row) => run.resolver.value(row, path),
  };
}

/** Evaluates a semi-join or anti-join subquery to the set of (18-character) ids it selects. */
function semiJoin(run: Run, sub: Query, outer: ObjectSchema): Set<string> {
  const schema = schemaOrThrow(run, sub.sObject);
  if (schema.name === outer.name) {
    throw malformed(
      run.soql,
      locate(run.soql, 'SELECT', 1),
      'The inner and outer selects should not be on the same object type',
    );
  }
  const fields = sub.fields ?? [];
  const only = fields[0];
  if (fields.length !== 1 || !only || (only.type !== 'Field' && only.type !== 'FieldRelationship')) {
    throw malformed(
      run.soql,
      locate(run.soql, 'SELECT', 1),
      'Semi join sub-selects can only select one field',
    );
  }
  if (containsSemiJoin(sub)) {
    throw malformed(
      run.soql,
      locate(run.soql, 'SELECT', 1),
      'Nesting of semi join sub-selects is not supported',
    );
  }
  const scope: PathScope = { soql: run.soql, ds: run.ds, root: schema, alias: sub.sObjectAlias };
  const text = only.type === 'Field' ? only.field : (only.rawValue ?? only.field);
  const path = resolvePath(scope, text);
  if (kindOf(path.field.type) !== 'id') {
    throw invalidField(
      run.soql,
      text,
      `Invalid field for semi/anti join: ${path.field.name}. The selected field in the subquery must be an Id or reference field.`,
    );
  }
  if (sub.offset !== undefined) {
    throw malformed(run.soql, locate(run.soql, 'OFFSET'), 'OFFSET is not allowed in a semi join sub-select');
  }
  const ids = new Set<string>();
  for (const at of rowsOf(run, sub, schema)) {
    const n = normalize('id', run.resolver.value(at, path));
    if (typeof n === 'string') ids.add(n);
  }
  return ids;
}

function containsSemiJoin(q: Query): boolean {
  let found = false;
  const walk = (c: unknown): void => {
    if (!c || typeof c !== 'object') return;
    const o = c as { left?: { valueQuery?: unknown }; right?: unknown };
    if (o.left?.valueQuery) found = true;
    walk(o.right);
  };
  walk(q.where);
  return found;
}

/** The located records of a (sub)query that pass its WHERE, unsorted. */
function rowsOf(run: Run, query: Query, schema: ObjectSchema): Located[] {
  const scope: PathScope = { soql: run.soql, ds: run.ds, root: schema, alias: query.sObjectAlias };
  // A semi-join's own WHERE is planned like a query's (`… IN (SELECT AccountId FROM Contact WHERE
  // Email IN (…))` reads the Email index); the whole WHERE still applies to the candidates.
  const candidates = idCandidates(run, query, schema)?.();
  const source = candidates ? { rows: candidates } : allRows(run, schema);
  return kept(source.rows, [compileWhere(run, query, scope), source.canRead]);
}

/**
 * Every row of the object the query may see (deleted ones only for queryAll). For a user whose
 * sharing is checked row by row, the rows come unchecked with the check apart, to run last: only on
 * the rows every other filter keeps (the same answer as checking first, at a fraction of the cost).
 */
function allRows(run: Run, schema: ObjectSchema): { rows: Iterable<Located>; canRead?: Pred<Located> } {
  const options = { includeDeleted: run.includeDeleted };
  const toCheck = run.ds.recordsToCheck?.(schema.name, options);
  if (toCheck) {
    return {
      rows: locatedRows(toCheck.records, schema.name),
      canRead: (at) => toCheck.canRead(at.record),
    };
  }
  return { rows: locatedRows(run.ds.records(schema.name, options), schema.name) };
}

/** The rows every filter keeps (an absent filter keeps all), in the source's order. */
function kept(source: Iterable<Located>, filters: readonly (Pred<Located> | undefined)[]): Located[] {
  const active = filters.filter((p): p is Pred<Located> => p !== undefined);
  const out: Located[] = [];
  for (const at of source) if (active.every((p) => p(at))) out.push(at);
  return out;
}

function sortKeys(run: Run, query: Query, scope: PathScope): SortKey<Located>[] {
  return orderClauses(query).map((clause) => {
    const desc = clause.order === 'DESC';
    const nullsFirst = clause.nulls ? clause.nulls === 'FIRST' : !desc;
    if ('fn' in clause) {
      const name = clause.fn.functionName ?? '';
      const param = dateParam(clause.fn.parameters?.[0]);
      if (typeof param === 'string' && name.toUpperCase() in DATE_FUNCTIONS) {
        const path = resolvePath(scope, param);
        const operand = dateFunctionOperand(run, name, path, (row: Located) => run.resolver.value(row, path));
        return { get: (row: Located) => operand.get(row), desc, nullsFirst };
      }
      throw malformed(run.soql, locate(run.soql, name), `unexpected token: '${name}'`);
    }
    const path = resolvePath(scope, clause.field);
    if (!path.field.sortable) {
      throw invalidField(
        run.soql,
        clause.field,
        `field '${path.field.name}' can not be sorted in a query call`,
      );
    }
    const kind = kindOf(path.field.type);
    const rank = picklistRank(path.field);
    return {
      get: (row: Located) => {
        const v = normalize(kind, run.resolver.value(row, path));
        return rank && typeof v === 'string' ? rank(v) : v;
      },
      desc,
      nullsFirst,
    };
  });
}

/**
 * Picklists sort in the order their values are defined, not alphabetically; values outside the list
 * come after the defined ones.
 */
function picklistRank(field: FieldSchema): ((upper: string) => string) | undefined {
  if (field.type !== 'picklist' || !field.picklistValues || field.picklistValues.length === 0)
    return undefined;
  const index = new Map(field.picklistValues.map((p, i) => [p.value.toUpperCase(), i]));
  return (upper) => {
    const i = index.get(upper);
    return i === undefined ? `~${upper}` : String(i).padStart(6, '0');
  };
}

function checkLimits(run: Run, query: Query): void {
  if (query.offset !== undefined && query.offset > MAX_OFFSET) {
    // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_offset.htm
    throw new QueryError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
  }
  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_for_update.htm
  if (query.for === 'UPDATE' && query.orderBy !== undefined) {
    throw malformed(
      run.soql,
      locate(run.soql, 'ORDER'),
      'ORDER BY is not allowed in a query that uses locking (FOR UPDATE)',
    );
  }
  if (query.withDataCategory) {
    throw malformed(run.soql, locate(run.soql, 'DATA'), `unexpected token: 'DATA'`);
  }
}

/** Applies USING SCOPE: `mine` keeps the running user's records; `everything` and others keep all. */
function scopeFilter(run: Run, query: Query): Pred<Located> | undefined {
  const using = query.usingScope?.toLowerCase();
  if (using === undefined || using === 'everything' || using === 'team' || using === 'delegated')
    return undefined;
  if (using === 'mine' || using === 'mineandmyqueues') {
    const me = normalize('id', run.ds.userId);
    return (row) => normalize('id', row.record['OwnerId']) === me;
  }
  throw malformed(
    run.soql,
    locate(run.soql, query.usingScope ?? ''),
    `unexpected token: '${query.usingScope ?? ''}'`,
  );
}

/**
 * Compiles a (sub)query into a function that, given an extra row filter (the parent link of a child
 * subquery), yields its result. Validation happens once, at compile time, so an invalid subquery
 * fails even when no parent row exists.
 */
export function compileRows(
  run: Run,
  query: Query,
  schema: ObjectSchema,
  depth: number,
): (extra: Pred<Located>, candidates?: readonly Located[]) => SoqlResult {
  const isSub = depth > 0;
  checkLimits(run, query);
  const scope: PathScope = {
    soql: run.soql,
    ds: run.ds,
    root: schema,
    alias: query.sObjectAlias,
    ...(isSub || !run.relationshipAliases ? {} : { relationshipAliases: run.relationshipAliases }),
  };
  if (isAggregateQuery(query)) {
    if (isSub)
      throw malformed(
        run.soql,
        locate(run.soql, 'GROUP'),
        'Aggregate queries are not supported in subqueries',
      );
    return (extra) => aggregate(run, query, scope, rowsWith(run, query, schema, scope, extra));
  }
  const nodes = planSelect(run, query, schema, scope, depth);
  const keys = sortKeys(run, query, scope);
  const where = compileWhere(run, query, scope);
  const using = scopeFilter(run, query);
  const byIds = isSub ? undefined : idCandidates(run, query, schema);
  return (extra, candidates) => {
    const given = candidates ?? byIds?.();
    const source = given ? { rows: given } : allRows(run, schema);
    let rows = kept(source.rows, [extra, where, using, source.canRead]);
    rows = sortRows(rows, keys);
    const start = query.offset ?? 0;
    const end = query.limit === undefined ? undefined : start + query.limit;
    rows = rows.slice(start, end);
    return { totalSize: rows.length, records: rows.map((r) => materialize(run, r, schema.name, nodes)) };
  };
}

/**
 * When WHERE pins Id to literal ids (`Id = '…'`, `Id IN (…)`, alone or ANDed), the rows are read by id
 * instead of scanning the object; likewise for an equality or IN on a field the data source indexes
 * (Email, lookups, External ID and unique fields, as Salesforce indexes them:
 * https://developer.salesforce.com/docs/platform/salesforce-large-data-volumes-bp/guide/ldv-deployments-infrastructure-indexes.html).
 * The candidates come in scan order and the whole WHERE still applies to them, so the answer is the
 * scan's; anything else (OR, NOT, null, '', a path through a relationship) scans.
 */
function idCandidates(
  run: Run,
  query: Query,
  schema: ObjectSchema,
): (() => Located[] | undefined) | undefined {
  const tree = buildTree(query.where, run.soql);
  if (!tree) return undefined;
  const conds =
    tree.kind === 'cond'
      ? [tree.cond]
      : tree.kind === 'and'
        ? tree.items.flatMap((i) => (i.kind === 'cond' ? [i.cond] : []))
        : [];
  const alias = query.sObjectAlias?.toLowerCase();
  let byField: (() => Located[] | undefined) | undefined;
  for (const c of conds) {
    let field = c.field?.toLowerCase();
    if (field !== undefined && alias !== undefined && field.startsWith(`${alias}.`))
      field = field.slice(alias.length + 1);
    if (!field || field.includes('.') || c.valueQuery || c.fn) continue;
    if (c.operator !== '=' && c.operator.toUpperCase() !== 'IN') continue;
    const values = Array.isArray(c.value) ? c.value : c.value === undefined ? [] : [c.value];
    const types = Array.isArray(c.literalType) ? c.literalType : [c.literalType];
    if (values.length === 0 || types.some((t) => t !== 'STRING')) continue;
    if (field !== 'id') {
      byField ??= fieldCandidates(run, schema, field, values);
      continue;
    }
    const ids: string[] = [];
    for (const v of values) {
      let id: string | undefined;
      try {
        id = to18(stringValue(v));
      } catch {
        id = undefined;
      }
      if (!id) return undefined;
      ids.push(id);
    }
    // An id the data source files elsewhere (a view's row shares its table's ids) or does not know
    // sends the query back to a scan, which is always right.
    return () => {
      const out: Located[] = [];
      for (const id of new Set(ids)) {
        const found = run.ds.byId(id);
        if (!found || found.objectName !== schema.name) return undefined;
        if (!run.includeDeleted && found.record['IsDeleted'] === true) continue;
        out.push({ objectName: schema.name, record: found.record });
      }
      // Ids grow with creation, so this keeps the order a scan would give.
      return out.sort((a, b) => (String(a.record['Id']) < String(b.record['Id']) ? -1 : 1));
    };
  }
  return byField ?? plannedCandidates(run, tree, schema, query.sObjectAlias);
}

/**
 * The rows the data source's indexes allow for a WHERE the look-ups above cannot narrow (an OR of
 * indexed branches, a range on a datetime, `= null`), or undefined to scan. Same rows, same order as
 * the scan gives before the WHERE applies to them.
 */
function plannedCandidates(
  run: Run,
  tree: BoolTree,
  schema: ObjectSchema,
  alias: string | undefined,
): (() => Located[] | undefined) | undefined {
  if (!run.ds.candidates) return undefined;
  const plan = indexPlan(tree, schema, alias);
  if (!plan) return undefined;
  return () =>
    run.ds
      .candidates?.(schema.name, plan, { includeDeleted: run.includeDeleted })
      ?.map((record) => ({ objectName: schema.name, record }));
}

/** The rows an index gives for `field = …`/`field IN (…)`, or undefined to scan. */
function fieldCandidates(
  run: Run,
  schema: ObjectSchema,
  fieldLower: string,
  values: readonly string[],
): (() => Located[] | undefined) | undefined {
  if (!run.ds.indexed) return undefined;
  const field = schema.fields.find((f) => f.name.toLowerCase() === fieldLower);
  if (!field) return undefined;
  const kind = kindOf(field.type);
  if (kind !== 'text' && kind !== 'id') return undefined;
  const keys: string[] = [];
  for (const v of values) {
    let key: ReturnType<typeof normalize>;
    try {
      key = normalize(kind, stringValue(v));
    } catch {
      return undefined;
    }
    // '' and null match the rows without a value, which no index holds.
    if (typeof key !== 'string') return undefined;
    keys.push(key);
  }
  return () =>
    run.ds
      .indexed?.(schema.name, field.name, keys, { includeDeleted: run.includeDeleted })
      ?.map((record) => ({
        objectName: schema.name,
        record,
      }));
}

function* locatedRows(records: Iterable<StoredRecord>, objectName: string): Iterable<Located> {
  for (const record of records) yield { objectName, record };
}

/** The rows an aggregate query groups: its WHERE and USING SCOPE, and the caller's filter. */
function rowsWith(
  run: Run,
  query: Query,
  schema: ObjectSchema,
  scope: PathScope,
  extra: Pred<Located>,
): Located[] {
  const source = allRows(run, schema);
  return kept(source.rows, [extra, compileWhere(run, query, scope), scopeFilter(run, query), source.canRead]);
}

const CLAUSE_KEYWORDS = new Set([
  'WHERE',
  'WITH',
  'GROUP',
  'ORDER',
  'LIMIT',
  'OFFSET',
  'FOR',
  'UPDATE',
  'USING',
  'HAVING',
]);

/**
 * The relationship-alias FROM list (`SELECT COUNT() FROM Contact, Contact.Account WHERE …`,
 * `FROM Contact c, c.Account a`), which the parser does not read: the extra items only name paths,
 * so they are cut from the text and kept as aliases.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_count.htm
 */
export function splitFromList(soql: string): { text: string; aliases: Map<string, string[]> } | undefined {
  let depth = 0;
  let fromAt = -1;
  for (let i = 0; i < soql.length && fromAt < 0; i++) {
    const c = soql[i] as string;
    if (c === "'") {
      for (i++; i < soql.length && soql[i] !== "'"; i++) if (soql[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /^from\b/i.test(soql.slice(i, i + 5)) && !/[\w.]/.test(soql[i - 1] ?? ' '))
      fromAt = i + 4;
  }
  if (fromAt < 0) return undefined;
  const ident = /^\s*([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)/;
  const aliasOf = (rest: string): { alias?: string; length: number } => {
    const m = /^\s+(?:AS\s+)?([A-Za-z_]\w*)/i.exec(rest);
    if (!m || CLAUSE_KEYWORDS.has((m[1] as string).toUpperCase())) return { length: 0 };
    return { alias: m[1] as string, length: m[0].length };
  };
  let pos = fromAt;
  const first = ident.exec(soql.slice(pos));
  if (!first) return undefined;
  pos += first[0].length;
  const objectName = (first[1] as string).toLowerCase();
  const mainAlias = aliasOf(soql.slice(pos));
  pos += mainAlias.length;
  const cutFrom = pos;
  const aliases = new Map<string, string[]>();
  let any = false;
  for (;;) {
    const comma = /^\s*,/.exec(soql.slice(pos));
    if (!comma) break;
    const item = ident.exec(soql.slice(pos + comma[0].length));
    if (!item) return undefined;
    any = true;
    pos += comma[0].length + item[0].length;
    const segments = (item[1] as string).split('.');
    const head = (segments[0] ?? '').toLowerCase();
    if (head === objectName || head === mainAlias.alias?.toLowerCase()) segments.shift();
    const a = aliasOf(soql.slice(pos));
    pos += a.length;
    if (a.alias) aliases.set(a.alias.toLowerCase(), segments);
  }
  if (!any) return undefined;
  return { text: soql.slice(0, cutFrom) + soql.slice(pos), aliases };
}

export function executeSoql(soql: string, source: QueryDataSource, options: SoqlOptions): SoqlResult {
  const ds = source.forRunningUser?.() ?? source;
  try {
    return executeSoqlUnguarded(soql, ds, options);
  } catch (e) {
    if (e instanceof QueryError) throw e;
    return rethrowTooComplicated(e);
  }
}

function executeSoqlUnguarded(soql: string, ds: QueryDataSource, options: SoqlOptions): SoqlResult {
  let query: Query;
  let relationshipAliases: Map<string, string[]> | undefined;
  try {
    query = parseSoql(soql);
  } catch (e) {
    const list = splitFromList(soql);
    if (!list) throw e;
    query = parseSoql(list.text);
    relationshipAliases = list.aliases;
  }
  const run: Run = {
    ...(relationshipAliases ? { relationshipAliases } : {}),
    counters: { childRelationships: 0 },
    soql,
    ds,
    now: options.now ?? new Date(),
    includeDeleted: options.includeDeleted,
    version: options.apiVersion.replace(/^v/i, ''),
    resolver: new RecordResolver(ds, options.includeDeleted),
  };
  const schema = schemaOrThrow(run, query.sObject);
  if (schema.name === 'UserRecordAccess') checkRecordAccessQuery(soql);
  return compileRows(run, query, schema, 0)(() => true);
}

/**
 * UserRecordAccess is asked about one user and at most 200 records
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userrecordaccess.htm).
 */
function checkRecordAccessQuery(soql: string): void {
  const inList = /\bRecordId\s+IN\s*\(([^)]*)\)/i.exec(soql);
  if (!/\bUserId\s*=/i.test(soql) || (!/\bRecordId\s*=/i.test(soql) && !inList)) {
    throw new QueryError(
      'MALFORMED_QUERY',
      'UserRecordAccess: the query must filter on UserId = and on RecordId = or RecordId IN',
    );
  }
  if (inList && inList[1]!.split(',').length > 200) {
    throw new QueryError('MALFORMED_QUERY', 'UserRecordAccess: at most 200 RecordId values can be queried');
  }
}

export type { FieldType };
