/**
 * The org's records in memory: one table per object, a global id index, and an undo journal so a
 * composite request with allOrNone (or a graph) can roll back everything it wrote. Deleted records stay
 * in their table with IsDeleted = true, as in the recycle bin
 * (https://help.salesforce.com/s/articleView?id=sf.home_delete.htm), where queryAll still sees them.
 */
import { IdFactory, to18 } from '../ids.ts';
import type { IndexPlan, QueryDataSource } from '../query/data-source.ts';
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
  /** The rows without a value (`field = null`, `field = ''`). */
  readonly nulls: Set<string>;
}

/** A date or datetime field's rows sorted by value (epoch ms), for `<`, `<=`, `>`, `>=`. */
interface RangeIndex {
  readonly field: string;
  readonly kind: Kind;
  /**
   * Sorted ascending by key, then by id (so one row's place is found by binary search even when
   * thousands of rows share a key, as a day of meetings shares start times); ids[i] holds keys[i].
   * Rows without a value are not in it.
   */
  readonly keys: number[];
  readonly ids: string[];
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
  /** table → field name → sorted index, built on a field's first range look-up and kept up to date. */
  readonly #rangeIndexes = new Map<string, Map<string, RangeIndex>>();
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

  /**
   * The rows an index plan allows (query/index-plan.ts), in scan order: an OR's branches united, an
   * AND answered by its most selective branch the indexes can count, so a query such as the
   * service's `Ref = X OR (StartDateTime < … AND EndDateTime > … AND Ref = null AND …)` reads a few
   * rows instead of every Event. Salesforce's query optimizer likewise drives a query from the best
   * index its filters allow
   * (https://developer.salesforce.com/docs/platform/salesforce-large-data-volumes-bp/guide/ldv-deployments-infrastructure-salesforce-query-optimizer.html);
   * which index it picks is not observable here, only the rows, which are the scan's. The sorted
   * date/datetime indexes and the null rows are this org's own bookkeeping, not a claim about which
   * fields Salesforce indexes. Undefined when a needed index does not exist (a view, an unindexed
   * field): the engine scans.
   */
  candidates(
    objectName: string,
    plan: IndexPlan,
    options: { includeDeleted: boolean },
  ): StoredRecord[] | undefined {
    const schema = this.schema(objectName);
    if (!schema || this.#views.has(schema.name)) return undefined;
    const ids = this.#planIds(schema, plan);
    if (!ids) return undefined;
    return this.#inScanOrder(this.table(schema.name), ids, options);
  }

  /** How many rows a plan's index look-up yields at most, or undefined when no index answers it. */
  #planSize(schema: ObjectSchema, plan: IndexPlan): number | undefined {
    switch (plan.kind) {
      case 'eq': {
        if (plan.field.toLowerCase() === 'id') return plan.keys.length;
        const found = this.#indexFor(schema.name, plan.field);
        if (!found) return undefined;
        let n = 0;
        for (const key of plan.keys) n += found.index.ids.get(key)?.size ?? 0;
        return n;
      }
      case 'null': {
        if (plan.field.toLowerCase() === 'id') return 0;
        return this.#indexFor(schema.name, plan.field)?.index.nulls.size;
      }
      case 'range': {
        const index = this.#rangeIndexFor(schema, plan.field);
        if (!index) return undefined;
        const [from, to] = rangeBounds(index, plan.min, plan.max);
        return Math.max(0, to - from);
      }
      case 'or': {
        let n = 0;
        for (const item of plan.items) {
          const size = this.#planSize(schema, item);
          if (size === undefined) return undefined;
          n += size;
        }
        return n;
      }
      case 'and': {
        let best: number | undefined;
        for (const item of plan.items) {
          const size = this.#planSize(schema, item);
          if (size !== undefined && (best === undefined || size < best)) best = size;
        }
        return best;
      }
    }
  }

  /** The ids a plan's index look-up yields (a superset of the matching rows), or undefined. */
  #planIds(schema: ObjectSchema, plan: IndexPlan): Set<string> | undefined {
    switch (plan.kind) {
      case 'eq': {
        if (plan.field.toLowerCase() === 'id') {
          const table = this.table(schema.name);
          return new Set(plan.keys.filter((k) => table.has(k)));
        }
        const found = this.#indexFor(schema.name, plan.field);
        if (!found) return undefined;
        const out = new Set<string>();
        for (const key of plan.keys) for (const id of found.index.ids.get(key) ?? []) out.add(id);
        return out;
      }
      case 'null': {
        if (plan.field.toLowerCase() === 'id') return new Set();
        const found = this.#indexFor(schema.name, plan.field);
        return found ? new Set(found.index.nulls) : undefined;
      }
      case 'range': {
        const index = this.#rangeIndexFor(schema, plan.field);
        if (!index) return undefined;
        const [from, to] = rangeBounds(index, plan.min, plan.max);
        return new Set(index.ids.slice(from, to));
      }
      case 'or': {
        if (this.#planSize(schema, plan) === undefined) return undefined;
        const out = new Set<string>();
        for (const item of plan.items) for (const id of this.#planIds(schema, item) ?? []) out.add(id);
        return out;
      }
      case 'and': {
        let best: IndexPlan | undefined;
        let bestSize = Infinity;
        for (const item of plan.items) {
          const size = this.#planSize(schema, item);
          if (size !== undefined && size < bestSize) {
            best = item;
            bestSize = size;
          }
        }
        return best === undefined ? undefined : this.#planIds(schema, best);
      }
    }
  }

  #rangeIndexFor(schema: ObjectSchema, field: string): RangeIndex | undefined {
    const fieldSchema = schema.fields.find((f) => f.name.toLowerCase() === field.toLowerCase());
    if (!fieldSchema) return undefined;
    const kind = kindOf(fieldSchema.type);
    if (kind !== 'date' && kind !== 'datetime') return undefined;
    let byField = this.#rangeIndexes.get(schema.name);
    if (!byField) {
      byField = new Map();
      this.#rangeIndexes.set(schema.name, byField);
    }
    let index = byField.get(fieldSchema.name);
    if (!index) {
      const entries: [number, string][] = [];
      for (const [id, r] of this.table(schema.name)) {
        const key = rangeKey(kind, fieldSchema.name, schema.name, r);
        if (key !== undefined) entries.push([key, id]);
      }
      entries.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      index = {
        field: fieldSchema.name,
        kind,
        keys: entries.map((e) => e[0]),
        ids: entries.map((e) => e[1]),
      };
      byField.set(fieldSchema.name, index);
    }
    return index;
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
    // One key (a row's own look-up): its id set as it is, without a copy.
    const ids = keys.length === 1 ? (index.ids.get(keys[0]!) ?? new Set<string>()) : new Set<string>();
    if (keys.length > 1) for (const key of keys) for (const id of index.ids.get(key) ?? []) ids.add(id);
    return this.#inScanOrder(this.table(tableName), ids, options);
  }

  /** The stored rows of `ids` (live ones unless `includeDeleted`), in the order a scan reads them. */
  #inScanOrder(
    table: Map<string, MutableRecord>,
    ids: Iterable<string>,
    options: { includeDeleted: boolean },
  ): MutableRecord[] {
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
      index = { field: field.name, kind: kindOf(field.type), ids: new Map(), nulls: new Set() };
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
      if (before && after && indexKey(index, tableName, before) === indexKey(index, tableName, after))
        continue;
      if (before) indexRemove(index, tableName, id, before);
      if (after) indexAdd(index, tableName, id, after);
    }
    for (const index of this.#rangeIndexes.get(tableName)?.values() ?? []) {
      // An update that leaves the indexed value as it was keeps the row where it is.
      if (
        before &&
        after &&
        rangeKey(index.kind, index.field, tableName, before) ===
          rangeKey(index.kind, index.field, tableName, after)
      )
        continue;
      if (before) rangeRemove(index, tableName, id, before);
      if (after) rangeAdd(index, tableName, id, after);
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
      this.#rangeIndexes.delete(name);
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
  if (key === undefined) {
    index.nulls.add(id);
    return;
  }
  let ids = index.ids.get(key);
  if (!ids) {
    ids = new Set();
    index.ids.set(key, ids);
  }
  ids.add(id);
}

function indexRemove(index: FieldIndex, tableName: string, id: string, r: MutableRecord): void {
  const key = indexKey(index, tableName, r);
  if (key === undefined) {
    index.nulls.delete(id);
    return;
  }
  const ids = index.ids.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.ids.delete(key);
}

/** A row's date or datetime value as filters compare it (epoch ms), or undefined without one. */
function rangeKey(kind: Kind, field: string, tableName: string, r: MutableRecord): number | undefined {
  const key = normalize(kind, RecordResolver.read({ objectName: tableName, record: r }, field, false));
  return typeof key === 'number' && !Number.isNaN(key) ? key : undefined;
}

/** The first position whose key is ≥ `key` (or > `key` when `after`). */
function firstAt(keys: readonly number[], key: number, after: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = keys[mid]!;
    if (k < key || (after && k === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The positions [from, to) whose keys lie within min..max (inclusive; an absent bound is open). */
function rangeBounds(index: RangeIndex, min: number | undefined, max: number | undefined): [number, number] {
  const from = min === undefined ? 0 : firstAt(index.keys, min, false);
  const to = max === undefined ? index.keys.length : firstAt(index.keys, max, true);
  return [from, to];
}

/** Where the row (key, id) is, or would go, in the index's (key, id) order. */
function placeOf(index: RangeIndex, key: number, id: string): number {
  let lo = 0;
  let hi = index.keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = index.keys[mid]!;
    if (k < key || (k === key && index.ids[mid]! < id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function rangeAdd(index: RangeIndex, tableName: string, id: string, r: MutableRecord): void {
  const key = rangeKey(index.kind, index.field, tableName, r);
  if (key === undefined) return;
  const at = placeOf(index, key, id);
  index.keys.splice(at, 0, key);
  index.ids.splice(at, 0, id);
}

function rangeRemove(index: RangeIndex, tableName: string, id: string, r: MutableRecord): void {
  const key = rangeKey(index.kind, index.field, tableName, r);
  if (key === undefined) return;
  const at = placeOf(index, key, id);
  if (index.keys[at] === key && index.ids[at] === id) {
    index.keys.splice(at, 1);
    index.ids.splice(at, 1);
  }
}
