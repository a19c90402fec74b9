/**
 * Composite and composite/graph requests: many REST operations for one API call each.
 * - composite: up to 25 subrequests, at most 5 of them queries; with allOrNone false each subrequest
 *   succeeds or fails alone (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm).
 * - composite/graph: up to 500 nodes, a graph succeeds or fails as a whole
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm).
 */
import type { Connection } from 'jsforce';
import { dataPath } from './api-version.ts';
import { callTimeoutMs } from './connection.ts';
import { SalesforceError, classifySalesforceError, kindOfErrorCode, withAdminReason } from './errors.ts';

export interface Subrequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under `/services/data/vXX.X`, every variable segment already encoded. */
  readonly url: string;
  readonly referenceId: string;
  readonly body?: Readonly<Record<string, unknown>>;
}

export interface SubResponse {
  readonly httpStatusCode: number;
  readonly body: unknown;
}

export const COMPOSITE_MAX_SUBREQUESTS = 25;
export const COMPOSITE_MAX_QUERIES = 5;
export const GRAPH_MAX_NODES = 500;

/** Counts the REST calls one sync spends; each composite request is one call. */
export class CallCounter {
  count = 0;
}

interface CompositeResponse {
  compositeResponse?: { referenceId: string; httpStatusCode: number; body: unknown }[];
}

interface GraphResponse {
  graphs?: {
    graphId: string;
    isSuccessful: boolean;
    graphResponse?: CompositeResponse;
  }[];
}

async function post<T>(conn: Connection, counter: CallCounter, path: string, body: unknown): Promise<T> {
  return send<T>(conn, counter, 'POST', `${dataPath(conn)}${path}`, body);
}

/**
 * The next batch of a query's rows (`nextRecordsUrl`, a path from the host): one call. Salesforce
 * answers at most 2,000 rows per batch (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm).
 */
export function getMore<T>(conn: Connection, counter: CallCounter, nextRecordsUrl: string): Promise<T> {
  if (!nextRecordsUrl.startsWith('/services/data/')) throw new Error('unexpected nextRecordsUrl');
  return send<T>(conn, counter, 'GET', nextRecordsUrl, undefined);
}

async function send<T>(
  conn: Connection,
  counter: CallCounter,
  method: 'GET' | 'POST',
  url: string,
  body: unknown,
): Promise<T> {
  counter.count += 1;
  const limit = callTimeoutMs(conn);
  let timer: NodeJS.Timeout | undefined;
  // A call unanswered in time is abandoned (transient: retried with backoff). A write may still commit
  // after that: the error carries no HTTP status, so the sync keeps its create mark and the worker
  // waits for the write to settle before the next look-up (sync-meeting.ts, worker.ts).
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new SalesforceError(
            'transient',
            'REQUEST_TIMEOUT',
            `Salesforce did not answer within ${limit / 1000} s (timed out)`,
          ),
        ),
      limit,
    );
  });
  try {
    return await Promise.race([
      conn.request<T>(
        method === 'GET'
          ? { method, url }
          : { method, url, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } },
      ),
      timeout,
    ]);
  } catch (err) {
    throw classifySalesforceError(err);
  } finally {
    clearTimeout(timer);
  }
}

function withVersion(conn: Connection, sub: Subrequest): Record<string, unknown> {
  return {
    method: sub.method,
    url: `${dataPath(conn)}${sub.url}`,
    referenceId: sub.referenceId,
    ...(sub.body === undefined ? {} : { body: sub.body }),
  };
}

/** One composite call, allOrNone false: every subrequest's own status and body, by reference id. */
export async function composite(
  conn: Connection,
  counter: CallCounter,
  subrequests: readonly Subrequest[],
): Promise<Map<string, SubResponse>> {
  const queries = subrequests.filter((s) => /^\/query(All)?\//.test(s.url)).length;
  if (subrequests.length > COMPOSITE_MAX_SUBREQUESTS || queries > COMPOSITE_MAX_QUERIES) {
    throw new Error(`composite request too large: ${subrequests.length} subrequests, ${queries} queries`);
  }
  const response = await post<CompositeResponse>(conn, counter, '/composite', {
    allOrNone: false,
    compositeRequest: subrequests.map((sub) => withVersion(conn, sub)),
  });
  const out = new Map<string, SubResponse>();
  for (const r of response.compositeResponse ?? []) {
    out.set(r.referenceId, { httpStatusCode: r.httpStatusCode, body: r.body });
  }
  return out;
}

/** The first Salesforce error in a subresponse body (`[{errorCode, message, fields}]`). */
export function subError(
  response: SubResponse | undefined,
): { errorCode: string; message: string; fields: string[] } | null {
  if (response === undefined)
    return { errorCode: 'NO_RESPONSE', message: 'no response for subrequest', fields: [] };
  if (response.httpStatusCode < 400) return null;
  const first: unknown = Array.isArray(response.body) ? response.body[0] : response.body;
  if (typeof first === 'object' && first !== null) {
    const e = first as { errorCode?: unknown; message?: unknown; fields?: unknown };
    return {
      errorCode: typeof e.errorCode === 'string' ? e.errorCode : `ERROR_HTTP_${response.httpStatusCode}`,
      message: typeof e.message === 'string' ? e.message : 'Salesforce refused the request',
      fields: Array.isArray(e.fields) ? e.fields.filter((f): f is string => typeof f === 'string') : [],
    };
  }
  return {
    errorCode: `ERROR_HTTP_${response.httpStatusCode}`,
    message: 'Salesforce refused the request',
    fields: [],
  };
}

/** A failed subrequest as a SalesforceError of the right kind. */
export function subrequestError(referenceId: string, response: SubResponse | undefined): SalesforceError {
  const e = subError(response) ?? { errorCode: 'UNKNOWN_ERROR', message: 'unknown failure', fields: [] };
  const status = response?.httpStatusCode;
  return new SalesforceError(
    kindOfErrorCode(e.errorCode, status),
    e.errorCode,
    withAdminReason(e.errorCode, `${referenceId}: ${e.message}`, e.fields),
    {
      fields: e.fields,
      ...(status === undefined ? {} : { statusCode: status }),
    },
  );
}

/**
 * One composite/graph call holding one graph: every node is written, or none is. Each node's result
 * is checked; a failed graph throws the error of the node that caused it (the others report
 * PROCESSING_HALTED), classified like any other Salesforce error.
 */
export async function graph(
  conn: Connection,
  counter: CallCounter,
  graphId: string,
  nodes: readonly Subrequest[],
): Promise<Map<string, SubResponse>> {
  if (nodes.length === 0) return new Map();
  const results = await graphs(conn, counter, [{ graphId, nodes }]);
  const result = results.get(graphId);
  if (result === undefined || !result.ok) throw result?.error ?? incomplete(graphId);
  return result.responses;
}

/**
 * Composite graph limits, per payload (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm):
 * 75 graphs, 500 nodes in all, 15 different kinds of node (API version, HTTP method and object), and
 * after 14 failed graphs the rest are not processed (PROCESSING_HALTED).
 */
export const GRAPH_MAX_GRAPHS = 75;
export const GRAPH_MAX_KINDS = 15;

export interface GraphRequest {
  readonly graphId: string;
  readonly nodes: readonly Subrequest[];
}

export type GraphResult =
  | { readonly ok: true; readonly responses: Map<string, SubResponse> }
  | { readonly ok: false; readonly error: SalesforceError };

function incomplete(graphId: string): SalesforceError {
  return new SalesforceError('transient', 'GRAPH_INCOMPLETE', `graph ${graphId} did not report every node`);
}

/** What a node does, as the graph limits count kinds: its method and its object. */
export function nodeKind(node: Subrequest): string {
  const object = /^\/sobjects\/([^/?]+)/.exec(node.url)?.[1] ?? node.url;
  return `${node.method} ${object.toLowerCase()}`;
}

/**
 * Splits graphs into payloads within the limits above, in order. A graph too big for any payload
 * alone is returned apart (`tooBig`): it cannot be written in one transaction.
 */
export function packGraphs<T extends GraphRequest>(requests: readonly T[]): { payloads: T[][]; tooBig: T[] } {
  const payloads: T[][] = [];
  const tooBig: T[] = [];
  let current: T[] = [];
  let nodes = 0;
  let kinds = new Set<string>();
  for (const request of requests) {
    const own = new Set(request.nodes.map(nodeKind));
    if (request.nodes.length > GRAPH_MAX_NODES || own.size > GRAPH_MAX_KINDS) {
      tooBig.push(request);
      continue;
    }
    const merged = new Set([...kinds, ...own]);
    if (
      current.length >= GRAPH_MAX_GRAPHS ||
      nodes + request.nodes.length > GRAPH_MAX_NODES ||
      merged.size > GRAPH_MAX_KINDS
    ) {
      payloads.push(current);
      current = [];
      nodes = 0;
      kinds = own;
    } else kinds = merged;
    current.push(request);
    nodes += request.nodes.length;
  }
  if (current.length > 0) payloads.push(current);
  return { payloads, tooBig };
}

/**
 * One composite/graph call holding several graphs (one payload of packGraphs). Each graph is its own
 * transaction: its result says whether it was written, and a failed graph carries the error of the
 * node that caused it. A graph halted because others failed (every node PROCESSING_HALTED) reads as
 * a transient error: nothing of it was written and it may be sent again.
 */
export async function graphs(
  conn: Connection,
  counter: CallCounter,
  requests: readonly GraphRequest[],
): Promise<Map<string, GraphResult>> {
  const out = new Map<string, GraphResult>();
  if (requests.length === 0) return out;
  const total = requests.reduce((n, r) => n + r.nodes.length, 0);
  if (requests.length > GRAPH_MAX_GRAPHS || total > GRAPH_MAX_NODES)
    throw new Error(`graph payload too large: ${requests.length} graphs, ${total} nodes`);
  const response = await post<GraphResponse>(conn, counter, '/composite/graph', {
    graphs: requests.map((r) => ({
      graphId: r.graphId,
      compositeRequest: r.nodes.map((sub) => withVersion(conn, sub)),
    })),
  });
  for (const request of requests) {
    const result = response.graphs?.find((g) => g.graphId === request.graphId);
    const subs = result?.graphResponse?.compositeResponse ?? [];
    const responses = new Map<string, SubResponse>();
    for (const r of subs) responses.set(r.referenceId, { httpStatusCode: r.httpStatusCode, body: r.body });
    const failed = subs.filter((r) => r.httpStatusCode >= 400);
    if (
      result !== undefined &&
      result.isSuccessful &&
      failed.length === 0 &&
      subs.length >= request.nodes.length
    ) {
      out.set(request.graphId, { ok: true, responses });
      continue;
    }
    const cause = failed.find((r) => subError(r)?.errorCode !== 'PROCESSING_HALTED') ?? failed[0];
    out.set(request.graphId, {
      ok: false,
      error: cause === undefined ? incomplete(request.graphId) : subrequestError(cause.referenceId, cause),
    });
  }
  return out;
}

/** The id a successful create node returned. */
export function createdId(responses: Map<string, SubResponse>, referenceId: string): string {
  const body = responses.get(referenceId)?.body as { id?: unknown } | undefined;
  if (typeof body?.id !== 'string') {
    throw new SalesforceError('transient', 'MISSING_ID', `${referenceId}: no id in the create result`);
  }
  return body.id;
}

/** Encodes one URL path segment (ids, object names) so nothing can change the path. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** `/query/?q=…` or `/queryAll/?q=…` with the SOQL encoded as one query-string value. */
export function queryUrl(soqlText: string, all = false): string {
  return `/${all ? 'queryAll' : 'query'}/?q=${encodeURIComponent(soqlText)}`;
}

/**
 * `fn` for every item, at most `limit` at once (a sync's calls in flight to one org). A rejection
 * stops the items not yet started and rejects with it; the ones under way are not waited for.
 */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  await Promise.all(lanes);
}
