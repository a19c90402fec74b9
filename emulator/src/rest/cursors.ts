/**
 * Query cursors: a result longer than one batch answers its first page with a `nextRecordsUrl`
 * naming a locator and an offset; later pages are read from the locator until the last one.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 */
import { ApiError } from '../errors.ts';

interface Cursor {
  records: object[];
  totalSize: number;
  touchedAt: number;
}

/** Cursors not used for 15 minutes expire, as Salesforce's do. */
const CURSOR_IDLE_MS = 15 * 60 * 1000;
const DEFAULT_BATCH = 2000;

/** `Sforce-Query-Options: batchSize=N`: 200 to 2,000, default 2,000. */
export function batchSize(header: string | undefined): number {
  const m = header ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!m) return DEFAULT_BATCH;
  return Math.min(2000, Math.max(200, Number(m[1])));
}

export class QueryCursors {
  readonly #cursors = new Map<string, Cursor>();
  readonly #now: () => number;
  readonly #newLocator: () => string;

  /** `newLocator` names a cursor (the org's id sequence, so locators look like Salesforce's). */
  constructor(deps: { now: () => number; newLocator: () => string }) {
    this.#now = deps.now;
    this.#newLocator = deps.newLocator;
  }

  /** The first page of a result; a cursor is kept only when more records remain. */
  first(version: string, result: { records: object[]; totalSize: number }, batch: number): object {
    if (result.records.length <= batch) {
      return { totalSize: result.totalSize, done: true, records: result.records };
    }
    const cursor: Cursor = { records: result.records, totalSize: result.totalSize, touchedAt: this.#now() };
    const locator = this.#newLocator();
    this.#cursors.set(locator, cursor);
    this.#sweep();
    return this.#page(version, locator, cursor, 0, batch);
  }

  /** The page a `nextRecordsUrl` names (`{locator}-{offset}`); INVALID_QUERY_LOCATOR once it is gone. */
  next(version: string, name: string, batch: number): object {
    const m = /^(.+)-(\d+)$/.exec(name);
    const cursor = m ? this.#cursors.get(m[1]!) : undefined;
    if (!m || !cursor || this.#now() - cursor.touchedAt > CURSOR_IDLE_MS) {
      if (m) this.#cursors.delete(m[1]!);
      throw new ApiError('INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    cursor.touchedAt = this.#now();
    return this.#page(version, m[1]!, cursor, Number(m[2]), batch);
  }

  #page(version: string, locator: string, cursor: Cursor, offset: number, batch: number): object {
    const records = cursor.records.slice(offset, offset + batch);
    const next = offset + records.length;
    const done = next >= cursor.records.length;
    if (done) this.#cursors.delete(locator);
    return {
      totalSize: cursor.totalSize,
      done,
      // A queryAll locator is also given under `query/` (either resource serves it, deleted rows
      // included): https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall_more_results.htm
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${version}/query/${locator}-${next}` }),
      records,
    };
  }

  #sweep(): void {
    const now = this.#now();
    for (const [k, c] of this.#cursors) if (now - c.touchedAt > CURSOR_IDLE_MS) this.#cursors.delete(k);
  }
}
