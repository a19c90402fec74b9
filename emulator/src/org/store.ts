/**
 * The org's records in memory: one table per object, a global id index, and an undo journal so a
 * composite request with allOrNone (or a graph) can roll back everything it wrote. Deleted records stay
 * in their table with IsDeleted = true, as in the recycle bin
 * (https://help.salesforce.com/s/articleView?id=sf.home_delete.htm), where queryAll still sees them.
 */
import { IdFactory, to18 } from '../ids.ts';
import type { QueryDataSource } from '../query/data-source.ts';
import { kindOf, normalize, type Kind } from '../query/filter.ts';
import { RecordResolver } from '../query/schema-paths.ts';
import type { FieldSchema, FieldValue, ObjectSchema, StoredRecord } from '../schema/types.ts';

export type MutableRecord = Record<string, FieldValue>;

const SECURITY_TABLES = new Set([
  'User',
  'PermissionSet',
  'PermissionSetAssignment',
  'ObjectPermissions',
  'FieldPermissions',
]);

type UndoEntry =
  | { kind: 'put'; objectName: string; id: string; previous: MutableRecord | undefined }
  | { kind: 'blob'; id: string; previous: string | undefined };

/** One field's index: the filter-normalized value → the ids of the rows holding it. */
interface FieldIndex {
  readonly field: string;
  readonly kind: Kind;
  readonly ids: Map<string, Set<string>>;
}

/** Views computed from other tables rather than stored (their rows are derived, read-only). */
export type ViewFn = (store: Store, includeDeleted: boolean) => Iterable<StoredRecord>;

export class Store implements QueryDataSource {
  readonly ids: IdFactory;
  readonly #schemas = new Map<string, ObjectSchema>();
  readonly #tables = new Map<string, Map<string, MutableRecord>>();
  readonly #index = new Map<string, string>();
  readonly #views = new Map<string, ViewFn>();
  readonly #blobs = new Map<string, string>();
  readonly #aliases = new Map<string, { as: string; project: (r: StoredRecord) => StoredRecord }>();
  /** table → field name → index, built on a field's first indexed look-up and kept up to date after. */
  readonly #fieldIndexes = new Map<string, Map<string, FieldIndex>>();
  /**
   * Object name → field name, both as asked → the indexed field it names (null: none), so a look-up
   * repeated per row does not search the schema again; rebuilt when the schemas change.
   */
  readonly #indexedFields = new Map<string, Map<string, { tableName: string; field: FieldSchema } | null>>();
  /** When each stored row entered its table: candidates from an index are returned in scan order. */
  readonly #position = new Map<string, number>();
  #nextPosition = 0;
  #journal: UndoEntry[] | undefined;
  #userId = '';
  /** Bumped whenever a row that decides permissions changes (users, permission sets and their rows). */
  securityVersion = 0;
  /** Bumped whenever any stored row is written or undone: what was read before may have changed. */
  writeVersion = 0;
  /** The running user's view of the store for queries, installed by the org (see forRunningUser). */
  runningUserSource: (() => QueryDataSource | undefined) | undefined;

  constructor(ids: IdFactory = new IdFactory()) {
    this.ids = ids;
  }

  get userId(): string {
    return this.#userId;
  }

  set userId(id: string) {
    this.#userId = id;
  }

  forRunningUser(): QueryDataSource | undefined {
    return this.runningUserSource?.();
  }

  setSchemas(schemas: readonly ObjectSchema[]): void {
    this.#schemas.clear();
    this.#indexedFields.clear();
    for (const s of schemas) {
      this.#schemas.set(s.name.toLowerCase(), s);
      if (!this.#tables.has(s.name)) this.#tables.set(s.name, new Map());
    }
  }

  setView(objectName: string, fn: ViewFn): void {
    this.#views.set(objectName, fn);
    this.#indexedFields.clear();
  }

  /** Whether an object's rows are derived by a view (nothing is stored under its name). */
  isView(objectName: string): boolean {
    return this.#views.has(objectName);
  }

  schema(objectName: string): ObjectSchema | undefined {
    return this.#schemas.get(objectName.toLowerCase());
  }

  allSchemas(): ObjectSchema[] {
    return [...this.#schemas.values()];
  }

  *records(objectName: string, options: { includeDeleted: boolean }): Iterable<StoredRecord> {
    const schema = this.schema(objectName);
    if (!schema) return;
    const view = this.#views.get(schema.name);
    if (view) {
      yield* view(this, options.includeDeleted);
      return;
    }
    const table = this.#tables.get(schema.name);
    if (!table) return;
    for (const r of table.values()) if (options.includeDeleted || r.IsDeleted !== true) yield r;
  }

  /** Stored rows of a table (not views), deleted included. */
  table(objectName: string): Map<string, MutableRecord> {
    let t = this.#tables.get(objectName);
    if (!t) {
      t = new Map();
      this.#tables.set(objectName, t);
    }
    return t;
  }

  /**
   * A record by id as the API sees it: rows of an aliased table answer as the object they also are
   * (a ContentNote is a ContentDocument, sharing its id).
   */
  byId(id: string): { objectName: string; record: StoredRecord } | undefined {
    const found = this.locate(id);
    if (!found) return undefined;
    const alias = this.#aliases.get(found.objectName);
    return alias ? { objectName: alias.as, record: alias.project(found.record) } : found;
  }

  /** The stored row for an id and the table holding it. */
  locate(id: string): { objectName: string; record: MutableRecord } | undefined {
    const id18 = to18(id);
    if (!id18) return undefined;
    const objectName = this.#index.get(id18);
    if (!objectName) return undefined;
    const record = this.#tables.get(objectName)?.get(id18);
    return record ? { objectName, record } : undefined;
  }

  setAlias(table: string, as: string, project: (r: StoredRecord) => StoredRecord): void {
    this.#aliases.set(table, { as, project });
  }

  /** The object a table's rows also answer as, if any. */
  aliasOf(table: string): string | undefined {
    return this.#aliases.get(table)?.as;
  }

  get(objectName: string, id18: string): MutableRecord | undefined {
    return this.#tables.get(objectName)?.get(id18);
  }

  /** Inserts or replaces a row (records are replaced, never mutated in place, so undo can restore them). */
  put(objectName: string, record: MutableRecord): void {
    const id = record.Id as string;
    const table = this.table(objectName);
    const previous = table.get(id);
    this.#journal?.push({ kind: 'put', objectName, id, previous });
    this.#reindex(objectName, id, previous, record);
    if (SECURITY_TABLES.has(objectName)) this.securityVersion++;
    this.writeVersion++;
    table.set(id, record);
    this.#index.set(id, objectName);
  }

  /**
   * Rows whose field equals one of the (filter-normalized) keys, for the fields Salesforce indexes:
   * Id, Name, Email, lookups and master-details, External ID and unique fields
   * (https://developer.salesforce.com/docs/platform/salesforce-large-data-volumes-bp/guide/ldv-deployments-infrastructure-indexes.html).
   * Undefined for any other field or a view: the query engine then scans.
   */
  indexed(
    objectName: string,
    field: string,
    keys: readonly string[],
    options: { includeDeleted: boolean },
  ): StoredRecord[] | undefined {
    const found = this.#indexFor(objectName, field);
    if (!found) return undefined;
    return this.#rowsFor(found.tableName, found.index, keys, options);
  }

  /**
   * The stored rows whose `field` holds exactly `value` (the same rows as scanning the table for
   * `r[field] === value`, in the same order), served by the field's index so the org's own rules
   * (relations of an activity, a key unique across two fields) cost the same in a full org as in an
   * empty one. Undefined when the field has no index or the value is not a non-empty string: scan.
   */
  rowsWithValue(
    tableName: string,
    field: string,
    value: unknown,
    options: { includeDeleted: boolean },
  ): MutableRecord[] | undefined {
    if (typeof value !== 'string' || value === '') return undefined;
    const found = this.#indexFor(tableName, field);
    if (!found || found.tableName !== tableName) return undefined;
    const key = normalize(found.index.kind, value);
    if (typeof key !== 'string') return undefined;
    // The index holds normalized values (ids at 18 characters, text upper-cased): keep exact matches.
    return this.#rowsFor(tableName, found.index, [key], options).filter(
      (r) => r[found.index.field] === value,
    );
  }

  #indexFor(objectName: string, field: string): { tableName: string; index: FieldIndex } | undefined {
    let byField = this.#indexedFields.get(objectName);
    if (!byField) {
      byField = new Map();
      this.#indexedFields.set(objectName, byField);
    }
    let found = byField.get(field);
    if (found === undefined) {
      const schema = this.schema(objectName);
      const fieldSchema = schema?.fields.find((f) => f.name.toLowerCase() === field.toLowerCase());
      found =
        schema && fieldSchema && !this.#views.has(schema.name) && isIndexed(fieldSchema)
          ? { tableName: schema.name, field: fieldSchema }
          : null;
      byField.set(field, found);
    }
    return found
      ? { tableName: found.tableName, index: this.#fieldIndex(found.tableName, found.field) }
      : undefined;
  }

  #rowsFor(
    tableName: string,
    index: FieldIndex,
    keys: readonly string[],
    options: { includeDeleted: boolean },
  ): MutableRecord[] {
    const table = this.table(tableName);
    // One key (a row's own look-up): its id set as it is, without a copy.
    const ids = keys.length === 1 ? (index.ids.get(keys[0]!) ?? new Set<string>()) : new Set<string>();
    if (keys.length > 1) for (const key of keys) for (const id of index.ids.get(key) ?? []) ids.add(id);
    const rows: MutableRecord[] = [];
    for (const id of ids) {
      const r = table.get(id);
      if (r && (options.includeDeleted || r.IsDeleted !== true)) rows.push(r);
    }
    if (rows.length < 2) return rows;
    const at = (r: MutableRecord) => this.#position.get(r.Id as string) ?? 0;
    return rows.sort((a, b) => at(a) - at(b));
  }

  #fieldIndex(tableName: string, field: FieldSchema): FieldIndex {
    let byField = this.#fieldIndexes.get(tableName);
    if (!byField) {
      byField = new Map();
      this.#fieldIndexes.set(tableName, byField);
    }
    let index = byField.get(field.name);
    if (!index) {
      index = { field: field.name, kind: kindOf(field.type), ids: new Map() };
      for (const [id, r] of this.table(tableName)) indexAdd(index, tableName, id, r);
      byField.set(field.name, index);
    }
    return index;
  }

  /** Keeps the field indexes and scan positions of a table right as a row changes. */
  #reindex(
    tableName: string,
    id: string,
    before: MutableRecord | undefined,
    after: MutableRecord | undefined,
  ): void {
    if (before === undefined && after !== undefined) this.#position.set(id, this.#nextPosition++);
    if (after === undefined) this.#position.delete(id);
    for (const index of this.#fieldIndexes.get(tableName)?.values() ?? []) {
      if (before) indexRemove(index, tableName, id, before);
      if (after) indexAdd(index, tableName, id, after);
    }
  }

  blob(id: string): string | undefined {
    return this.#blobs.get(id);
  }

  setBlob(id: string, value: string): void {
    this.#journal?.push({ kind: 'blob', id, previous: this.#blobs.get(id) });
    this.#blobs.set(id, value);
  }

  /** Runs `fn`; when it throws, or returns false-y `commit`, everything it wrote is undone. */
  transaction<T>(fn: () => T, shouldCommit: (result: T) => boolean = () => true): T {
    const outer = this.#journal;
    const journal: UndoEntry[] = [];
    this.#journal = journal;
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.#journal = outer;
      this.#undo(journal);
      throw e;
    }
    this.#journal = outer;
    if (!shouldCommit(result)) this.#undo(journal);
    else outer?.push(...journal);
    return result;
  }

  #undo(journal: UndoEntry[]): void {
    if (journal.length > 0) {
      this.securityVersion++;
      this.writeVersion++;
    }
    for (let i = journal.length - 1; i >= 0; i--) {
      const e = journal[i]!;
      if (e.kind === 'blob') {
        if (e.previous === undefined) this.#blobs.delete(e.id);
        else this.#blobs.set(e.id, e.previous);
        continue;
      }
      const table = this.table(e.objectName);
      this.#reindex(e.objectName, e.id, table.get(e.id), e.previous);
      if (e.previous === undefined) {
        table.delete(e.id);
        this.#index.delete(e.id);
      } else table.set(e.id, e.previous);
    }
  }

  /** Everything stored, for saving to a file. */
  dump(): { tables: Record<string, MutableRecord[]>; blobs: Record<string, string> } {
    const tables: Record<string, MutableRecord[]> = {};
    for (const [name, t] of this.#tables) if (t.size > 0) tables[name] = [...t.values()];
    return { tables, blobs: Object.fromEntries(this.#blobs) };
  }

  load(data: { tables: Record<string, MutableRecord[]>; blobs?: Record<string, string> }): void {
    this.securityVersion++;
    this.writeVersion++;
    for (const [name, rows] of Object.entries(data.tables)) {
      const t = this.table(name);
      t.clear();
      // Rebuilt on the next look-up from what is loaded.
      this.#fieldIndexes.delete(name);
      for (const r of rows) {
        const id = r.Id as string;
        this.#position.set(id, this.#nextPosition++);
        t.set(id, r);
        this.#index.set(id, name);
        this.ids.observe(id);
      }
    }
    for (const [id, v] of Object.entries(data.blobs ?? {})) this.#blobs.set(id, v);
  }
}

function isIndexed(f: FieldSchema): boolean {
  const kind = kindOf(f.type);
  if (kind !== 'text' && kind !== 'id') return false;
  return (
    f.type === 'id' ||
    f.type === 'reference' ||
    f.type === 'email' ||
    f.externalId === true ||
    f.unique === true ||
    f.nameField === true
  );
}

/** The row's value as a filter compares it (the same reader and normalization as the WHERE). */
function indexKey(index: FieldIndex, tableName: string, r: MutableRecord): string | undefined {
  const key = normalize(
    index.kind,
    RecordResolver.read({ objectName: tableName, record: r }, index.field, false),
  );
  return typeof key === 'string' ? key : undefined;
}

function indexAdd(index: FieldIndex, tableName: string, id: string, r: MutableRecord): void {
  const key = indexKey(index, tableName, r);
  if (key === undefined) return;
  let ids = index.ids.get(key);
  if (!ids) {
    ids = new Set();
    index.ids.set(key, ids);
  }
  ids.add(id);
}

function indexRemove(index: FieldIndex, tableName: string, id: string, r: MutableRecord): void {
  const key = indexKey(index, tableName, r);
  if (key === undefined) return;
  const ids = index.ids.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.ids.delete(key);
}
