/**
 * The describe resources: the global describe (`sobjects/`), sObject basic information
 * (GET `sobjects/{type}`) and sObject describe (`sobjects/{type}/describe`), each as the running user
 * sees the schema, answering 304 when nothing changed since If-Modified-Since
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_ifmodifiedsince.htm).
 */
import type { Org } from '../org/org.ts';
import { describeObject, globalDescribe, objectSummary } from './describe-result.ts';
import type { RestHost } from './host.ts';
import { allow, type Reply, type RestRequest, type SObjectRequest } from './resource.ts';

export class DescribeResource {
  readonly #org: Org;
  readonly #instanceUrl: () => string;

  constructor(host: Pick<RestHost, 'org' | 'instanceUrl'>) {
    this.#org = host.org;
    this.#instanceUrl = () => host.instanceUrl();
  }

  /** GET sobjects/ */
  global(req: RestRequest): Reply {
    allow(req.method, ['GET']);
    if (this.#notModified(req)) return { status: 304 };
    return {
      status: 200,
      body: globalDescribe(req.version, this.#org.apiSchemas()),
      headers: this.#lastModified(),
    };
  }

  /** GET sobjects/{type} (the router shares the path with create). */
  basicInformation(req: SObjectRequest): Reply {
    return { status: 200, body: { objectDescribe: objectSummary(req.version, req.schema), recentItems: [] } };
  }

  /** GET sobjects/{type}/describe */
  object(req: SObjectRequest): Reply {
    allow(req.method, ['GET']);
    if (this.#notModified(req)) return { status: 304 };
    return {
      status: 200,
      body: describeObject(req.version, req.schema, this.#instanceUrl()),
      headers: this.#lastModified(),
    };
  }

  #notModified(req: RestRequest): boolean {
    const since = req.headers['if-modified-since'];
    if (!since) return false;
    const t = Date.parse(since);
    return !Number.isNaN(t) && this.#org.schemasChangedAt <= t;
  }

  #lastModified(): Record<string, string> {
    return { 'Last-Modified': new Date(this.#org.schemasChangedAt).toUTCString() };
  }
}
