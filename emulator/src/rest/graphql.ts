/**
 * UI API GraphQL, POST only, from v56.0, never inside a composite request.
 * https://developer.salesforce.com/docs/platform/graphql/guide/query-status.html
 */
import { notFound } from '../errors.ts';
import { executeGraphql, GRAPHQL_MIN_VERSION } from '../graphql/execute.ts';
import type { Org } from '../org/org.ts';
import type { RestHost } from './host.ts';
import { runSoql } from './query.ts';
import { allow, type Reply, type RestRequest } from './resource.ts';

export class GraphqlResource {
  readonly #org: Org;
  readonly #host: Pick<RestHost, 'countExtra'>;

  constructor(host: Pick<RestHost, 'org' | 'countExtra'>) {
    this.#org = host.org;
    this.#host = host;
  }

  /** POST graphql */
  handle(req: RestRequest): Reply {
    if (req.path.length > 0 || req.inComposite || Number.parseInt(req.version, 10) < GRAPHQL_MIN_VERSION)
      throw notFound();
    allow(req.method, ['POST']);
    let subqueries = 0;
    const answer = executeGraphql(req.body, {
      apiVersion: req.version,
      schema: (name) => this.#org.store.schema(name),
      // The running user's SOQL path, so that what /query enforces holds for GraphQL too.
      runSoql: (soql) => {
        subqueries++;
        return runSoql(this.#org, req.version, soql, false);
      },
    });
    // "Each subquery counts as one request for rate limiting"
    // (https://developer.salesforce.com/docs/platform/graphql/guide/query-limits.html); the HTTP layer
    // counted the request once.
    this.#host.countExtra('graphql', Math.max(0, subqueries - 1));
    return { status: 200, body: answer };
  }
}
