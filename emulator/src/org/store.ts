/**
 * The org's records in memory: one table per object, a global id index, and an undo journal so a
 * composite request with allOrNone (or a graph) can roll back everything it wrote. Deleted records stay
 * in their table with IsDeleted = true, as in the recycle bin
 * (https://help.salesforce.com/s/articleView?id=sf.home_delete.htm), where queryAll still sees them.
 */
import { IdFactory, to18 } from '../ids.ts';
import type { QueryDataSource } from '../query/data-source.ts';
import type { FieldValue, ObjectSchema, StoredRecord } from '../schema/types.ts';

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
  #journal: UndoEntry[] | undefined;
  #userId = '';
  /** Bumped whenever a row that decides permissions changes (users, permission sets and their rows). */
  securityVersion = 0;
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
    for (const s of schemas) {
      this.#schemas.set(s.name.toLowerCase(), s);
      if (!this.#tables.has(s.name)) this.#tables.set(s.name, new Map());
    }
  }

  setView(objectName: string, fn: ViewFn): void {
    this.#views.set(objectName, fn);
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

  get(objectName: string, id18: string): MutableRecord | undefined {
    return this.#tables.get(objectName)?.get(id18);
  }

  /** Inserts or replaces a row (records are replaced, never mutated in place, so undo can restore them). */
  put(objectName: string, record: MutableRecord): void {
    const id = record.Id as string;
    const table = this.table(objectName);
    this.#journal?.push({ kind: 'put', objectName, id, previous: table.get(id) });
    if (SECURITY_TABLES.has(objectName)) this.securityVersion++;
    table.set(id, record);
    this.#index.set(id, objectName);
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
    if (journal.length > 0) this.securityVersion++;
    for (let i = journal.length - 1; i >= 0; i--) {
      const e = journal[i]!;
      if (e.kind === 'blob') {
        if (e.previous === undefined) this.#blobs.delete(e.id);
        else this.#blobs.set(e.id, e.previous);
        continue;
      }
      const table = this.table(e.objectName);
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
    for (const [name, rows] of Object.entries(data.tables)) {
      const t = this.table(name);
      t.clear();
      for (const r of rows) {
        const id = r.Id as string;
        t.set(id, r);
        this.#index.set(id, name);
        this.ids.observe(id);
      }
    }
    for (const [id, v] of Object.entries(data.blobs ?? {})) this.#blobs.set(id, v);
  }
}
