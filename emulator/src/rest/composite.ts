/**
 * Composite: up to 25 subrequests in order, later ones referring to earlier answers; allOrNone rolls
 * every one back when one fails.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
 */
import type { Org } from '../org/org.ts';
import type { RestHost } from './host.ts';
import {
  allow,
  invalidRequest,
  requireObject,
  type Dispatch,
  type Reply,
  type RestRequest,
} from './resource.ts';
import { parseSubrequests, rolledBack, runInTransaction } from './subrequests.ts';

const MAX_COMPOSITE = 25;
/** Of the 25, at most 5 may be query or sObject Collections subrequests. */
const MAX_COMPOSITE_HEAVY = 5;

/** Composite runs sObject, query and sObject Collections subrequests, nothing else. */
const allowed = (_m: string, parts: string[]): boolean =>
  parts[0] === 'sobjects' ||
  parts[0] === 'query' ||
  parts[0] === 'queryAll' ||
  (parts[0] === 'composite' && parts[1] === 'sobjects');

export class CompositeResource {
  readonly #org: Org;
  readonly #dispatch: Dispatch;

  /** `dispatch` runs a subrequest through the router (given, not imported: no cycle). */
  constructor(host: Pick<RestHost, 'org'>, dispatch: Dispatch) {
    this.#org = host.org;
    this.#dispatch = dispatch;
  }

  /** POST composite */
  handle(req: RestRequest): Reply {
    allow(req.method, ['POST']);
    const body = requireObject(req.body);
    const subs = parseSubrequests(body.compositeRequest, MAX_COMPOSITE);
    const heavy = subs.filter((s) => /\/(query|queryAll|composite\/sobjects)(\/|\?|$)/.test(s.url)).length;
    if (heavy > MAX_COMPOSITE_HEAVY) {
      throw invalidRequest(
        `A composite request may contain up to ${MAX_COMPOSITE_HEAVY} query or sObject Collections subrequests.`,
      );
    }
    const allOrNone = body.allOrNone === true;
    const run = runInTransaction(this.#org.store, this.#dispatch, {
      version: req.version,
      subs,
      headers: req.headers,
      haltOnError: allOrNone,
      allowed,
    });
    if (allOrNone && run.failed >= 0) {
      return { status: 200, body: { compositeResponse: rolledBack(subs, run) } };
    }
    return { status: 200, body: { compositeResponse: run.responses } };
  }
}
