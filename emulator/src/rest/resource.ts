/**
 * What every REST resource handler shares: the request it is handed, the reply it gives, the allowed
 * methods, a JSON object body and path segment decoding. Its own module so that the router and the
 * resources it dispatches to (composite ones dispatch back through a function they are given) use it
 * without importing each other.
 */
import { ApiError } from '../errors.ts';
import type { ObjectSchema } from '../schema/types.ts';

/** One REST request as a resource handler sees it (a composite subrequest is one too). */
export interface RestRequest {
  /** The HTTP method; HEAD arrives as GET (the HTTP layer drops the body). */
  readonly method: string;
  /** The API version of the URL, `66.0`. */
  readonly version: string;
  /**
   * The decoded path segments below what routed the request here: the whole path after
   * `/services/data/vXX.X/` for the router, the segments after `query/`, `sobjects/{type}/`,
   * `composite/sobjects/`, … for a resource.
   */
  readonly path: readonly string[];
  readonly query: URLSearchParams;
  /** The parsed JSON body, undefined when there is none. */
  readonly body: unknown;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Whether this is a subrequest of a composite request (some resources are not served there). */
  readonly inComposite: boolean;
}

/**
 * A request under `sobjects/{type}/`: the router resolves the type once, as the running user sees it,
 * because an unknown or hidden object answers NOT_FOUND before any method check.
 */
export interface SObjectRequest extends RestRequest {
  readonly schema: ObjectSchema;
}

/** Runs one request through the router (how composite resources run their subrequests). */
export type Dispatch = (request: RestRequest) => Reply;

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: { contentType: string; data: string };
  /** An sObject Collections reply where some record failed (an all-or-none composite rolls back on it). */
  partialFailure?: boolean;
}

/** Internal marker (never accepted from clients) that an enclosing composite is all-or-none. */
export const FORCE_ALL_OR_NONE = 'x-localorg-force-all-or-none';

/** Decodes one URL path segment; a malformed escape stays as it was (it then matches nothing). */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) {
    // Every resource that answers GET answers HEAD too, and Salesforce lists it first
    // (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm).
    const listed = methods.includes('GET') ? ['HEAD', ...methods] : methods;
    throw new ApiError(
      'METHOD_NOT_ALLOWED',
      `HTTP Method '${method}' not allowed. Allowed are ${listed.join(',')}`,
      undefined,
      405,
    );
  }
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('JSON_PARSER_ERROR', 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** The `?fields=` list of a record read, when given. */
export function fieldsParam(query: URLSearchParams): string[] | undefined {
  return query
    .get('fields')
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

/** The composite family's refusal of a request it cannot run (too many subrequests, a bad reference…). */
export const invalidRequest = (message: string): ApiError => new ApiError('INVALID_REQUEST', message);
