/**
 * The UI API GraphQL endpoint's executor: a document parsed by graphql-js (the reference
 * implementation), walked against the org's object model, each record connection translated to one
 * SOQL query and run on the local org's query engine as the running user.
 *
 * Shape: `query { uiapi { query { Object(where, orderBy, first, after) { edges { cursor node { Id
 * Field { value displayValue } Parent { Field { value } } } } totalCount pageInfo { … } } } } }`
 * (https://developer.salesforce.com/docs/platform/graphql/guide/query-record-objects.html,
 * https://developer.salesforce.com/docs/platform/graphql/guide/paginate.html).
 * Errors: HTTP 200 with an `errors` list whose `extensions.ErrorType` is InvalidSyntax,
 * ValidationError, DataFetchingException, OperationNotSupported or ExecutionAborted
 * (https://developer.salesforce.com/docs/platform/graphql/guide/query-status.html).
 */
import {
  GraphQLError,
  Kind,
  parse,
  print,
  valueFromASTUntyped,
  type ASTNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type TypeNode,
} from 'graphql';
import type { FieldSchema, ObjectSchema } from '../schema/types.ts';
import { FilterError, fieldOf, orderByToSoql, parentOf, whereToSoql } from './filter.ts';

export type ErrorType =
  | 'InvalidSyntax'
  | 'ValidationError'
  | 'DataFetchingException'
  | 'OperationNotSupported'
  | 'ExecutionAborted';

export interface FormattedError {
  message: string;
  locations: { line: number; column: number }[];
  path?: (string | number)[];
  extensions: { ErrorType: ErrorType };
}

export interface GraphqlResponse {
  data?: unknown;
  errors?: FormattedError[];
}

export interface GraphqlContext {
  /** The request's API version, e.g. "66.0". */
  readonly apiVersion: string;
  readonly schema: (objectName: string) => ObjectSchema | undefined;
  /** Runs SOQL as the request's user (the REST /query route's path), throwing Salesforce's errors. */
  readonly runSoql: (soql: string) => { totalSize: number; records: object[] };
}

/** GraphQL is in the API from v56.0 (https://developer.salesforce.com/docs/platform/graphql/guide/query-limits.html). */
export const GRAPHQL_MIN_VERSION = 56;
/** Event and Task from v59.0 (same page). */
const ACTIVITIES_MIN_VERSION = 59;
/** "Each GraphQL query can contain up to 10 subqueries" (same page). */
const MAX_CONNECTIONS = 10;
/** "Each subquery can return up to 2000 records"; "by default, the first 10 records are returned". */
const MAX_FIRST = 2000;
const DEFAULT_FIRST = 10;

/** Per polymorphic relationship, the fields to read for each object it may point to. */
type Typeofs = Map<string, Map<string, Set<string>>>;

class Failure extends Error {
  readonly errorType: ErrorType;
  readonly nodes: readonly ASTNode[];
  readonly path: (string | number)[] | undefined;
  /** Where no AST node exists (a syntax error), graphql-js's own line and column. */
  readonly at: readonly { line: number; column: number }[] | undefined;
  constructor(
    errorType: ErrorType,
    message: string,
    nodes: readonly ASTNode[],
    path?: (string | number)[],
    at?: readonly { line: number; column: number }[],
  ) {
    super(message);
    this.errorType = errorType;
    this.nodes = nodes;
    this.path = path;
    this.at = at;
  }
}

function format(e: Failure): FormattedError {
  const g = new GraphQLError(e.message, { nodes: e.nodes });
  return {
    message: e.message,
    locations: [...(e.at ?? g.locations ?? [])],
    ...(e.path ? { path: e.path } : {}),
    extensions: { ErrorType: e.errorType },
  };
}

/**
 * graphql-java's wording (the engine Salesforce's error types come from): "Validation error
 * (FieldUndefined@[uiapi/query/Event/edges/node/Foo]) : Field 'Foo' in type 'Event' is undefined".
 */
function validation(kind: string, path: string[], message: string, node: ASTNode): Failure {
  return new Failure('ValidationError', `Validation error (${kind}@[${path.join('/')}]) : ${message}`, [
    node,
  ]);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Runs one GraphQL request body `{ query, variables?, operationName? }`. */
export function executeGraphql(body: unknown, ctx: GraphqlContext): GraphqlResponse {
  try {
    return new Execution(body, ctx).run();
  } catch (e) {
    if (e instanceof Failure) return { errors: [format(e)] };
    throw e;
  }
}

interface Connection {
  /** Response path, with aliases, e.g. ['uiapi', 'query', 'Event']. */
  path: string[];
  node: FieldNode;
  schema: ObjectSchema;
  soql: string;
  offset: number;
  first: number;
  /** Paging with an upper-bound limit: no record past this many is reachable. */
  upperBound: number | undefined;
  selections: FieldNode[];
}

class Execution {
  readonly #ctx: GraphqlContext;
  readonly #document: DocumentNode;
  readonly #fragments = new Map<string, FragmentDefinitionNode>();
  readonly #variables: Record<string, unknown>;
  readonly #operation: OperationDefinitionNode;
  readonly #connections: Connection[] = [];
  /** Each planned connection's response path, with the printed field that asked for it. */
  readonly #planned = new Map<string, string>();

  constructor(body: unknown, ctx: GraphqlContext) {
    this.#ctx = ctx;
    const request = isObject(body) ? body : {};
    const query = request.query;
    if (typeof query !== 'string' || query.trim() === '') {
      throw new Failure('InvalidSyntax', 'Invalid Syntax : the request has no query string', []);
    }
    try {
      this.#document = parse(query);
    } catch (e) {
      if (e instanceof GraphQLError) {
        throw new Failure('InvalidSyntax', `Invalid Syntax : ${e.message}`, [], undefined, e.locations);
      }
      throw e;
    }
    const operations: OperationDefinitionNode[] = [];
    for (const def of this.#document.definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) this.#fragments.set(def.name.value, def);
      else if (def.kind === Kind.OPERATION_DEFINITION) operations.push(def);
      else throw new Failure('ValidationError', 'Only executable definitions are allowed', [def]);
    }
    const name = request.operationName;
    let operation: OperationDefinitionNode | undefined;
    if (typeof name === 'string' && name !== '') {
      operation = operations.find((o) => o.name?.value === name);
      if (!operation) throw new Failure('OperationNotSupported', `Unknown operation named '${name}'.`, []);
    } else if (operations.length === 1) {
      operation = operations[0];
    } else {
      throw new Failure(
        'OperationNotSupported',
        'Must provide operation name if query contains multiple operations.',
        operations,
      );
    }
    this.#operation = operation!;
    if (this.#operation.operation !== 'query') {
      throw new Failure(
        'OperationNotSupported',
        `The local org does not run GraphQL ${this.#operation.operation} operations`,
        [this.#operation],
      );
    }
    this.#variables = this.#coerceVariables(isObject(request.variables) ? request.variables : {});
  }

  #coerceVariables(given: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const def of this.#operation.variableDefinitions ?? []) {
      const name = def.variable.name.value;
      let value = given[name];
      if (value === undefined && def.defaultValue) value = valueFromASTUntyped(def.defaultValue);
      if ((value === undefined || value === null) && def.type.kind === Kind.NON_NULL_TYPE) {
        throw new Failure(
          'ValidationError',
          `Variable '${name}' has an invalid value: Variable '${name}' has coerced Null value for NonNull type '${typeText(def.type)}'`,
          [def],
        );
      }
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  /** The value of an argument, variables resolved (an unset variable leaves the argument unset). */
  #value(node: FieldNode, name: string, expected?: string, schema?: ObjectSchema): unknown {
    const arg = node.arguments?.find((a) => a.name.value === name);
    if (!arg) return undefined;
    if (arg.value.kind === Kind.VARIABLE) {
      const v = arg.value.name.value;
      const def = (this.#operation.variableDefinitions ?? []).find((d) => d.variable.name.value === v);
      if (!def) throw new Failure('ValidationError', `Variable '${v}' is undefined`, [arg.value]);
      // A variable's declared type must be the argument's (`$taskWhere: Task_Filter` cannot filter
      // Event), as GraphQL validation requires; a non-null variable fits a nullable argument.
      const declared = typeText(def.type).replace(/!$/, '');
      if (expected && declared !== expected) {
        throw new Failure(
          'ValidationError',
          `Validation error (VariableTypeMismatch@[${node.name.value}]) : Variable type '${typeText(def.type)}' does not match expected type '${expected}'`,
          [arg.value],
        );
      }
      return this.#variables[v];
    }
    this.#checkVariables(arg.value);
    if (name === 'where' && schema) this.#checkFilterVariables(arg.value, schema);
    return valueFromASTUntyped(arg.value, this.#variables);
  }

  /**
   * Variables inside a literal filter must be declared with the operand's type: an id or reference
   * field compares with `ID`, a text field with `String` (`WhoId: { eq: $recordId }` needs
   * `$recordId: ID`). Only these unambiguous scalars are checked; other operand types are not.
   */
  #checkFilterVariables(node: ASTNode, schema: ObjectSchema): void {
    if (node.kind !== Kind.OBJECT) return;
    for (const f of node.fields) {
      const key = f.name.value;
      if (key === 'and' || key === 'or') {
        const items = f.value.kind === Kind.LIST ? f.value.values : [f.value];
        items.forEach((v) => this.#checkFilterVariables(v, schema));
        continue;
      }
      if (key === 'not') {
        this.#checkFilterVariables(f.value, schema);
        continue;
      }
      const field = fieldOf(schema, key);
      if (!field) {
        const rel = parentOf(schema, key, (x) => this.#ctx.schema(x));
        if (rel?.parent) this.#checkFilterVariables(f.value, rel.parent);
        continue;
      }
      const scalar = operandScalar(field);
      if (!scalar || f.value.kind !== Kind.OBJECT) continue;
      for (const op of f.value.fields) {
        if ((op.name.value === 'inq' || op.name.value === 'ninq') && op.value.kind === Kind.OBJECT) {
          for (const sub of op.value.fields) {
            const joined = sub.name.value === 'ApiName' ? undefined : this.#ctx.schema(sub.name.value);
            if (joined) this.#checkFilterVariables(sub.value, joined);
          }
          continue;
        }
        const list = op.name.value === 'in' || op.name.value === 'nin';
        const operands = list && op.value.kind === Kind.LIST ? op.value.values : [op.value];
        for (const operand of operands) {
          if (operand.kind !== Kind.VARIABLE) continue;
          const def = (this.#operation.variableDefinitions ?? []).find(
            (d) => d.variable.name.value === operand.name.value,
          );
          if (!def) continue;
          const declared = typeText(def.type).replace(/!/g, '');
          const wanted = list && op.value.kind === Kind.VARIABLE ? `[${scalar}]` : scalar;
          if (
            ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'like', 'in', 'nin'].includes(op.name.value) &&
            declared !== wanted
          ) {
            throw new Failure(
              'ValidationError',
              `Validation error (VariableTypeMismatch@[${key}/${op.name.value}]) : Variable type '${typeText(def.type)}' does not match expected type '${wanted}'`,
              [operand],
            );
          }
        }
      }
    }
  }

  #declared(name: string): boolean {
    return (this.#operation.variableDefinitions ?? []).some((d) => d.variable.name.value === name);
  }

  #checkVariables(node: ASTNode): void {
    if (node.kind === Kind.VARIABLE) {
      if (!this.#declared(node.name.value))
        throw new Failure('ValidationError', `Variable '${node.name.value}' is undefined`, [node]);
      return;
    }
    if (node.kind === Kind.LIST) node.values.forEach((v) => this.#checkVariables(v));
    if (node.kind === Kind.OBJECT) node.fields.forEach((f) => this.#checkVariables(f.value));
  }

  /** The fields of a selection set, fragments expanded and @skip/@include applied. */
  #fields(set: SelectionSetNode | undefined, typeName: string, seen = new Set<string>()): FieldNode[] {
    const out: FieldNode[] = [];
    for (const sel of set?.selections ?? []) {
      if (!this.#included(sel)) continue;
      if (sel.kind === Kind.FIELD) out.push(sel);
      else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const on = sel.typeCondition?.name.value;
        if (on === undefined || on === typeName) out.push(...this.#fields(sel.selectionSet, typeName, seen));
      } else {
        const name = sel.name.value;
        const frag = this.#fragments.get(name);
        if (!frag) throw new Failure('ValidationError', `Undefined fragment ${name}`, [sel]);
        if (seen.has(name))
          throw new Failure('ValidationError', `Fragment ${name} is used in a cycle`, [sel]);
        if (frag.typeCondition.name.value === typeName)
          out.push(...this.#fields(frag.selectionSet, typeName, new Set([...seen, name])));
      }
    }
    return out;
  }

  #included(node: { directives?: readonly DirectiveNode[] | undefined }): boolean {
    for (const d of node.directives ?? []) {
      const arg = d.arguments?.find((a) => a.name.value === 'if');
      if (!arg) continue;
      const v = valueFromASTUntyped(arg.value, this.#variables);
      if (d.name.value === 'skip' && v === true) return false;
      if (d.name.value === 'include' && v === false) return false;
    }
    return true;
  }

  run(): GraphqlResponse {
    // Plan every connection first: a validation error anywhere answers without data, as a
    // document that fails validation is never executed.
    const data = this.#planRoot();
    const errors: FormattedError[] = [];
    for (const c of this.#connections) {
      let result: { totalSize: number; records: object[] };
      try {
        result = this.#ctx.runSoql(c.soql);
      } catch (e) {
        const q = e as { errorCode?: unknown; message?: unknown };
        if (typeof q?.errorCode !== 'string') throw e;
        // The SOQL compiler's excerpt and caret point into SOQL the client never wrote: keep the reason.
        const reason = String(q.message).trim().split('\n').pop() ?? '';
        // A field or object the running user cannot see does not exist in their schema.
        if (q.errorCode === 'INVALID_FIELD' || q.errorCode === 'INVALID_TYPE') {
          return { errors: [format(unseen(q.errorCode, reason, c))] };
        }
        errors.push(format(new Failure('DataFetchingException', reason, [c.node], c.path)));
        setPath(data, c.path, null);
        continue;
      }
      setPath(data, c.path, this.#connectionValue(c, result));
    }
    return errors.length > 0 ? { data, errors } : { data };
  }

  #planRoot(): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    for (const f of this.#fields(this.#operation.selectionSet, 'Query')) {
      const key = responseKey(f);
      const name = f.name.value;
      if (name === '__typename') data[key] = 'Query';
      // The same response key twice is one field whose selections merge (GraphQL's field merging).
      else if (name === 'uiapi') data[key] = { ...asRecord(data[key]), ...this.#planUiapi(f, [key]) };
      else throw validation('FieldUndefined', [name], `Field '${name}' in type 'Query' is undefined`, f);
    }
    return data;
  }

  #planUiapi(node: FieldNode, path: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    requireSelection(node, 'UIAPI', path);
    for (const f of this.#fields(node.selectionSet, 'UIAPI')) {
      const key = responseKey(f);
      const name = f.name.value;
      if (name === '__typename') out[key] = 'UIAPI';
      else if (name === 'query')
        out[key] = { ...asRecord(out[key]), ...this.#planRecordQuery(f, [...path, key]) };
      else if (name === 'aggregate' || name === 'objectInfos' || name === 'relatedListByName') {
        throw new Failure(
          'ValidationError',
          `Validation error (FieldUndefined@[${[...path, name].join('/')}]) : the local org does not implement uiapi.${name}`,
          [f],
        );
      } else
        throw validation(
          'FieldUndefined',
          [...path, name],
          `Field '${name}' in type 'UIAPI' is undefined`,
          f,
        );
    }
    return out;
  }

  #planRecordQuery(node: FieldNode, path: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    requireSelection(node, 'RecordQuery', path);
    const version = Number.parseInt(this.#ctx.apiVersion, 10);
    for (const f of this.#fields(node.selectionSet, 'RecordQuery')) {
      const key = responseKey(f);
      const name = f.name.value;
      if (name === '__typename') {
        out[key] = 'RecordQuery';
        continue;
      }
      const schema = this.#ctx.schema(name);
      const known =
        schema !== undefined &&
        schema.name === name &&
        schema.queryable &&
        ((name !== 'Event' && name !== 'Task') || version >= ACTIVITIES_MIN_VERSION);
      if (!known) {
        throw validation(
          'FieldUndefined',
          [...path, name],
          `Field '${name}' in type 'RecordQuery' is undefined`,
          f,
        );
      }
      // One response key, one connection: the same field asked twice is answered once; two different
      // fields under one alias cannot be merged.
      const at = [...path, key];
      const printed = print(f);
      const before = this.#planned.get(at.join('/'));
      if (before !== undefined && before !== printed.replace(/^\w+\s*:\s*/, '')) {
        throw validation(
          'FieldsConflict',
          at,
          `'${key}' : fields have different selections, arguments or names and cannot be merged`,
          f,
        );
      }
      if (before === undefined) {
        this.#planned.set(at.join('/'), printed.replace(/^\w+\s*:\s*/, ''));
        this.#planConnection(f, schema, at);
      }
      out[key] = null;
    }
    return out;
  }

  #planConnection(node: FieldNode, schema: ObjectSchema, path: string[]): void {
    if (this.#connections.length >= MAX_CONNECTIONS) {
      throw new Failure(
        'ValidationError',
        `A GraphQL query can contain up to ${MAX_CONNECTIONS} subqueries`,
        [node],
      );
    }
    const args = this.#connectionArgs(node, schema, path, true);
    const typeofs: Typeofs = new Map();
    const { columns, selections } = this.#connectionColumns(node, schema, path, typeofs);
    // A polymorphic relationship is read with TYPEOF, one WHEN per object its fragments name.
    for (const [rel, byType] of typeofs) {
      // Only __typename asked: the Name object's Id and Type say what the parent is.
      if (byType.size === 0) {
        columns.add(`${rel}.Id`);
        columns.add(`${rel}.Type`);
        continue;
      }
      const whens = [...byType].map(([t, fields]) => `WHEN ${t} THEN ${[...fields].join(', ')}`);
      columns.add(`TYPEOF ${rel} ${whens.join(' ')} ELSE Id END`);
    }
    const clauses = [`SELECT ${[...columns].join(', ')} FROM ${schema.name}`];
    if (args.scope === 'MINE') clauses.push('USING SCOPE mine');
    if (args.where) clauses.push(`WHERE ${args.where}`);
    if (args.order) clauses.push(`ORDER BY ${args.order}`);
    this.#connections.push({
      path,
      node,
      schema,
      soql: clauses.join(' '),
      offset: args.offset,
      first: args.first,
      upperBound: args.upperBound,
      selections,
    });
  }

  /** A connection's arguments: filter and order as SOQL, the page asked for. */
  #connectionArgs(
    node: FieldNode,
    schema: ObjectSchema,
    path: string[],
    topLevel: boolean,
  ): {
    where: string;
    order: string;
    first: number;
    offset: number;
    scope: unknown;
    upperBound: number | undefined;
  } {
    const allowed = new Set([
      'where',
      'orderBy',
      'first',
      'after',
      ...(topLevel ? ['upperBound', 'scope'] : []),
    ]);
    for (const arg of node.arguments ?? []) {
      if (!allowed.has(arg.name.value)) {
        throw validation('UnknownArgument', path, `Unknown field argument '${arg.name.value}'`, arg);
      }
    }
    const lookup = (n: string) => this.#ctx.schema(n);
    let where = '';
    let order = '';
    try {
      where = whereToSoql(this.#value(node, 'where', `${schema.name}_Filter`, schema), schema, lookup);
      order = orderByToSoql(this.#value(node, 'orderBy', `${schema.name}_OrderBy`), schema, lookup);
    } catch (e) {
      if (e instanceof FilterError) {
        throw validation(
          / is undefined/.test(e.message) ? 'FieldUndefined' : 'WrongType',
          path,
          e.message,
          node,
        );
      }
      throw e;
    }
    const first = this.#value(node, 'first', 'Int') ?? DEFAULT_FIRST;
    if (typeof first !== 'number' || !Number.isInteger(first) || first < 0 || first > MAX_FIRST) {
      throw validation('WrongType', path, `argument 'first' must be an integer from 0 to ${MAX_FIRST}`, node);
    }
    const after = this.#value(node, 'after', 'String');
    let offset = 0;
    if (after !== undefined && after !== null) {
      const decoded = typeof after === 'string' ? Buffer.from(after, 'base64').toString('utf8') : '';
      const m = /^v1:(\d+)$/.exec(decoded);
      if (!m) throw new Failure('DataFetchingException', `Invalid cursor: ${String(after)}`, [node], path);
      offset = Number(m[1]) + 1;
    }
    const scope = this.#value(node, 'scope');
    if (scope !== undefined && scope !== null && scope !== 'MINE' && scope !== 'EVERYTHING') {
      throw validation('WrongType', path, `Unsupported scope ${JSON.stringify(scope)}`, node);
    }
    // With upperBound, `first` is the batch size, "from 200 to 2000 only"
    // (https://developer.salesforce.com/docs/platform/graphql/guide/paginate-use-upperbound.html).
    const bound = this.#value(node, 'upperBound', 'Int');
    let upperBound: number | undefined;
    if (bound !== undefined && bound !== null) {
      if (typeof bound !== 'number' || !Number.isInteger(bound) || bound < 1) {
        throw validation('WrongType', path, `argument 'upperBound' must be a positive integer`, node);
      }
      if (first < 200) {
        throw validation(
          'WrongType',
          path,
          `with upperBound, argument 'first' must be from 200 to ${MAX_FIRST}`,
          node,
        );
      }
      upperBound = bound;
    }
    return { where, order, first, offset, scope, upperBound };
  }

  /**
   * The columns a connection's selection needs, checked against the object now so that an unknown
   * field is a validation error. `typeofs` is given for a top-level connection only: polymorphic
   * relationships and child relationships are read from its nodes, not from a child connection's.
   */
  #connectionColumns(
    node: FieldNode,
    schema: ObjectSchema,
    path: string[],
    typeofs: Typeofs | undefined,
  ): { columns: Set<string>; selections: FieldNode[] } {
    const typeName = `${schema.name}Connection`;
    requireSelection(node, typeName, path);
    const columns = new Set<string>(['Id']);
    const selections = this.#fields(node.selectionSet, typeName);
    for (const f of selections) {
      const n = f.name.value;
      if (n === '__typename' || n === 'totalCount' || n === 'pageResultCount') continue;
      if (n === 'pageInfo') {
        this.#checkPageInfo(f, [...path, n]);
        continue;
      }
      if (n !== 'edges') {
        throw validation(
          'FieldUndefined',
          [...path, n],
          `Field '${n}' in type '${typeName}' is undefined`,
          f,
        );
      }
      requireSelection(f, `${schema.name}Edge`, [...path, n]);
      for (const e of this.#fields(f.selectionSet, `${schema.name}Edge`)) {
        const en = e.name.value;
        if (en === 'node') this.#columns(e, schema, '', [...path, n, en], columns, typeofs);
        else if (en !== 'cursor' && en !== '__typename') {
          throw validation(
            'FieldUndefined',
            [...path, n, en],
            `Field '${en}' in type '${schema.name}Edge' is undefined`,
            e,
          );
        }
      }
    }
    return { columns, selections };
  }

  #checkPageInfo(node: FieldNode, path: string[]): void {
    requireSelection(node, 'PageInfo', path);
    const known = new Set(['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor', '__typename']);
    for (const f of this.#fields(node.selectionSet, 'PageInfo')) {
      if (!known.has(f.name.value)) {
        throw validation(
          'FieldUndefined',
          [...path, f.name.value],
          `Field '${f.name.value}' in type 'PageInfo' is undefined`,
          f,
        );
      }
    }
  }

  /** Collects the SOQL columns a record selection needs, refusing fields the object does not have. */
  #columns(
    node: FieldNode,
    schema: ObjectSchema,
    prefix: string,
    path: string[],
    out: Set<string>,
    typeofs?: Typeofs,
  ): void {
    requireSelection(node, schema.name, path);
    for (const f of this.#fields(node.selectionSet, schema.name)) {
      const n = f.name.value;
      const here = [...path, n];
      if (n === '__typename' || n === 'ApiName' || n === 'Id') {
        if (f.selectionSet)
          throw validation(
            'SubselectionNotAllowed',
            here,
            `Sub selection not allowed on leaf type of field ${n}`,
            f,
          );
        if (n === 'Id') out.add(`${prefix}Id`);
        continue;
      }
      const field = fieldOf(schema, n);
      if (field) {
        requireSelection(f, valueType(field), here);
        for (const v of this.#fields(f.selectionSet, valueType(field))) {
          if (!['value', 'displayValue', 'format', 'label', '__typename'].includes(v.name.value)) {
            throw validation(
              'FieldUndefined',
              [...here, v.name.value],
              `Field '${v.name.value}' in type '${valueType(field)}' is undefined`,
              v,
            );
          }
        }
        out.add(`${prefix}${field.name}`);
        continue;
      }
      const child = typeofs ? this.#childOf(schema, n) : undefined;
      if (child) {
        // One level of child relationships, read as a SOQL subquery
        // (https://developer.salesforce.com/docs/platform/lwc/guide/reference-graphql-relationships.html).
        const args = this.#connectionArgs(f, child, here, false);
        const { columns } = this.#connectionColumns(f, child, here, undefined);
        const where = args.where ? ` WHERE ${args.where}` : '';
        const order = args.order ? ` ORDER BY ${args.order}` : '';
        out.add(`(SELECT ${[...columns].join(', ')} FROM ${n}${where}${order})`);
        continue;
      }
      const rel = parentOf(schema, n, (x) => this.#ctx.schema(x));
      if (rel && !rel.polymorphic && rel.parent) {
        out.add(`${prefix}${n}.Id`);
        this.#columns(f, rel.parent, `${prefix}${n}.`, here, out);
        continue;
      }
      if (rel?.polymorphic) {
        if (!typeofs) {
          throw validation(
            'FieldUndefined',
            here,
            `The local org does not implement the polymorphic relationship '${n}' below a parent relationship`,
            f,
          );
        }
        this.#polymorphic(f, schema, rel.field, here, typeofs);
        continue;
      }
      throw validation('FieldUndefined', here, `Field '${n}' in type '${schema.name}' is undefined`, f);
    }
  }

  /**
   * `What { __typename ... on Account { Name { value } } }`: a polymorphic relationship is a union,
   * read through inline fragments (https://developer.salesforce.com/docs/platform/graphql/guide/filter-polymorphic.html).
   */
  #polymorphic(
    node: FieldNode,
    schema: ObjectSchema,
    ref: FieldSchema,
    path: string[],
    typeofs: Typeofs,
  ): void {
    const union = `${schema.name}_${node.name.value}`;
    requireSelection(node, union, path);
    for (const sel of node.selectionSet?.selections ?? []) {
      if (sel.kind === Kind.FIELD && sel.name.value !== '__typename') {
        throw validation(
          'FieldUndefined',
          [...path, sel.name.value],
          `Field '${sel.name.value}' in type '${union}' is undefined`,
          sel,
        );
      }
      const on =
        sel.kind === Kind.INLINE_FRAGMENT
          ? sel.typeCondition?.name.value
          : sel.kind === Kind.FRAGMENT_SPREAD
            ? this.#fragments.get(sel.name.value)?.typeCondition.name.value
            : undefined;
      if (on !== undefined && !(ref.referenceTo ?? []).includes(on)) {
        throw validation(
          'InvalidFragmentType',
          path,
          `Fragment cannot be spread here as objects of type '${union}' can never be of type '${on}'`,
          sel,
        );
      }
    }
    const byType = typeofs.get(node.name.value) ?? new Map<string, Set<string>>();
    for (const target of ref.referenceTo ?? []) {
      const targetSchema = this.#ctx.schema(target);
      if (!targetSchema) continue;
      const fields = new Set<string>(['Id']);
      for (const f of this.#fields(node.selectionSet, target)) {
        if (f.name.value === '__typename') continue;
        const inner = new Set<string>();
        const probe: FieldNode = { ...f, kind: Kind.FIELD };
        this.#columns(
          { ...node, selectionSet: { kind: Kind.SELECTION_SET, selections: [probe] } },
          targetSchema,
          '',
          path,
          inner,
        );
        for (const c of inner) {
          if (c.includes('.')) {
            throw validation(
              'FieldUndefined',
              [...path, f.name.value],
              `The local org does not implement parent relationships inside '... on ${target}'`,
              f,
            );
          }
          fields.add(c);
        }
      }
      if (fields.size > 1 || byType.has(target))
        byType.set(target, new Set([...(byType.get(target) ?? []), ...fields]));
    }
    typeofs.set(node.name.value, byType);
  }

  /** The child object of a child relationship named exactly `name` (GraphQL names are case-sensitive). */
  #childOf(schema: ObjectSchema, name: string): ObjectSchema | undefined {
    const rel = schema.childRelationships.find((c) => c.relationshipName === name);
    const child = rel ? this.#ctx.schema(rel.childSObject) : undefined;
    return child?.queryable ? child : undefined;
  }

  #connectionValue(c: Connection, result: { totalSize: number; records: object[] }): Record<string, unknown> {
    const reachable = c.upperBound === undefined ? result.records : result.records.slice(0, c.upperBound);
    return this.#page(c.selections, c.schema, reachable, result.totalSize, c.offset, c.first);
  }

  #page(
    selections: FieldNode[],
    schema: ObjectSchema,
    records: object[],
    totalSize: number,
    offset: number,
    first: number,
  ): Record<string, unknown> {
    const rows = records.slice(offset, offset + first) as Record<string, unknown>[];
    const cursor = (i: number) => Buffer.from(`v1:${offset + i}`).toString('base64');
    const hasNextPage = offset + rows.length < records.length;
    const out: Record<string, unknown> = {};
    for (const f of selections) {
      const key = responseKey(f);
      switch (f.name.value) {
        case '__typename':
          out[key] = `${schema.name}Connection`;
          break;
        case 'totalCount':
          out[key] = totalSize;
          break;
        case 'pageResultCount':
          out[key] = rows.length;
          break;
        case 'pageInfo': {
          const info: Record<string, unknown> = {};
          for (const p of this.#fields(f.selectionSet, 'PageInfo')) {
            const pk = responseKey(p);
            if (p.name.value === 'hasNextPage') info[pk] = hasNextPage;
            else if (p.name.value === 'hasPreviousPage') info[pk] = offset > 0;
            else if (p.name.value === 'startCursor') info[pk] = rows.length ? cursor(0) : null;
            else if (p.name.value === 'endCursor') info[pk] = rows.length ? cursor(rows.length - 1) : null;
            else info[pk] = 'PageInfo';
          }
          out[key] = info;
          break;
        }
        default: {
          const edgeFields = this.#fields(f.selectionSet, `${schema.name}Edge`);
          out[key] = rows.map((row, i) => {
            const edge: Record<string, unknown> = {};
            for (const e of edgeFields) {
              const ek = responseKey(e);
              if (e.name.value === 'cursor') edge[ek] = cursor(i);
              else if (e.name.value === '__typename') edge[ek] = `${schema.name}Edge`;
              else edge[ek] = this.#record(e, schema, row);
            }
            return edge;
          });
        }
      }
    }
    return out;
  }

  #record(node: FieldNode, schema: ObjectSchema, row: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.#fields(node.selectionSet, schema.name)) {
      const key = responseKey(f);
      const n = f.name.value;
      if (n === '__typename' || n === 'ApiName') {
        out[key] = schema.name;
        continue;
      }
      if (n === 'Id') {
        out[key] = row.Id ?? null;
        continue;
      }
      const field = fieldOf(schema, n);
      if (field) {
        const raw = row[field.name] ?? null;
        const v: Record<string, unknown> = {};
        for (const s of this.#fields(f.selectionSet, valueType(field))) {
          const sk = responseKey(s);
          if (s.name.value === 'value') v[sk] = graphqlValue(field, raw);
          else if (s.name.value === 'displayValue') v[sk] = displayValue(field, raw);
          else if (s.name.value === 'label') v[sk] = field.label;
          else if (s.name.value === '__typename') v[sk] = valueType(field);
          else v[sk] = null;
        }
        out[key] = v;
        continue;
      }
      const child = this.#childOf(schema, n);
      if (child && !fieldOf(schema, n) && !parentOf(schema, n, (x) => this.#ctx.schema(x))) {
        const sub = row[n];
        const records = isObject(sub) && Array.isArray(sub.records) ? (sub.records as object[]) : [];
        const args = this.#connectionArgs(f, child, [], false);
        out[key] = this.#page(
          this.#fields(f.selectionSet, `${child.name}Connection`),
          child,
          records,
          records.length,
          args.offset,
          args.first,
        );
        continue;
      }
      const rel = parentOf(schema, n, (x) => this.#ctx.schema(x));
      const parentRow = row[n];
      if (!isObject(parentRow)) {
        out[key] = null;
        continue;
      }
      // A polymorphic parent answers as the object it is (TYPEOF's row carries its type).
      const attrType = (parentRow.attributes as { type?: string } | undefined)?.type;
      const type = attrType === 'Name' && typeof parentRow.Type === 'string' ? parentRow.Type : attrType;
      const parentSchema = rel?.polymorphic && type ? this.#ctx.schema(type) : rel?.parent;
      out[key] = parentSchema ? this.#record(f, parentSchema, parentRow) : null;
    }
    return out;
  }
}

/**
 * SOQL refusing a field or object the schema has means the running user cannot see it (field-level
 * security, object permissions); the user's GraphQL schema has no such field, so it is a validation
 * error in the schema's words ("Field 'X' in type 'Y' is undefined").
 */
function unseen(
  errorCode: string,
  reason: string,
  c: { path: string[]; node: FieldNode; schema: ObjectSchema },
): Failure {
  const column = /No such column '([^']+)' on entity '([^']+)'/.exec(reason);
  const object = /sObject type '([^']+)' is not supported/.exec(reason);
  let message = reason;
  if (column) message = `Field '${column[1]!.split('.').pop()!}' in type '${column[2]!}' is undefined`;
  else if (object) message = `Field '${object[1]!}' in type 'RecordQuery' is undefined`;
  return new Failure(
    'ValidationError',
    `Validation error (${column || object ? 'FieldUndefined' : errorCode}@[${c.path.join('/')}]) : ${message}`,
    [c.node],
  );
}

/** The GraphQL scalar an operator of this field compares with, where it is unambiguous. */
function operandScalar(field: FieldSchema): string | undefined {
  if (field.type === 'id' || field.type === 'reference') return 'ID';
  if (['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'combobox'].includes(field.type))
    return 'String';
  if (field.type === 'boolean') return 'Boolean';
  if (field.type === 'int') return 'Int';
  return undefined;
}

function asRecord(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

function responseKey(f: FieldNode): string {
  return f.alias?.value ?? f.name.value;
}

function requireSelection(node: FieldNode, typeName: string, path: string[]): void {
  if (!node.selectionSet || node.selectionSet.selections.length === 0) {
    throw validation(
      'SubselectionRequired',
      path,
      `Sub selection required for type ${typeName} of field ${node.name.value}`,
      node,
    );
  }
}

function typeText(t: TypeNode): string {
  if (t.kind === Kind.NON_NULL_TYPE) return `${typeText(t.type)}!`;
  if (t.kind === Kind.LIST_TYPE) return `[${typeText(t.type)}]`;
  return t.name.value;
}

function setPath(data: Record<string, unknown>, path: string[], value: unknown): void {
  let at: Record<string, unknown> = data;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[path[path.length - 1]!] = value;
}

/** The UI API value type of a field (https://developer.salesforce.com/docs/platform/graphql/guide/query-record-fields.html). */
function valueType(field: FieldSchema): string {
  switch (field.type) {
    case 'id':
    case 'reference':
      return 'IDValue';
    case 'boolean':
      return 'BooleanValue';
    case 'int':
      return 'IntValue';
    case 'double':
      return 'DoubleValue';
    case 'currency':
      return 'CurrencyValue';
    case 'percent':
      return 'PercentValue';
    case 'date':
      return 'DateValue';
    case 'datetime':
      return 'DateTimeValue';
    case 'time':
      return 'TimeValue';
    case 'picklist':
      return 'PicklistValue';
    case 'multipicklist':
      return 'MultiPicklistValue';
    case 'textarea':
      return (field.length ?? 0) > 255 ? 'LongTextAreaValue' : 'TextAreaValue';
    case 'email':
      return 'EmailValue';
    case 'phone':
      return 'PhoneNumberValue';
    case 'url':
      return 'UrlValue';
    default:
      return 'StringValue';
  }
}

/** REST's `+0000` datetimes are ISO 8601 with `Z` in GraphQL's DateTime scalar. */
function graphqlValue(field: FieldSchema, raw: unknown): unknown {
  if (field.type === 'datetime' && typeof raw === 'string') return raw.replace(/\+0000$/, 'Z');
  return raw;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * displayValue: the picklist label, and dates/datetimes/currency formatted for the running user's
 * locale (the local org's users are en_US in UTC); null for other types, whose value is shown as is.
 */
function displayValue(field: FieldSchema, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  if (field.type === 'picklist' && typeof raw === 'string')
    return field.picklistValues?.find((p) => p.value === raw)?.label ?? raw;
  if (field.type === 'multipicklist' && typeof raw === 'string')
    return raw
      .split(';')
      .map((v) => field.picklistValues?.find((p) => p.value === v)?.label ?? v)
      .join(';');
  if (field.type === 'date' && typeof raw === 'string') {
    const [y, m, d] = raw.split('-').map(Number);
    return `${m}/${d}/${y}`;
  }
  if (field.type === 'datetime' && typeof raw === 'string') {
    const t = new Date(raw.replace(/\+0000$/, 'Z'));
    if (Number.isNaN(t.getTime())) return null;
    const h = t.getUTCHours();
    return `${t.getUTCMonth() + 1}/${t.getUTCDate()}/${t.getUTCFullYear()}, ${h % 12 === 0 ? 12 : h % 12}:${pad(t.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'}`;
  }
  if (field.type === 'currency' && typeof raw === 'number')
    return raw.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
  return null;
}
