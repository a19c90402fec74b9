/**
 * Composite Graph: up to 75 graphs of sObject subrequests, each graph its own all-or-nothing
 * transaction whatever the others do.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph.htm
 * and its limits: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm
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
import { parseSubrequests, rolledBack, runInTransaction, type Subrequest } from './subrequests.ts';

const MAX_GRAPHS = 75;
const MAX_GRAPH_NODES = 500;
const MAX_GRAPH_DEPTH = 15;
const MAX_GRAPH_NODE_KINDS = 15;
/** After this many failed graphs the rest are not run: each answers as rolled back. */
const MAX_FAILED_GRAPHS = 15;

/** Graph nodes may only be sObject resources. */
const allowed = (_m: string, parts: string[]): boolean => parts[0] === 'sobjects' && parts.length >= 2;

export class GraphResource {
  readonly #org: Org;
  readonly #dispatch: Dispatch;

  /** `dispatch` runs a node through the router (given, not imported: no cycle). */
  constructor(host: Pick<RestHost, 'org'>, dispatch: Dispatch) {
    this.#org = host.org;
    this.#dispatch = dispatch;
  }

  /** POST composite/graph */
  handle(req: RestRequest): Reply {
    allow(req.method, ['POST']);
    const parsed = parseGraphs(requireObject(req.body));
    let failures = 0;
    const out = parsed.map(({ graphId, subs }) => {
      if (failures >= MAX_FAILED_GRAPHS) {
        return {
          graphId,
          graphResponse: { compositeResponse: rolledBack(subs, { responses: [], failed: -1 }) },
          isSuccessful: false,
        };
      }
      // Each graph is its own transaction: it commits whole or not at all, whatever the others do.
      const run = runInTransaction(this.#org.store, this.#dispatch, {
        version: req.version,
        subs,
        headers: req.headers,
        haltOnError: true,
        allowed,
      });
      if (run.failed < 0)
        return { graphId, graphResponse: { compositeResponse: run.responses }, isSuccessful: true };
      failures++;
      return { graphId, graphResponse: { compositeResponse: rolledBack(subs, run) }, isSuccessful: false };
    });
    return { status: 200, body: { graphs: out } };
  }
}

/** Validates the graphs of a request against the documented limits. */
function parseGraphs(body: Record<string, unknown>): { graphId: string; subs: Subrequest[] }[] {
  const graphs = body.graphs;
  if (!Array.isArray(graphs) || graphs.length === 0)
    throw invalidRequest('No graphs were specified in the request.');
  if (graphs.length > MAX_GRAPHS)
    throw invalidRequest(`The number of graphs exceeds the limit of ${MAX_GRAPHS}.`);
  const ids = new Set<string>();
  let nodes = 0;
  const parsed = graphs.map((g: unknown) => {
    const graph = (g ?? {}) as Record<string, unknown>;
    const graphId = graph.graphId;
    // The graph reference asks only that a graphId be unique, begin with an alphanumeric character
    // and stay under 40 characters; other characters (a hyphen, say) are not refused.
    if (typeof graphId !== 'string' || !/^[A-Za-z0-9].{0,39}$/.test(graphId)) {
      throw invalidRequest('graphId must start with an alphanumeric character and be at most 40 characters.');
    }
    if (ids.has(graphId)) throw invalidRequest(`Duplicate graphId provided in the request: ${graphId}`);
    ids.add(graphId);
    const subs = parseSubrequests(graph.compositeRequest, MAX_GRAPH_NODES);
    nodes += subs.length;
    if (depth(subs) > MAX_GRAPH_DEPTH)
      throw invalidRequest(`Graph ${graphId} exceeds the maximum depth of ${MAX_GRAPH_DEPTH}.`);
    return { graphId, subs };
  });
  if (nodes > MAX_GRAPH_NODES)
    throw invalidRequest(`The number of nodes exceeds the limit of ${MAX_GRAPH_NODES}.`);
  // Nodes differ when their API version, HTTP method or object differ; a payload may hold 15 kinds.
  const kinds = new Set(
    parsed.flatMap(({ subs }) =>
      subs.map((sub) => {
        const m = /^\/services\/data\/v(\d+\.\d+)\/sobjects\/([^/?]+)/.exec(sub.url);
        return `${m?.[1] ?? ''} ${sub.method} ${(m?.[2] ?? sub.url).toLowerCase()}`;
      }),
    ),
  );
  if (kinds.size > MAX_GRAPH_NODE_KINDS) {
    throw invalidRequest(`The payload uses more than ${MAX_GRAPH_NODE_KINDS} different kinds of nodes.`);
  }
  return parsed;
}

/** Longest chain of `@{ref}` dependencies in a graph. */
function depth(subs: Subrequest[]): number {
  const memo = new Map<string, number>();
  const byRef = new Map(subs.map((s) => [s.referenceId, s]));
  const refs = new Map(subs.map((s) => [s.referenceId, referencesOf(s)]));
  const d = (s: Subrequest, seen: Set<string>): number => {
    const cached = memo.get(s.referenceId);
    if (cached !== undefined) return cached;
    let best = 1;
    for (const ref of refs.get(s.referenceId) ?? []) {
      const dep = byRef.get(ref);
      if (dep && !seen.has(dep.referenceId))
        best = Math.max(best, 1 + d(dep, new Set([...seen, s.referenceId])));
    }
    memo.set(s.referenceId, best);
    return best;
  };
  return Math.max(0, ...subs.map((s) => d(s, new Set())));
}

/**
 * The referenceIds a node names, in the order they appear: a reference lies inside one string of
 * the node (its URL, a key or a value of its body). One walk, without copying the body.
 */
function referencesOf(s: Subrequest): string[] {
  const out: string[] = [];
  const scan = (text: string): void => {
    if (!text.includes('@{')) return;
    for (const m of text.matchAll(/@\{([A-Za-z0-9_]+)[.}]/g)) out.push(m[1]!);
  };
  const walk = (value: unknown): void => {
    if (typeof value === 'string') scan(value);
    else if (Array.isArray(value)) for (const v of value) walk(v);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        scan(k);
        walk(v);
      }
    }
  };
  scan(s.url);
  walk(s.body);
  return out;
}
