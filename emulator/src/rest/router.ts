/**
 * The REST API under /services/data/vXX.X/: the map from a path to its resource, one transaction per
 * request, and errors turned into Salesforce's error body. Each resource lives in its own module and
 * gets what it needs from the host through its constructor; the composite ones run their subrequests
 * through the `dispatch` they are given.
 * Resource list: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_list.htm
 */
import { isSalesforceError, notFound } from '../errors.ts';
import type { Org } from '../org/org.ts';
import { BatchResource } from './batch.ts';
import { CollectionsResource } from './collections.ts';
import { CompositeResource } from './composite.ts';
import { DescribeResource } from './describe.ts';
import { GraphResource } from './graph.ts';
import { GraphqlResource } from './graphql.ts';
import type { RestHost } from './host.ts';
import { LimitsResource } from './limits.ts';
import { QueryResource } from './query.ts';
import { ReplicationResource } from './replication.ts';
import { allow, type Reply, type RestRequest, type SObjectRequest } from './resource.ts';
import { SearchResource } from './search.ts';
import { SObjectsResource } from './sobjects.ts';
import { TreeResource } from './tree.ts';
import { UserPasswordResource } from './user-password.ts';

/** The counter kind of a request path (after /services/data/vXX.X/). */
export function counterKind(method: string, parts: readonly string[]): string {
  const [head, second, third] = parts;
  switch (head) {
    case undefined:
    case '':
      return 'resources';
    case 'query':
    case 'queryAll':
      return 'query';
    case 'search':
    case 'parameterizedSearch':
      return 'search';
    case 'limits':
      return 'limits';
    case 'graphql':
      return 'graphql';
    case 'composite':
      if (second === 'graph') return 'graph';
      if (second === 'sobjects') return 'collections';
      if (second === 'tree') return 'tree';
      if (second === 'batch') return 'batch';
      return 'composite';
    case 'sobjects':
      if (second === undefined || third === 'describe' || (third === undefined && method === 'GET'))
        return 'describe';
      return 'sobject';
    default:
      return 'other';
  }
}

/** A request for the resource below the first `n` segments of its path. */
const below = (req: RestRequest, n: number): RestRequest => ({ ...req, path: req.path.slice(n) });

export class Rest {
  readonly #host: RestHost;
  readonly #org: Org;
  readonly #describe: DescribeResource;
  readonly #sobjects: SObjectsResource;
  readonly #replication: ReplicationResource;
  readonly #password: UserPasswordResource;
  readonly #query: QueryResource;
  readonly #search: SearchResource;
  readonly #limits: LimitsResource;
  readonly #graphql: GraphqlResource;
  readonly #composite: CompositeResource;
  readonly #batch: BatchResource;
  readonly #graph: GraphResource;
  readonly #collections: CollectionsResource;
  readonly #tree: TreeResource;

  constructor(host: RestHost) {
    this.#host = host;
    this.#org = host.org;
    const dispatch = (req: RestRequest): Reply => this.dispatch(req);
    this.#describe = new DescribeResource(host);
    this.#sobjects = new SObjectsResource(host);
    this.#replication = new ReplicationResource(host);
    this.#password = new UserPasswordResource(host);
    this.#query = new QueryResource(host);
    this.#search = new SearchResource(host);
    this.#limits = new LimitsResource(host);
    this.#graphql = new GraphqlResource(host);
    this.#composite = new CompositeResource(host, dispatch);
    this.#batch = new BatchResource(host, dispatch);
    this.#graph = new GraphResource(host, dispatch);
    this.#collections = new CollectionsResource(host);
    this.#tree = new TreeResource(host);
  }

  /**
   * Runs one request (`path`: everything after /services/data/vXX.X/); errors become Salesforce's
   * error body.
   */
  dispatch(req: RestRequest): Reply {
    try {
      // A request that fails part-way leaves nothing behind (rules may write related rows first).
      return this.#org.store.transaction(() => this.#route(req));
    } catch (e) {
      // DML and resource errors and the query engine's share one base and one body.
      if (isSalesforceError(e)) return { status: e.status, body: [e.toItem()] };
      throw e;
    }
  }

  #route(req: RestRequest): Reply {
    const [head, ...rest] = req.path;
    switch (head) {
      case undefined:
      case '':
        allow(req.method, ['GET']);
        return { status: 200, body: this.#resources(req.version) };
      case 'sobjects':
        return this.#sobjectsTree(below(req, 1));
      case 'query':
        return this.#query.query(below(req, 1));
      case 'queryAll':
        return this.#query.queryAll(below(req, 1));
      case 'search':
        return this.#search.handle(below(req, 1));
      case 'limits':
        return this.#limits.handle(below(req, 1));
      case 'graphql':
        return this.#graphql.handle(below(req, 1));
      case 'composite':
        // Inside a composite request only sObject Collections is served of the composite family.
        if (req.inComposite && rest[0] !== 'sobjects') throw notFound();
        return this.#compositeFamily(below(req, 1));
      default:
        throw notFound();
    }
  }

  /** The resources of a version (GET /services/data/vXX.X/), with the running user's identity URL. */
  #resources(version: string): Record<string, string> {
    const base = `/services/data/v${version}`;
    return {
      sobjects: `${base}/sobjects`,
      query: `${base}/query`,
      queryAll: `${base}/queryAll`,
      search: `${base}/search`,
      composite: `${base}/composite`,
      limits: `${base}/limits`,
      identity: `${this.#host.instanceUrl()}/id/${this.#org.orgId}/${this.#org.currentUserId}`,
    };
  }

  /** Everything under sobjects/. */
  #sobjectsTree(req: RestRequest): Reply {
    const [type, second, third, ...more] = req.path;
    if (type === undefined || type === '') return this.#describe.global(req);
    // An object the running user cannot see does not exist for them, whatever the method.
    const at: SObjectRequest = { ...below(req, 1), schema: this.#org.apiSchema(type) };
    if (second === undefined || second === '') {
      allow(req.method, ['GET', 'POST']);
      return req.method === 'GET' ? this.#describe.basicInformation(at) : this.#sobjects.create(at);
    }
    if (second === 'describe' && third === undefined) return this.#describe.object(at);
    if ((second === 'deleted' || second === 'updated') && (third === undefined || third === ''))
      return this.#replication.handle(at);
    if (third === undefined) return this.#sobjects.row(at);
    if (more.length > 0) throw notFound();
    if (at.schema.name === 'User' && third === 'password') return this.#password.handle(at);
    return this.#sobjects.subresource(at);
  }

  /** Everything under composite/. */
  #compositeFamily(req: RestRequest): Reply {
    const [kind, type, ...more] = req.path;
    if (kind === undefined || kind === '') return this.#composite.handle(req);
    if (kind === 'batch' && type === undefined) return this.#batch.handle(req);
    if (kind === 'graph' && type === undefined) return this.#graph.handle(req);
    if (kind === 'sobjects' && more.length === 0) {
      return type === undefined ? this.#collections.write(req) : this.#collections.retrieve(below(req, 1));
    }
    // Upsert by external id, from API 46.0: PATCH composite/sobjects/{type}/{externalIdField}
    // (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm).
    if (kind === 'sobjects' && type && more.length === 1 && more[0] && Number(req.version) >= 46)
      return this.#collections.upsert(below(req, 1));
    if (kind === 'tree' && type && more.length === 0) return this.#tree.handle(below(req, 1));
    throw notFound();
  }
}
