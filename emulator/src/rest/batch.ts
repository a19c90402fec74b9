/**
 * Composite Batch: up to 25 independent subrequests, each committed on its own; haltOnError stops at
 * the first 4xx/5xx and answers 412 BATCH_PROCESSING_HALTED for the rest. Each subrequest counts
 * against the API limit.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_batch.htm
 */
import { notFoundBody } from '../errors.ts';
import type { RestHost } from './host.ts';
import {
  allow,
  decodeSegment,
  invalidRequest,
  requireObject,
  type Dispatch,
  type Reply,
  type RestRequest,
} from './resource.ts';

const MAX_BATCH = 25;
/** The resources a batch subrequest may call. */
const BATCHABLE = ['limits', 'sobjects', 'query', 'queryAll', 'search'];

export class BatchResource {
  readonly #host: Pick<RestHost, 'countExtra'>;
  readonly #dispatch: Dispatch;

  /** `dispatch` runs a subrequest through the router (given, not imported: no cycle). */
  constructor(host: Pick<RestHost, 'countExtra'>, dispatch: Dispatch) {
    this.#host = host;
    this.#dispatch = dispatch;
  }

  /** POST composite/batch */
  handle(req: RestRequest): Reply {
    allow(req.method, ['POST']);
    const body = requireObject(req.body);
    const { version } = req;
    const list = body.batchRequests;
    if (!Array.isArray(list) || list.length === 0) throw invalidRequest('batchRequests is required.');
    if (list.length > MAX_BATCH) {
      throw invalidRequest(`The number of batch subrequests exceeds the limit of ${MAX_BATCH}.`);
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
    this.#host.countExtra('batch', subs.length - 1);
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
      const reply: Reply = BATCHABLE.includes(parts[0] ?? '')
        ? this.#dispatch({
            method: sub.method,
            version: sub.version,
            path: parts,
            query: sub.url.searchParams,
            body: sub.body,
            headers: req.headers,
            inComposite: true,
          })
        : { status: 404, body: notFoundBody() };
      if (reply.status >= 400) {
        hasErrors = true;
        if (haltOnError) halted = true;
      }
      return { statusCode: reply.status, result: reply.body ?? null };
    });
    return { status: 200, body: { hasErrors, results } };
  }
}
