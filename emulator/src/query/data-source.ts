import type { ObjectSchema, StoredRecord } from '../schema/types.ts';

/**
 * Which rows a WHERE may keep, as the data source's indexes can tell (query/index-plan.ts builds it):
 * `eq` rows whose field holds one of the filter-normalized keys, `null` rows without a value,
 * `range` rows whose date/datetime value lies within min..max (inclusive, epoch ms), `or` the union,
 * `and` any one item's rows (the source picks the smallest it can answer). Always a superset of
 * the rows the WHERE keeps: the engine still applies the whole WHERE to them.
 */
export type IndexPlan =
  | { readonly kind: 'eq'; readonly field: string; readonly keys: readonly string[] }
  | { readonly kind: 'null'; readonly field: string }
  | { readonly kind: 'range'; readonly field: string; readonly min?: number; readonly max?: number }
  | { readonly kind: 'and' | 'or'; readonly items: readonly IndexPlan[] };

/**
 * What the query engine needs from the org: schemas and records. The org core implements it over its
 * store; the engine's tests implement it over fixtures. Look-ups by name are case-insensitive, as in
 * SOQL, and return canonical names.
 */
export interface QueryDataSource {
  /** The object's schema, looked up case-insensitively; undefined for an unknown object. */
  schema(objectName: string): ObjectSchema | undefined;
  /** Every record of the object; deleted ones (IsDeleted true, in the recycle bin) only when asked. */
  records(objectName: string, options: { includeDeleted: boolean }): Iterable<StoredRecord>;
  /**
   * Optional: the object's records before the running user's sharing applies, and the check that says
   * whether they may read one. A scan then checks only the rows its WHERE keeps — the rows `records`
   * would give, filtered alike, since the check reads one row and the WHERE never needs a row the user
   * cannot read — instead of every row of the object. Undefined when `records` is the way.
   */
  recordsToCheck?(
    objectName: string,
    options: { includeDeleted: boolean },
  ): { records: Iterable<StoredRecord>; canRead: (record: StoredRecord) => boolean } | undefined;
  /**
   * Optional: the rows of an object whose `field` equals one of `keys` (values already normalized as
   * filters compare them: text upper-cased, ids at 18 characters), in the order `records` yields
   * them; undefined when the field has no index, and the engine scans instead.
   */
  indexed?(
    objectName: string,
    field: string,
    keys: readonly string[],
    options: { includeDeleted: boolean },
  ): StoredRecord[] | undefined;
  /**
   * Optional: the rows an index plan allows, in the order `records` yields them; undefined when the
   * plan needs an index the source does not keep (the engine then scans).
   */
  candidates?(
    objectName: string,
    plan: IndexPlan,
    options: { includeDeleted: boolean },
  ): StoredRecord[] | undefined;
  /** A record by its 15- or 18-character id, with its object's name; deleted records included. */
  byId(id: string): { objectName: string; record: StoredRecord } | undefined;
  /** The running user's id (for `OwnerId = :userId`-style filters the engine may need). */
  readonly userId: string;
  /**
   * Optional: the names of every object in the org, so that SOSL without RETURNING can search all
   * searchable objects. When absent, the engine tries the standard objects it knows by name.
   */
  objectNames?(): Iterable<string>;
  /**
   * Optional: the source as the request's running user sees it (objects, fields and records they may
   * read). Every SOQL and SOSL execution goes through it, so sharing and field-level security apply
   * to every caller of the engine (REST query, composite, graph, search, GraphQL).
   */
  forRunningUser?(): QueryDataSource | undefined;
}
