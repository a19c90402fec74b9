/**
 * Query and QueryAll: SOQL as the running user, paged through cursors, and `columns=true` for the
 * column metadata the sf CLI asks for.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
 */
import { ApiError, notFound } from '../errors.ts';
import type { Org } from '../org/org.ts';
import { executeSoql } from '../query/index.ts';
import { queryColumns } from './columns.ts';
import { batchSize, QueryCursors } from './cursors.ts';
import type { RestHost } from './host.ts';
import { allow, type Reply, type RestRequest } from './resource.ts';

/** A SOQL query as the running user (the one path /query and GraphQL share). */
export function runSoql(
  org: Org,
  version: string,
  soql: string,
  includeDeleted: boolean,
): { totalSize: number; records: object[] } {
  return executeSoql(soql, org.store, { includeDeleted, apiVersion: version });
}

export class QueryResource {
  readonly #org: Org;
  /** One set of cursors for both resources: a queryAll locator is read under query/ too. */
  readonly #cursors: QueryCursors;

  constructor(host: Pick<RestHost, 'org' | 'now'>) {
    this.#org = host.org;
    this.#cursors = new QueryCursors({
      now: () => host.now(),
      newLocator: () => host.org.store.ids.next('01g'),
    });
  }

  /** GET query?q=… and query/{locator}-{offset} */
  query(req: RestRequest): Reply {
    return this.#run(req, false);
  }

  /** GET queryAll?q=…: deleted and archived rows too. */
  queryAll(req: RestRequest): Reply {
    return this.#run(req, true);
  }

  #run(req: RestRequest, includeDeleted: boolean): Reply {
    allow(req.method, ['GET']);
    const batch = batchSize(req.headers['sforce-query-options']);
    const [locator] = req.path;
    if (req.path.length > 0 && locator) {
      if (req.path.length > 1) throw notFound();
      return { status: 200, body: this.#cursors.next(req.version, locator, batch) };
    }
    const q = req.query.get('q');
    if (q === null || q.trim() === '') {
      throw new ApiError('MALFORMED_QUERY', 'A query string has to be specified');
    }
    const result = runSoql(this.#org, req.version, q, includeDeleted);
    if (req.query.get('columns') === 'true') return { status: 200, body: queryColumns(this.#org, q) };
    return { status: 200, body: this.#cursors.first(req.version, result, batch) };
  }
}
