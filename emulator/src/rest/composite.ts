/**
 * The composite family.
 * Composite: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
 * Graph: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph.htm
 *   and its limits: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm
 * sObject Collections: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
 * sObject Tree: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobject_tree.htm
 */
import { ApiError, isApiError, notFound, notFoundBody } from '../errors.ts';
import { to18 } from '../ids.ts';
import { allow, decodeSegment, requireObject, type Reply } from './resource.ts';
import type { Rest } from './router.ts';

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const MAX_COMPOSITE = 25;
/** Of the 25, at most 5 may be query or sObject Collections subrequests. */
const MAX_COMPOSITE_HEAVY = 5;
const MAX_GRAPHS = 75;
const MAX_GRAPH_NODES = 500;
const MAX_GRAPH_DEPTH = 15;
const MAX_GRAPH_NODE_KINDS = 15;
const MAX_COLLECTION = 200;
const MAX_TREE = 200;
const MAX_TREE_DEPTH = 5;

const ROLLED_BACK = {
  errorCode: 'PROCESSING_HALTED',
  message: 'The transaction was rolled back since another operation in the same transaction failed.',
};

/** Internal marker (never accepted from clients) that an enclosing composite is all-or-none. */
export const FORCE_ALL_OR_NONE = 'x-localorg-force-all-or-none';

const invalidRequest = (message: string): ApiError => new ApiError('INVALID_REQUEST', message);

class Halt extends Error {}

export class Composite {
  readonly #rest: Rest;

  constructor(rest: Rest) {
    this.#rest = rest;
  }

  route(
    method: string,
    version: string,
    parts: string[],
    query: URLSearchParams,
    body: unknown,
    headers: Record<string, string | undefined>,
  ): Reply {
    const [kind, type, ...more] = parts;
    if (kind === undefined || kind === '') {
      allow(method, ['POST']);
      return this.#composite(version, requireObject(body), headers);
    }
    if (kind === 'batch' && type === undefined) {
      allow(method, ['POST']);
      return this.#batch(version, requireObject(body), headers);
    }
    if (kind === 'graph' && type === undefined) {
      allow(method, ['POST']);
      return this.#graph(version, requireObject(body), headers);
    }
    if (kind === 'sobjects' && more.length === 0) {
      return this.#collections(method, version, type, query, body, headers[FORCE_ALL_OR_NONE] === 'true');
    }
    // Upsert by external id, from API 46.0: PATCH composite/sobjects/{type}/{externalIdField}
    // (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm).
    if (kind === 'sobjects' && type && more.length === 1 && more[0] && Number(version) >= 46) {
      allow(method, ['PATCH']);
      return this.#collections(
        method,
        version,
        undefined,
        query,
        body,
        headers[FORCE_ALL_OR_NONE] === 'true',
        { type, field: more[0] },
      );
    }
    if (kind === 'tree' && type && more.length === 0) {
      allow(method, ['POST']);
      return this.#tree(version, type, requireObject(body));
    }
    throw notFound();
  }

  #parseSubrequests(list: unknown, max: number): Subrequest[] {
    if (!Array.isArray(list) || list.length === 0) {
      throw new ApiError('JSON_PARSER_ERROR', 'No subrequests were specified in the compositeRequest.');
    }
    if (list.length > max) {
      throw invalidRequest(`The number of subrequests exceeds the limit of ${max}.`);
    }
    const seen = new Set<string>();
    return list.map((raw: unknown) => {
      const r = (raw ?? {}) as Record<string, unknown>;
      const { method, url, referenceId } = r;
      if (typeof referenceId !== 'string' || referenceId === '') {
        throw invalidRequest("Missing required parameter 'referenceId'.");
      }
      if (!/^[A-Za-z0-9_]+$/.test(referenceId)) {
        throw invalidRequest(
          `Invalid referenceId ${referenceId}: only alphanumeric characters and underscores are allowed.`,
        );
      }
      if (seen.has(referenceId))
        throw invalidRequest(`Duplicate referenceId provided in the request: ${referenceId}`);
      seen.add(referenceId);
      // Methods are case-sensitive (POST, PUT, PATCH, GET, DELETE).
      if (typeof method !== 'string' || !['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(method)) {
        throw invalidRequest(`Invalid HTTP method for subrequest ${referenceId}.`);
      }
      const headers = (r.httpHeaders ?? {}) as Record<string, unknown>;
      // Accept, Authorization and Content-Type are inherited from the top-level request and may not be set.
      if (
        Object.keys(headers).some((h) =>
          ['accept', 'authorization', 'content-type'].includes(h.toLowerCase()),
        )
      ) {
        throw invalidRequest(
          `Subrequest ${referenceId} may not set the Accept, Authorization or Content-Type header.`,
        );
      }
      if (typeof url !== 'string' || !/^\/services\/data\/v\d+\.\d+\//.test(url)) {
        throw invalidRequest(`The url for subrequest ${referenceId} must start with /services/data/vXX.X/.`);
      }
      const out: Subrequest = { method, url, referenceId };
      if (r.body !== undefined) out.body = r.body;
      if (r.httpHeaders && typeof r.httpHeaders === 'object')
        out.httpHeaders = r.httpHeaders as Record<string, string>;
      return out;
    });
  }

  /** Runs subrequests in order, resolving `@{ref.path}`; returns false-y ok when one failed. */
  #runSequence(
    version: string,
    subs: Subrequest[],
    headers: Record<string, string | undefined>,
    haltOnError: boolean,
    allowed: (method: string, parts: string[]) => boolean,
  ): { responses: SubResponse[]; failed: number } {
    const forced = haltOnError;
    const results = new Map<string, { ok: boolean; body: unknown }>();
    const responses: SubResponse[] = [];
    let failed = -1;
    for (const [i, sub] of subs.entries()) {
      let reply: Reply;
      try {
        const url = this.#resolve(sub.url, results, true) as string;
        const body = this.#resolve(sub.body, results, false);
        const parsed = new URL(url, 'http://local');
        const m = /^\/services\/data\/v(\d+\.\d+)\/?(.*)$/.exec(parsed.pathname);
        const subVersion = m?.[1] ?? version;
        if (Number(subVersion) > Number(version)) throw notFound();
        const parts = (m?.[2] ?? '')
          .split('/')
          .filter((p, idx, all) => p !== '' || idx < all.length - 1)
          .map(decodeSegment);
        if (!allowed(sub.method, parts)) {
          throw invalidRequest(
            `The subrequest ${sub.referenceId} uses a resource this composite request does not support.`,
          );
        }
        const subHeaders = { ...headers };
        for (const [k, v] of Object.entries(sub.httpHeaders ?? {})) subHeaders[k.toLowerCase()] = v;
        // An all-or-none composite makes its sObject Collections subrequests all-or-none too
        // (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_allornone.htm).
        if (forced) subHeaders[FORCE_ALL_OR_NONE] = 'true';
        else delete subHeaders[FORCE_ALL_OR_NONE];
        reply = this.#rest.dispatch(
          sub.method,
          subVersion,
          parts,
          parsed.searchParams,
          body,
          subHeaders,
          true,
        );
      } catch (e) {
        if (!isApiError(e)) throw e;
        reply = { status: e.status, body: [e.toItem()] };
      }
      const ok = reply.status < 400 && !reply.partialFailure;
      results.set(sub.referenceId, { ok, body: reply.body });
      const httpHeaders: Record<string, string> = {};
      if (ok && sub.method === 'POST' && reply.status === 201) {
        const id = (reply.body as { id?: string } | undefined)?.id;
        if (id) httpHeaders.Location = `${sub.url.split('?')[0]!.replace(/\/$/, '')}/${id}`;
      }
      responses.push({
        body: reply.body ?? null,
        httpHeaders,
        httpStatusCode: reply.status,
        referenceId: sub.referenceId,
      });
      if (!ok && failed < 0) {
        failed = i;
        if (haltOnError) break;
      }
    }
    return { responses, failed };
  }

  /** Replaces `@{refId.path}` with values from earlier subresponses. */
  #resolve(value: unknown, results: Map<string, { ok: boolean; body: unknown }>, inUrl: boolean): unknown {
    if (typeof value === 'string') {
      const whole = /^@\{([^}]+)\}$/.exec(value);
      if (whole && !inUrl) return this.#lookup(whole[1]!, results);
      return value.replace(/@\{([^}]+)\}/g, (_m, ref: string) => {
        const v = this.#lookup(ref, results);
        return inUrl ? encodeURIComponent(String(v)) : String(v);
      });
    }
    if (Array.isArray(value)) return value.map((v) => this.#resolve(v, results, inUrl));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.#resolve(v, results, inUrl)]));
    }
    return value;
  }

  #lookup(ref: string, results: Map<string, { ok: boolean; body: unknown }>): unknown {
    const [refId, ...path] = ref.split('.');
    const found = results.get(refId ?? '');
    const fail = () =>
      new ApiError(
        'PROCESSING_HALTED',
        `Invalid reference specified. No value for ${ref} found in ${refId ?? ''}. Provided referenceId ${refId ?? ''} could not be found or the reference has failed.`,
      );
    if (!found || !found.ok) throw fail();
    let cur: unknown = found.body;
    for (const segment of path) {
      const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(segment);
      if (!m) throw fail();
      cur = (cur as Record<string, unknown> | undefined)?.[m[1]!];
      for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) cur = (cur as unknown[] | undefined)?.[Number(idx[1])];
    }
    if (cur === undefined) throw fail();
    return cur;
  }

  /**
   * Composite Batch: up to 25 independent subrequests, each committed on its own; haltOnError stops at
   * the first 4xx/5xx and answers 412 BATCH_PROCESSING_HALTED for the rest. Each subrequest counts
   * against the API limit.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_batch.htm
   */
  #batch(version: string, body: Record<string, unknown>, headers: Record<string, string | undefined>): Reply {
    const list = body.batchRequests;
    if (!Array.isArray(list) || list.length === 0) throw invalidRequest('batchRequests is required.');
    if (list.length > MAX_COMPOSITE) {
      throw invalidRequest(`The number of batch subrequests exceeds the limit of ${MAX_COMPOSITE}.`);
    }
    const subs = list.map((raw: unknown) => {
      const r = (raw ?? {}) as Record<string, unknown>;
      const m = typeof r.url === 'string' ? /^\/?(?:services\/data\/)?v(\d+\.\d+)\/(.*)$/.exec(r.url) : null;
      if (
        typeof r.method !== 'string' ||
        !['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(r.method) ||
        !m
      ) {
        throw invalidRequest('Each batch subrequest needs a valid method and a url like vXX.X/sobjects/….');
      }
      const subVersion = m[1]!;
      if (Number(subVersion) < 34 || Number(subVersion) > Number(version)) {
        throw invalidRequest(`Subrequest version ${subVersion} must be between 34.0 and ${version}.`);
      }
      return {
        method: r.method,
        version: subVersion,
        url: new URL(`/${m[2]!}`, 'http://local'),
        body: r.richInput,
      };
    });
    this.#rest.countExtra('batch', subs.length - 1);
    const haltOnError = body.haltOnError === true;
    let halted = false;
    let hasErrors = false;
    const results = subs.map((sub) => {
      if (halted) {
        return {
          statusCode: 412,
          result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }],
        };
      }
      const parts = sub.url.pathname.split('/').slice(1).map(decodeSegment);
      if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
      const allowed = ['limits', 'sobjects', 'query', 'queryAll', 'search'].includes(parts[0] ?? '');
      const reply: Reply = allowed
        ? this.#rest.dispatch(sub.method, sub.version, parts, sub.url.searchParams, sub.body, headers, true)
        : {
            status: 404,
            body: notFoundBody(),
          };
      if (reply.status >= 400) {
        hasErrors = true;
        if (haltOnError) halted = true;
      }
      return { statusCode: reply.status, result: reply.body ?? null };
    });
    return { status: 200, body: { hasErrors, results } };
  }

  #composite(
    version: string,
    body: Record<string, unknown>,
    headers: Record<string, string | undefined>,
  ): Reply {
    const subs = this.#parseSubrequests(body.compositeRequest, MAX_COMPOSITE);
    const heavy = subs.filter((s) => /\/(query|queryAll|composite\/sobjects)(\/|\?|$)/.test(s.url)).length;
    if (heavy > MAX_COMPOSITE_HEAVY) {
      throw invalidRequest(
        `A composite request may contain up to ${MAX_COMPOSITE_HEAVY} query or sObject Collections subrequests.`,
      );
    }
    const allOrNone = body.allOrNone === true;
    const allowed = (_m: string, parts: string[]) =>
      parts[0] === 'sobjects' ||
      parts[0] === 'query' ||
      parts[0] === 'queryAll' ||
      (parts[0] === 'composite' && parts[1] === 'sobjects');
    const store = this.#rest.org.store;
    let run: { responses: SubResponse[]; failed: number } = { responses: [], failed: -1 };
    store.transaction(
      () => {
        run = this.#runSequence(version, subs, headers, allOrNone, allowed);
        return run;
      },
      (r) => !(allOrNone && r.failed >= 0),
    );
    if (allOrNone && run.failed >= 0) {
      const responses = subs.map((sub, i) =>
        i === run.failed
          ? run.responses[i]!
          : { body: [ROLLED_BACK], httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId },
      );
      return { status: 200, body: { compositeResponse: responses } };
    }
    return { status: 200, body: { compositeResponse: run.responses } };
  }

  #graph(version: string, body: Record<string, unknown>, headers: Record<string, string | undefined>): Reply {
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
        throw invalidRequest(
          'graphId must start with an alphanumeric character and be at most 40 characters.',
        );
      }
      if (ids.has(graphId)) throw invalidRequest(`Duplicate graphId provided in the request: ${graphId}`);
      ids.add(graphId);
      const subs = this.#parseSubrequests(graph.compositeRequest, MAX_GRAPH_NODES);
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
    // Graph nodes may only be sObject resources.
    const allowed = (_m: string, parts: string[]) => parts[0] === 'sobjects' && parts.length >= 2;
    const store = this.#rest.org.store;
    let failures = 0;
    const out = parsed.map(({ graphId, subs }) => {
      if (failures > 14) {
        return {
          graphId,
          graphResponse: {
            compositeResponse: subs.map((s) => ({
              body: [ROLLED_BACK],
              httpHeaders: {},
              httpStatusCode: 400,
              referenceId: s.referenceId,
            })),
          },
          isSuccessful: false,
        };
      }
      // Each graph is its own transaction: it commits whole or not at all, whatever the others do.
      let run: { responses: SubResponse[]; failed: number } = { responses: [], failed: -1 };
      store.transaction(
        () => {
          run = this.#runSequence(version, subs, headers, true, allowed);
          return run;
        },
        (r) => r.failed < 0,
      );
      if (run.failed < 0)
        return { graphId, graphResponse: { compositeResponse: run.responses }, isSuccessful: true };
      failures++;
      return {
        graphId,
        graphResponse: {
          compositeResponse: subs.map((sub, i) =>
            i === run.failed
              ? run.responses[i]!
              : { body: [ROLLED_BACK], httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId },
          ),
        },
        isSuccessful: false,
      };
    });
    return { status: 200, body: { graphs: out } };
  }

  #collections(
    method: string,
    version: string,
    type: string | undefined,
    query: URLSearchParams,
    body: unknown,
    forceAllOrNone: boolean,
    upsert?: { type: string; field: string },
  ): Reply {
    const org = this.#rest.org;
    const upsertSchema = upsert ? org.requireSchema(upsert.type) : undefined;
    const upsertField = upsert && upsertSchema ? org.field(upsertSchema.name, upsert.field) : undefined;
    // A field that is not an external id answers as the single-record upsert does: NOT_FOUND.
    if (upsert && (!upsertField || !upsertField.externalId)) throw notFound();
    /** Ids the upsert created, so each result can say `created`. */
    const created = new Set<string>();
    if (type !== undefined) {
      allow(method, ['GET', 'POST']);
      const schema = org.apiSchema(type);
      const input = method === 'POST' ? requireObject(body) : {};
      const idList =
        method === 'POST' ? (input.ids as unknown[] | undefined)?.map(String) : query.get('ids')?.split(',');
      const fieldList =
        method === 'POST'
          ? (input.fields as unknown[] | undefined)?.map(String)
          : query.get('fields')?.split(',');
      if (!idList?.length || !fieldList?.length)
        throw new ApiError('MALFORMED_QUERY', 'ids and fields are required');
      if (idList.length > 2000)
        throw new ApiError(
          'EXCEEDED_ID_LIMIT',
          'record limit reached. cannot submit more than 2000 records into this call',
        );
      const records = idList.map((id) => {
        const id18 = to18(id.trim());
        const raw = id18 ? org.store.locate(id18) : undefined;
        const found = raw?.objectName === schema.name ? raw : id18 ? org.store.byId(id18) : undefined;
        if (!found || found.objectName !== schema.name || found.record.IsDeleted === true) return null;
        const user = org.restrictedUser;
        if (user && !user.canRead(schema.name, found.record)) return null;
        return this.#rest.renderRecord(
          version,
          schema.name,
          found.record,
          fieldList.map((f) => f.trim()),
        );
      });
      return { status: 200, body: records };
    }
    allow(method, ['POST', 'PATCH', 'DELETE']);
    let allOrNone: boolean;
    let items: { id?: string; run: () => string }[];
    if (method === 'DELETE') {
      const ids = (query.get('ids') ?? '').split(',').filter(Boolean);
      allOrNone = forceAllOrNone || query.get('allOrNone') === 'true';
      if (ids.length === 0) throw new ApiError('MALFORMED_ID', 'ids are required');
      checkCount(ids.length);
      items = ids.map((id) => ({ id, run: () => (org.remove(undefined, id), to18(id) ?? id) }));
    } else {
      const input = requireObject(body);
      allOrNone = forceAllOrNone || input.allOrNone === true;
      const records = input.records;
      if (!Array.isArray(records)) throw new ApiError('JSON_PARSER_ERROR', 'records must be an array');
      checkCount(records.length);
      items = records.map((raw: unknown) => {
        const rec = (raw ?? {}) as Record<string, unknown>;
        const attributes = rec.attributes as { type?: unknown } | undefined;
        const t = typeof attributes?.type === 'string' ? attributes.type : undefined;
        // Field names are case-insensitive: the reference's examples send `id`, clients often `Id`
        // (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm).
        const idKey = Object.keys(rec).find((k) => k.toLowerCase() === 'id');
        const { [idKey ?? 'id']: rawId, ...fields } = rec;
        const id = typeof rawId === 'string' ? rawId : undefined;
        return {
          ...(id !== undefined ? { id } : {}),
          run: () => {
            if (!t) throw new ApiError('INVALID_TYPE', 'Must send a concrete entity type.');
            if (upsertSchema && upsertField) {
              // "Only external ids are supported. Don't use record ids."; the list holds only the
              // URI's type.
              if (t.toLowerCase() !== upsertSchema.name.toLowerCase())
                throw new ApiError('INVALID_TYPE', `sObject type must be ${upsertSchema.name}`);
              if (id !== undefined)
                throw new ApiError('INVALID_FIELD', 'cannot specify Id in an upsert call', ['Id']);
              const key = Object.keys(fields).find((k) => k.toLowerCase() === upsertField.name.toLowerCase());
              const value = key === undefined ? undefined : fields[key];
              if (value === undefined || value === null || value === '')
                throw new ApiError('MISSING_ARGUMENT', `${upsertField.name} not specified`, []);
              try {
                const r = org.upsert(upsertSchema.name, upsertField.name, String(value), fields);
                if (r.created) created.add(r.id);
                return r.id;
              } catch (e) {
                // Several matches: the API's StatusCode for an upsert whose external id is not unique.
                if (isApiError(e) && e.status === 300)
                  throw new ApiError('DUPLICATE_EXTERNAL_ID', e.message, [upsertField.name]);
                throw e;
              }
            }
            if (method === 'POST') {
              if (id !== undefined)
                throw new ApiError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
              return org.create(t, fields);
            }
            if (!id) throw new ApiError('MISSING_ARGUMENT', 'Id not specified in an update call', []);
            org.update(t, id, fields);
            return to18(id) ?? id;
          },
        };
      });
    }
    type Result = { id?: string; success: boolean; errors: unknown[]; created?: boolean };
    const results: Result[] = [];
    let anyFailed = false;
    org.store.transaction(
      () => {
        for (const item of items) {
          // Each record is its own savepoint: a failed record leaves no partial writes behind.
          try {
            const id = org.store.transaction(() => item.run());
            results.push(
              upsert
                ? { id, success: true, errors: [], created: created.has(id) }
                : { id, success: true, errors: [] },
            );
          } catch (e) {
            if (!isApiError(e)) throw e;
            anyFailed = true;
            const r: Result = { success: false, errors: [e.toSaveError()] };
            if (method !== 'POST' && item.id) r.id = item.id;
            results.push(r);
          }
        }
      },
      () => !(allOrNone && anyFailed),
    );
    if (allOrNone && anyFailed) {
      return {
        status: 200,
        partialFailure: true,
        body: results.map((r) =>
          r.success
            ? {
                success: false,
                errors: [
                  {
                    statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                    message:
                      'Record rolled back because not all records were valid and the request was using AllOrNone header',
                    fields: [],
                  },
                ],
                // A record the upsert created and the rollback removed has no id to report.
                ...(method !== 'POST' && r.id && !created.has(r.id) ? { id: r.id } : {}),
              }
            : r,
        ),
      };
    }
    return { status: 200, body: results, partialFailure: anyFailed && forceAllOrNone };
  }

  #tree(version: string, type: string, body: Record<string, unknown>): Reply {
    const org = this.#rest.org;
    const rootSchema = org.requireSchema(type);
    const records = body.records;
    if (!Array.isArray(records) || records.length === 0) {
      throw new ApiError('JSON_PARSER_ERROR', 'records are required');
    }
    let count = 0;
    const refIds = new Set<string>();
    const validate = (list: unknown[], objectName: string, level: number): void => {
      if (level > MAX_TREE_DEPTH)
        throw invalidRequest(`The request exceeds the maximum depth of ${MAX_TREE_DEPTH} levels.`);
      for (const raw of list) {
        count++;
        const rec = (raw ?? {}) as Record<string, unknown>;
        const attrs = (rec.attributes ?? {}) as { type?: unknown; referenceId?: unknown };
        if (typeof attrs.referenceId !== 'string' || attrs.referenceId === '') {
          throw invalidRequest('Include a reference ID for each record in the request.');
        }
        if (refIds.has(attrs.referenceId))
          throw invalidRequest(`Duplicate ReferenceId provided in the request: ${attrs.referenceId}`);
        refIds.add(attrs.referenceId);
        if (typeof attrs.type !== 'string' || attrs.type.toLowerCase() !== objectName.toLowerCase()) {
          throw invalidRequest(`The type ${String(attrs.type)} does not match ${objectName}.`);
        }
        const schema = org.requireSchema(objectName);
        for (const [k, v] of Object.entries(rec)) {
          if (k === 'attributes' || !v || typeof v !== 'object' || Array.isArray(v)) continue;
          const rel = schema.childRelationships.find(
            (c) => c.relationshipName?.toLowerCase() === k.toLowerCase(),
          );
          if (!rel) continue;
          validate(((v as { records?: unknown[] }).records ?? []) as unknown[], rel.childSObject, level + 1);
        }
      }
    };
    validate(records, rootSchema.name, 1);
    if (count > MAX_TREE) throw invalidRequest(`The request exceeds the limit of ${MAX_TREE} records.`);

    const results: { referenceId: string; id: string }[] = [];
    let failure: { referenceId: string; errors: unknown[] } | undefined;
    const insert = (list: unknown[], objectName: string, parent?: { field: string; id: string }): void => {
      const schema = org.requireSchema(objectName);
      for (const raw of list) {
        const rec = raw as Record<string, unknown>;
        const referenceId = (rec.attributes as { referenceId: string }).referenceId;
        const fields: Record<string, unknown> = {};
        const children: { rel: string; child: string; field: string; list: unknown[] }[] = [];
        for (const [k, v] of Object.entries(rec)) {
          if (k === 'attributes') continue;
          const rel = schema.childRelationships.find(
            (c) => c.relationshipName?.toLowerCase() === k.toLowerCase(),
          );
          if (rel && v && typeof v === 'object' && !Array.isArray(v)) {
            children.push({
              rel: k,
              child: rel.childSObject,
              field: rel.field,
              list: ((v as { records?: unknown[] }).records ?? []) as unknown[],
            });
          } else fields[k] = v;
        }
        if (parent) fields[parent.field] = parent.id;
        let id: string;
        try {
          id = org.create(objectName, fields);
        } catch (e) {
          if (!isApiError(e)) throw e;
          failure = { referenceId, errors: [e.toSaveError()] };
          throw new Halt();
        }
        results.push({ referenceId, id });
        for (const c of children) insert(c.list, c.child, { field: c.field, id });
      }
    };
    try {
      // The whole tree is one transaction: any failure rolls back every record.
      org.store.transaction(() => insert(records, rootSchema.name));
    } catch (e) {
      if (!(e instanceof Halt)) throw e;
    }
    if (failure) return { status: 400, body: { hasErrors: true, results: [failure] } };
    return { status: 201, body: { hasErrors: false, results } };
  }
}

function checkCount(n: number): void {
  if (n > MAX_COLLECTION) {
    throw new ApiError(
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`,
    );
  }
}

/** Longest chain of `@{ref}` dependencies in a graph. */
function depth(subs: Subrequest[]): number {
  const memo = new Map<string, number>();
  const byRef = new Map(subs.map((s) => [s.referenceId, s]));
  const d = (s: Subrequest, seen: Set<string>): number => {
    const cached = memo.get(s.referenceId);
    if (cached !== undefined) return cached;
    const text = s.url + JSON.stringify(s.body ?? null);
    let best = 1;
    for (const m of text.matchAll(/@\{([A-Za-z0-9_]+)[.}]/g)) {
      const dep = byRef.get(m[1]!);
      if (dep && !seen.has(dep.referenceId))
        best = Math.max(best, 1 + d(dep, new Set([...seen, s.referenceId])));
    }
    memo.set(s.referenceId, best);
    return best;
  };
  return Math.max(0, ...subs.map((s) => d(s, new Set())));
}
