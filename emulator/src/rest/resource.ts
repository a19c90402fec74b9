/**
 * What every REST resource handler shares: the reply shape, the allowed methods, a JSON object body
 * and path segment decoding. Its own module so that the router and the composite resources it
 * dispatches to both use it without importing each other (no import cycles).
 */
import { ApiError } from '../errors.ts';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: { contentType: string; data: string };
  /** An sObject Collections reply where some record failed (an all-or-none composite rolls back on it). */
  partialFailure?: boolean;
}

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
