/**
 * Subrequests of Composite and Composite Graph: their validation, and running them in order through
 * the router with `@{referenceId.path}` references resolved from earlier answers.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_subrequest_result.htm
 */
import { ApiError, isApiError, notFound } from '../errors.ts';
import { decodeSegment, FORCE_ALL_OR_NONE, invalidRequest, type Dispatch, type Reply } from './resource.ts';

export interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

export interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

/** The answers of a sequence, and the index of the first failed subrequest (-1: none failed). */
export interface SequenceRun {
  responses: SubResponse[];
  failed: number;
}

const ROLLED_BACK = {
  errorCode: 'PROCESSING_HALTED',
  message: 'The transaction was rolled back since another operation in the same transaction failed.',
};

/**
 * The answers of a sequence rolled back as a whole: the failed subrequest keeps its own answer, every
 * other one (run or not) says it was rolled back.
 */
export function rolledBack(subs: Subrequest[], run: SequenceRun): SubResponse[] {
  return subs.map((sub, i) =>
    i === run.failed
      ? run.responses[i]!
      : { body: [ROLLED_BACK], httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId },
  );
}

/** Validates a `compositeRequest` list of at most `max` subrequests. */
export function parseSubrequests(list: unknown, max: number): Subrequest[] {
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
      Object.keys(headers).some((h) => ['accept', 'authorization', 'content-type'].includes(h.toLowerCase()))
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

/** One sequence to run: the enclosing request's version and headers, and what it lets subrequests do. */
export interface Sequence {
  version: string;
  subs: Subrequest[];
  headers: Readonly<Record<string, string | undefined>>;
  /** Stop at the first failure; an all-or-none sequence also makes its collections all-or-none. */
  haltOnError: boolean;
  /** Whether a subrequest may call this resource (the path after /services/data/vXX.X/). */
  allowed: (method: string, parts: string[]) => boolean;
}

/** What runs a sequence atomically: the org's store (its undo journal). */
export interface Transactional {
  transaction<T>(fn: () => T, shouldCommit: (result: T) => boolean): T;
}

/**
 * Runs a sequence in one transaction: a sequence that halts on an error (all-or-none) and met one is
 * rolled back whole; otherwise what succeeded stays.
 */
export function runInTransaction(store: Transactional, dispatch: Dispatch, sequence: Sequence): SequenceRun {
  return store.transaction(
    () => runSequence(dispatch, sequence),
    (run) => !(sequence.haltOnError && run.failed >= 0),
  );
}

/** Runs subrequests in order through `dispatch`, resolving `@{ref.path}`. */
export function runSequence(dispatch: Dispatch, sequence: Sequence): SequenceRun {
  const { version, subs, headers, haltOnError, allowed } = sequence;
  const results = new Map<string, { ok: boolean; body: unknown }>();
  const responses: SubResponse[] = [];
  let failed = -1;
  for (const [i, sub] of subs.entries()) {
    let reply: Reply;
    try {
      const url = resolve(sub.url, results, true) as string;
      const body = resolve(sub.body, results, false);
      const parsed = parseUrl(url);
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
      if (haltOnError) subHeaders[FORCE_ALL_OR_NONE] = 'true';
      else delete subHeaders[FORCE_ALL_OR_NONE];
      reply = dispatch({
        method: sub.method,
        version: subVersion,
        path: parts,
        query: parsed.searchParams,
        body,
        headers: subHeaders,
        inComposite: true,
      });
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

/** A path of letters, digits, `_`, `.` and `/` only, without a `.` or `..` segment to resolve. */
const PLAIN_PATH = /^\/[A-Za-z0-9_./]*$/;
const DOT_SEGMENT = /\/\.\.?(\/|$)/;

/**
 * A subrequest URL's path and query. Most (`/services/data/v66.0/sobjects/Event`) have no query,
 * nothing to decode and no dot segment: the URL parser would give their text back as the path, so it
 * is not run for them. Any other goes through it.
 */
function parseUrl(url: string): { pathname: string; searchParams: URLSearchParams } {
  if (PLAIN_PATH.test(url) && !DOT_SEGMENT.test(url))
    return { pathname: url, searchParams: new URLSearchParams() };
  return new URL(url, 'http://local');
}

type Results = Map<string, { ok: boolean; body: unknown }>;

/** Replaces `@{refId.path}` with values from earlier subresponses. */
function resolve(value: unknown, results: Results, inUrl: boolean): unknown {
  if (typeof value === 'string') {
    // Most values name no reference: no pattern to run.
    if (!value.includes('@{')) return value;
    const whole = /^@\{([^}]+)\}$/.exec(value);
    if (whole && !inUrl) return lookup(whole[1]!, results);
    return value.replace(/@\{([^}]+)\}/g, (_m, ref: string) => {
      const v = lookup(ref, results);
      return inUrl ? encodeURIComponent(String(v)) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, results, inUrl));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, results, inUrl)]));
  }
  return value;
}

function lookup(ref: string, results: Results): unknown {
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
