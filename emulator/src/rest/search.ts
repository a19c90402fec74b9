/**
 * Search: SOSL as the running user.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_search.htm
 */
import { ApiError } from '../errors.ts';
import type { Org } from '../org/org.ts';
import { executeSosl } from '../query/index.ts';
import type { RestHost } from './host.ts';
import { allow, type Reply, type RestRequest } from './resource.ts';

export class SearchResource {
  readonly #org: Org;

  constructor(host: Pick<RestHost, 'org'>) {
    this.#org = host.org;
  }

  /** GET search?q=… */
  handle(req: RestRequest): Reply {
    allow(req.method, ['GET']);
    const q = req.query.get('q');
    if (q === null || q.trim() === '') {
      throw new ApiError(
        'MALFORMED_SEARCH',
        'No search term found. The search term must be at least 2 characters long.',
      );
    }
    return { status: 200, body: executeSosl(q, this.#org.store, { apiVersion: req.version }) };
  }
}
