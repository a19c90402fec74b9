/**
 * UI API GraphQL `where` and `orderBy` arguments translated to SOQL, so that the query engine decides
 * what SOQL decides (a semi-join under OR is refused, field-level security and sharing apply) — the
 * GraphQL API "has the same limitations as SOQL"
 * (https://developer.salesforce.com/docs/platform/graphql/guide/query-limits.html).
 *
 * Grammar:
 * - field operators eq, ne, lt, lte, gt, gte, like, in, nin, includes, excludes; several operators on
 *   one field are AND'd (https://developer.salesforce.com/docs/platform/graphql/guide/filter-fields.html);
 * - and/or take a list, not takes one filter; several keys in one filter are AND'd
 *   (https://developer.salesforce.com/docs/platform/graphql/guide/filter-boolean.html);
 * - parent relationships filter through their fields (`Account: { Name: { eq: "x" } }`);
 * - inq/ninq on Id or a reference field: a semi-join/anti-join on another object with `ApiName` naming
 *   the selected field (https://developer.salesforce.com/docs/platform/graphql/guide/filter-joins.html);
 * - dates and datetimes compare with `{ value: "…" }`, `{ literal: TODAY }` or
 *   `{ range: { last_n_days: 3 } }` (https://developer.salesforce.com/docs/platform/graphql/guide/filter-fields.html).
 */
import { NAME_SCHEMA } from '../query/schema-paths.ts';
import { TEXT_FIELD_TYPES, type FieldSchema, type ObjectSchema } from '../schema/types.ts';

/** A filter the schema does not allow; the caller reports it as a GraphQL ValidationError. */
export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

export type SchemaLookup = (objectName: string) => ObjectSchema | undefined;

const COMPARISONS: Record<string, string> = { eq: '=', ne: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=' };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Exact-case field lookup: GraphQL names are case-sensitive, unlike SOQL's. */
export function fieldOf(schema: ObjectSchema, name: string): FieldSchema | undefined {
  return schema.fields.find((f) => f.name === name);
}

/** The single-target parent relationship `name` of the object, with its parent's schema. */
export function parentOf(
  schema: ObjectSchema,
  name: string,
  lookup: SchemaLookup,
): { field: FieldSchema; parent: ObjectSchema | undefined; polymorphic: boolean } | undefined {
  const field = schema.fields.find((f) => f.type === 'reference' && f.relationshipName === name);
  if (!field) return undefined;
  const targets = field.referenceTo ?? [];
  if (targets.length !== 1) return { field, parent: undefined, polymorphic: true };
  return { field, parent: lookup(targets[0]!), polymorphic: false };
}

/**
 * "If you attempt to pass in an unsupported field to the where filter, you get a "Field 'FieldName' in
 * type 'ObjectName' is undefined" error"
 * (https://developer.salesforce.com/docs/platform/graphql/guide/query-limits.html).
 */
function undefinedField(name: string, typeName: string): FilterError {
  return new FilterError(`Field '${name}' in type '${typeName}' is undefined`);
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** One operand as a SOQL literal typed against the field. */
function literal(field: FieldSchema, value: unknown, typeName: string): string {
  if (value === null) return 'null';
  const bad = () =>
    new FilterError(`Invalid value ${JSON.stringify(value)} for field '${field.name}' in type '${typeName}'`);
  if (field.type === 'date' || field.type === 'datetime') {
    // Date operators take an input object: { value } or { literal } or { range }.
    const v = isObject(value) ? value : { value };
    if (typeof v.literal === 'string' && /^[A-Z_]+$/.test(v.literal)) return v.literal;
    if (isObject(v.range)) {
      const [key, n] = Object.entries(v.range)[0] ?? [];
      if (typeof key !== 'string' || typeof n !== 'number' || !Number.isInteger(n)) throw bad();
      return `${key.toUpperCase()}:${n}`;
    }
    if (v.value === null) return 'null';
    if (typeof v.value !== 'string') throw bad();
    const ok = field.type === 'date' ? DATE.test(v.value) : DATETIME.test(v.value);
    if (!ok) throw bad();
    return v.value;
  }
  if (TEXT_FIELD_TYPES.has(field.type)) {
    if (typeof value !== 'string') throw bad();
    return quote(value);
  }
  if (field.type === 'boolean') {
    if (typeof value !== 'boolean') throw bad();
    return String(value);
  }
  if (['int', 'double', 'currency', 'percent'].includes(field.type)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw bad();
    return String(value);
  }
  if (field.type === 'time') {
    if (typeof value !== 'string') throw bad();
    return value;
  }
  throw new FilterError(`Field '${field.name}' in type '${typeName}' is not filterable`);
}

interface Ctx {
  readonly lookup: SchemaLookup;
}

/** A `where` filter of `schema` as a SOQL condition; '' when it filters nothing. */
export function whereToSoql(filter: unknown, schema: ObjectSchema, lookup: SchemaLookup): string {
  return condition(filter, schema, '', { lookup });
}

function condition(filter: unknown, schema: ObjectSchema, prefix: string, ctx: Ctx): string {
  if (filter === null || filter === undefined) return '';
  const typeName = `${schema.name}_Filter`;
  if (!isObject(filter))
    throw new FilterError(`Invalid value ${JSON.stringify(filter)} for type '${typeName}'`);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'and' || key === 'or') {
      if (value === null) continue;
      const list = Array.isArray(value) ? value : [value];
      const inner = list.map((f) => condition(f, schema, prefix, ctx)).filter((c) => c !== '');
      if (inner.length === 0) continue;
      parts.push(
        inner.length === 1
          ? inner[0]!
          : `(${inner.map((c) => `(${c})`).join(key === 'and' ? ' AND ' : ' OR ')})`,
      );
      continue;
    }
    if (key === 'not') {
      const inner = condition(value, schema, prefix, ctx);
      if (inner !== '') parts.push(`(NOT (${inner}))`);
      continue;
    }
    const field = fieldOf(schema, key);
    if (field) {
      const c = operators(field, value, schema, prefix, ctx);
      if (c !== '') parts.push(c);
      continue;
    }
    const rel = parentOf(schema, key, ctx.lookup);
    if (rel && !rel.polymorphic && rel.parent) {
      const c = condition(value, rel.parent, `${prefix}${key}.`, ctx);
      if (c !== '') parts.push(c);
      continue;
    }
    if (rel?.polymorphic) {
      const c = polymorphicCondition(value, schema, key, rel.field, `${prefix}${key}.`, ctx);
      if (c !== '') parts.push(c);
      continue;
    }
    throw undefinedField(key, schema.name);
  }
  if (parts.length === 0) return '';
  return parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join(' AND ');
}

/**
 * `What: { Account: { Name: { eq: "Acme" } } }`: one filter per object the relationship may point to
 * (`Event_What_Filters`, https://developer.salesforce.com/docs/platform/graphql/guide/filter-polymorphic.html),
 * as `What.Type = 'Account' AND What.Name = 'Acme'`. SOQL reads a polymorphic parent through the Name
 * object, so only its fields (Name, FirstName, LastName, …) can be filtered here; how Salesforce
 * filters other fields of the object is not documented, and the local org refuses them.
 */
function polymorphicCondition(
  value: unknown,
  schema: ObjectSchema,
  key: string,
  ref: FieldSchema,
  prefix: string,
  ctx: Ctx,
): string {
  if (value === null || value === undefined) return '';
  const typeName = `${schema.name}_${key}_Filters`;
  if (!isObject(value))
    throw new FilterError(`Invalid value ${JSON.stringify(value)} for type '${typeName}'`);
  const parts: string[] = [];
  const nameFields = new Set(NAME_SCHEMA.fields.map((f) => f.name));
  for (const [target, filter] of Object.entries(value)) {
    const targetSchema = (ref.referenceTo ?? []).includes(target) ? ctx.lookup(target) : undefined;
    if (!targetSchema) throw undefinedField(target, typeName);
    refuseBeyondName(filter, targetSchema, nameFields, key);
    const view: ObjectSchema = {
      ...targetSchema,
      fields: targetSchema.fields.filter((f) => nameFields.has(f.name) && f.type !== 'reference'),
    };
    const inner = condition(filter, view, prefix, ctx);
    const type = `${prefix}Type = ${quote(target)}`;
    parts.push(inner === '' ? type : `(${type} AND (${inner}))`);
  }
  if (parts.length === 0) return '';
  return parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join(' AND ');
}

function refuseBeyondName(filter: unknown, target: ObjectSchema, nameFields: Set<string>, rel: string): void {
  if (!isObject(filter)) return;
  for (const [k, v] of Object.entries(filter)) {
    if (k === 'and' || k === 'or')
      (Array.isArray(v) ? v : [v]).forEach((x) => refuseBeyondName(x, target, nameFields, rel));
    else if (k === 'not') refuseBeyondName(v, target, nameFields, rel);
    else if (fieldOf(target, k) && (!nameFields.has(k) || fieldOf(target, k)?.type === 'reference')) {
      throw new FilterError(
        `The local org filters '${rel}' only on the Name object's fields; '${target.name}.${k}' is not one of them`,
      );
    }
  }
}

function operators(field: FieldSchema, ops: unknown, schema: ObjectSchema, prefix: string, ctx: Ctx): string {
  const typeName = `${schema.name}_Filter`;
  if (ops === null) return '';
  if (!isObject(ops)) throw new FilterError(`Invalid value ${JSON.stringify(ops)} for field '${field.name}'`);
  if (!field.filterable) throw undefinedField(field.name, schema.name);
  const path = `${prefix}${field.name}`;
  const parts: string[] = [];
  for (const [op, value] of Object.entries(ops)) {
    const cmp = COMPARISONS[op];
    if (cmp) {
      if (value === undefined) continue;
      if (value === null && cmp !== '=' && cmp !== '!=')
        throw new FilterError(`'${op}' cannot compare with null`);
      parts.push(`${path} ${cmp} ${literal(field, value, typeName)}`);
      continue;
    }
    switch (op) {
      case 'like':
        if (typeof value !== 'string' || !TEXT_FIELD_TYPES.has(field.type))
          throw new FilterError(`Invalid value for 'like' on field '${field.name}'`);
        parts.push(`${path} LIKE ${quote(value)}`);
        break;
      case 'in':
      case 'nin':
      case 'includes':
      case 'excludes': {
        const list = Array.isArray(value) ? value : [value];
        if (list.length === 0)
          throw new FilterError(`'${op}' on field '${field.name}' needs at least one value`);
        const soqlOp = { in: 'IN', nin: 'NOT IN', includes: 'INCLUDES', excludes: 'EXCLUDES' }[op];
        if ((op === 'includes' || op === 'excludes') && field.type !== 'multipicklist')
          throw undefinedOperator(op, field, typeName);
        parts.push(`${path} ${soqlOp} (${list.map((v) => literal(field, v, typeName)).join(', ')})`);
        break;
      }
      case 'inq':
      case 'ninq':
        if (field.type !== 'id' && field.type !== 'reference') throw undefinedOperator(op, field, typeName);
        parts.push(`${path} ${op === 'inq' ? 'IN' : 'NOT IN'} (${semiJoin(value, ctx)})`);
        break;
      default:
        throw undefinedOperator(op, field, typeName);
    }
  }
  if (parts.length === 0) return '';
  return parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join(' AND ');
}

function undefinedOperator(op: string, field: FieldSchema, typeName: string): FilterError {
  return new FilterError(
    `Field '${op}' in type '${operatorsType(field)}' is undefined (${typeName}.${field.name})`,
  );
}

/** The GraphQL Operators input type of a field (IDOperators, StringOperators, …). */
function operatorsType(field: FieldSchema): string {
  switch (field.type) {
    case 'id':
    case 'reference':
      return 'IDOperators';
    case 'boolean':
      return 'BooleanOperators';
    case 'int':
      return 'IntegerOperators';
    case 'double':
      return 'DoubleOperators';
    case 'currency':
      return 'CurrencyOperators';
    case 'percent':
      return 'PercentOperators';
    case 'date':
      return 'DateOperators';
    case 'datetime':
      return 'DateTimeOperators';
    case 'picklist':
      return 'PicklistOperators';
    case 'multipicklist':
      return 'MultiPicklistOperators';
    default:
      return 'StringOperators';
  }
}

/** `{ Object: { …filter }, ApiName: "Field" }` as `SELECT Field FROM Object WHERE …`. */
function semiJoin(value: unknown, ctx: Ctx): string {
  if (!isObject(value)) throw new FilterError('inq and ninq take a subquery object');
  const { ApiName: apiName, ...rest } = value;
  const entries = Object.entries(rest);
  if (entries.length !== 1) throw new FilterError('inq and ninq name exactly one object to join');
  const [objectName, filter] = entries[0]!;
  const schema = ctx.lookup(objectName);
  if (!schema || schema.name !== objectName) throw undefinedField(objectName, 'JoinInput');
  if (typeof apiName !== 'string') throw new FilterError(`The semi-join on '${objectName}' needs ApiName`);
  const selected = fieldOf(schema, apiName);
  if (!selected) throw undefinedField(apiName, schema.name);
  const where = condition(filter, schema, '', ctx);
  return `SELECT ${selected.name} FROM ${schema.name}${where ? ` WHERE ${where}` : ''}`;
}

/** An `orderBy` argument as a SOQL ORDER BY list ('' for none). */
export function orderByToSoql(orderBy: unknown, schema: ObjectSchema, lookup: SchemaLookup): string {
  const out: string[] = [];
  walkOrder(orderBy, schema, '', lookup, out);
  return out.join(', ');
}

function walkOrder(
  orderBy: unknown,
  schema: ObjectSchema,
  prefix: string,
  lookup: SchemaLookup,
  out: string[],
): void {
  if (orderBy === null || orderBy === undefined) return;
  const typeName = `${schema.name}_OrderBy`;
  if (!isObject(orderBy))
    throw new FilterError(`Invalid value ${JSON.stringify(orderBy)} for type '${typeName}'`);
  for (const [key, value] of Object.entries(orderBy)) {
    const field = fieldOf(schema, key);
    if (field) {
      if (!field.sortable) throw undefinedField(key, typeName);
      if (value === null) continue;
      if (!isObject(value)) throw new FilterError(`Invalid value for orderBy field '${key}'`);
      const order = value.order ?? 'ASC';
      const nulls = value.nulls;
      if (order !== 'ASC' && order !== 'DESC')
        throw new FilterError(`Invalid order ${JSON.stringify(order)}`);
      if (nulls !== undefined && nulls !== null && nulls !== 'FIRST' && nulls !== 'LAST')
        throw new FilterError(`Invalid nulls ${JSON.stringify(nulls)}`);
      out.push(`${prefix}${field.name} ${order}${typeof nulls === 'string' ? ` NULLS ${nulls}` : ''}`);
      continue;
    }
    const rel = parentOf(schema, key, lookup);
    if (rel && !rel.polymorphic && rel.parent) {
      walkOrder(value, rel.parent, `${prefix}${key}.`, lookup, out);
      continue;
    }
    throw undefinedField(key, typeName);
  }
}
