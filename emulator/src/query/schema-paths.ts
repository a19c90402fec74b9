/**
 * Resolving SOQL field paths (`Name`, `Account.Owner.Email`, `Who.Name`) against object schemas, and
 * reading their values from records, following references through the data source.
 * Relationship rules: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_limits.htm
 */
import type { FieldSchema, ObjectSchema, StoredRecord, FieldValue } from '../schema/types.ts';
import type { QueryDataSource } from './data-source.ts';
import { invalidField, noSuchColumn } from './errors.ts';

function field(name: string, type: FieldSchema['type'], extra: Partial<FieldSchema> = {}): FieldSchema {
  return {
    name,
    label: name,
    type,
    nillable: true,
    createable: false,
    updateable: false,
    filterable: true,
    sortable: true,
    groupable: true,
    ...extra,
  };
}

/**
 * The `Name` object Salesforce exposes behind polymorphic relationships (Who, What, Owner): a polymorphic
 * path can only read these fields unless TYPEOF names the concrete type.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_name.htm
 */
export const NAME_SCHEMA: ObjectSchema = {
  name: 'Name',
  label: 'Name',
  labelPlural: 'Names',
  keyPrefix: null,
  fields: [
    field('Id', 'id'),
    field('Name', 'string'),
    field('FirstName', 'string'),
    field('LastName', 'string'),
    field('Alias', 'string'),
    field('Email', 'email'),
    field('Phone', 'phone'),
    field('Title', 'string'),
    field('Type', 'picklist'),
    field('Username', 'string'),
    field('IsActive', 'boolean'),
    field('UserRoleId', 'reference'),
    field('ProfileId', 'reference'),
    field('RecordTypeId', 'reference'),
    field('LastReferencedDate', 'datetime'),
    field('LastViewedDate', 'datetime'),
    field('CommunityNickname', 'string'),
    field('SmallPhotoUrl', 'url'),
    field('MiddleName', 'string'),
    field('Suffix', 'string'),
  ],
  childRelationships: [],
  createable: false,
  updateable: false,
  deletable: false,
  queryable: true,
  searchable: false,
  custom: false,
};

/** `Name` fields that hold a value only when the related record is a User (per the Name object reference). */
const USER_ONLY = new Set([
  'Alias',
  'Email',
  'IsActive',
  'Phone',
  'Title',
  'Username',
  'UserRoleId',
  'ProfileId',
  'CommunityNickname',
  'SmallPhotoUrl',
]);

/**
 * Each schema's fields and relationships by lower-case name (the first of a name, as a scan finds
 * it): a query resolves every field it names, and a schema is replaced, never changed.
 */
const byName = new WeakMap<
  ObjectSchema,
  { fields: Map<string, FieldSchema>; relationships: Map<string, FieldSchema> }
>();

function namesOf(schema: ObjectSchema): {
  fields: Map<string, FieldSchema>;
  relationships: Map<string, FieldSchema>;
} {
  let names = byName.get(schema);
  if (!names) {
    names = { fields: new Map(), relationships: new Map() };
    for (const f of schema.fields) {
      const lower = f.name.toLowerCase();
      if (!names.fields.has(lower)) names.fields.set(lower, f);
      const rel = f.type === 'reference' ? f.relationshipName?.toLowerCase() : undefined;
      if (rel !== undefined && !names.relationships.has(rel)) names.relationships.set(rel, f);
    }
    byName.set(schema, names);
  }
  return names;
}

export function findField(schema: ObjectSchema, name: string): FieldSchema | undefined {
  return namesOf(schema).fields.get(name.toLowerCase());
}

/** A reference field traversed by a path, and the schema it leads to (NAME_SCHEMA when polymorphic). */
export interface Hop {
  readonly field: FieldSchema;
  readonly relationshipName: string;
  readonly target: ObjectSchema;
  readonly polymorphic: boolean;
}

export interface ResolvedPath {
  readonly hops: readonly Hop[];
  /** The final field, in the schema the last hop leads to (or the root). */
  readonly field: FieldSchema;
  /** The text as written in the query, for error positions. */
  readonly text: string;
}

export interface PathScope {
  readonly soql: string;
  readonly ds: QueryDataSource;
  readonly root: ObjectSchema;
  readonly alias: string | undefined;
  /** Relationship aliases from an old-style FROM list (`FROM Contact c, c.Account a`): alias to path. */
  readonly relationshipAliases?: ReadonlyMap<string, readonly string[]>;
}

/** The segments of a path with the query's alias or object-name prefix removed. */
function segmentsOf(scope: PathScope, text: string): string[] {
  const segments = text.split('.');
  if (segments.length > 1) {
    const first = (segments[0] ?? '').toLowerCase();
    const isRelationship = scope.root.fields.some((f) => f.relationshipName?.toLowerCase() === first);
    if (scope.alias !== undefined && first === scope.alias.toLowerCase()) return segments.slice(1);
    const aliased = scope.relationshipAliases?.get(first);
    if (aliased) return [...aliased, ...segments.slice(1)];
    if (!isRelationship && first === scope.root.name.toLowerCase()) return segments.slice(1);
  }
  return segments;
}

export function findRelationship(schema: ObjectSchema, name: string): FieldSchema | undefined {
  return namesOf(schema).relationships.get(name.toLowerCase());
}

function relationshipError(scope: PathScope, name: string, text: string): Error {
  return invalidField(
    scope.soql,
    text,
    `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

/** Resolves a path of up to five relationships to its final field, or throws Salesforce's error. */
export function resolvePath(scope: PathScope, text: string): ResolvedPath {
  const segments = segmentsOf(scope, text);
  const hops: Hop[] = [];
  let current = scope.root;
  for (const segment of segments.slice(0, -1)) {
    const ref = findRelationship(current, segment);
    if (!ref || !ref.referenceTo || ref.referenceTo.length === 0 || !ref.relationshipName) {
      throw relationshipError(scope, segment, text);
    }
    const polymorphic = ref.referenceTo.length > 1;
    const target = polymorphic ? NAME_SCHEMA : scope.ds.schema(ref.referenceTo[0] as string);
    if (!target) throw relationshipError(scope, segment, text);
    hops.push({ field: ref, relationshipName: ref.relationshipName, target, polymorphic });
    current = target;
  }
  if (hops.length > 5) {
    throw invalidField(
      scope.soql,
      text,
      'SOQL statements cannot query more than 5 levels of relationships from the base object.',
    );
  }
  const last = segments[segments.length - 1] ?? '';
  const f = findField(current, last);
  if (!f) throw noSuchColumn(scope.soql, text, last, current.name);
  return { hops, field: f, text };
}

/** A record together with the object it belongs to. */
export interface Located {
  readonly objectName: string;
  readonly record: StoredRecord;
}

/** Follows references; a cache per query keeps repeated parents cheap. */
export class RecordResolver {
  readonly #ds: QueryDataSource;
  readonly #includeDeleted: boolean;
  readonly #cache = new Map<string, Located | null>();

  constructor(ds: QueryDataSource, includeDeleted: boolean) {
    this.#ds = ds;
    this.#includeDeleted = includeDeleted;
  }

  byId(id: FieldValue | undefined): Located | null {
    if (typeof id !== 'string' || id === '') return null;
    const cached = this.#cache.get(id);
    if (cached !== undefined) return cached;
    const found = this.#ds.byId(id);
    const result = found && (this.#includeDeleted || found.record['IsDeleted'] !== true) ? found : null;
    this.#cache.set(id, result ?? null);
    return result ?? null;
  }

  /**
   * The value of `name` on a record, matching the name case-insensitively. Through the `Name` object,
   * Type reads the object name and the user-only fields (Email, Phone, Alias, …) are empty for others.
   */
  static read(located: Located, name: string, fromNameSchema: boolean): FieldValue {
    if (fromNameSchema && name === 'Type') return located.objectName;
    if (fromNameSchema && USER_ONLY.has(name) && located.objectName !== 'User') return null;
    const direct = located.record[name];
    if (direct !== undefined) return direct;
    const lower = name.toLowerCase();
    for (const [k, v] of Object.entries(located.record)) if (k.toLowerCase() === lower) return v;
    // A person's Name is compound: read it from its parts when the store keeps only those.
    if (name === 'Name' && ('LastName' in located.record || 'FirstName' in located.record)) {
      const parts = [located.record['FirstName'], located.record['LastName']].filter(
        (p) => typeof p === 'string' && p !== '',
      );
      return parts.length > 0 ? parts.join(' ') : null;
    }
    return null;
  }

  /** The record at the end of the path's hops, or null when a reference on the way is empty. */
  follow(start: Located, hops: readonly Hop[]): Located | null {
    let current: Located | null = start;
    for (const hop of hops) {
      if (!current) return null;
      current = this.byId(RecordResolver.read(current, hop.field.name, false));
    }
    return current;
  }

  value(start: Located, path: ResolvedPath): FieldValue {
    const end = this.follow(start, path.hops);
    if (!end) return null;
    const last = path.hops[path.hops.length - 1];
    const v = RecordResolver.read(end, path.field.name, last?.polymorphic === true);
    return v === undefined ? null : v;
  }
}
