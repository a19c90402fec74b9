/**
 * Salesforce failures as exported error classes, keyed by Salesforce's `errorCode`, so the worker can
 * decide what to do without parsing strings. jsforce does not export its own error classes, so errors
 * are classified by `errorCode`/`name`, never by `instanceof` on jsforce types.
 * Error codes: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */

/**
 * - transient: try again later with backoff (UNABLE_TO_LOCK_ROW, 5xx, network errors)
 * - limit: the org's API allowance is spent (REQUEST_LIMIT_EXCEEDED); try much later
 * - auth: the session or grant is not valid (INVALID_SESSION_ID, invalid_grant)
 * - record: this meeting's data was refused (field or record errors); retrying will not help
 */
export type SalesforceErrorKind = 'transient' | 'limit' | 'auth' | 'record';

export class SalesforceError extends Error {
  override readonly name: string = 'SalesforceError';
  readonly kind: SalesforceErrorKind;
  readonly errorCode: string;
  readonly fields: readonly string[];
  readonly statusCode: number | undefined;

  constructor(
    kind: SalesforceErrorKind,
    errorCode: string,
    message: string,
    options: { fields?: readonly string[]; statusCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.errorCode = errorCode;
    this.fields = options.fields ?? [];
    this.statusCode = options.statusCode;
  }
}

/** Codes Salesforce documents as "try again": lock contention, timeouts, maintenance. */
const TRANSIENT_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
  'CONCURRENT_REQUESTS_LIMIT_EXCEEDED',
  'TEMPORARY_ERROR',
  'SERVICE_UNAVAILABLE',
  'PROCESSING_HALTED',
  // A composite answer without the subrequest's result: the request may not have run.
  'NO_RESPONSE',
]);

const LIMIT_CODES = new Set([
  'REQUEST_LIMIT_EXCEEDED',
  'TOTAL_REQUESTS_LIMIT_EXCEEDED',
  'API_LIMIT_EXCEEDED',
]);

/** The grant or the org refuses the session itself: refresh, or mark the connection broken. */
const AUTH_CODES = new Set([
  'INVALID_SESSION_ID',
  'INVALID_AUTH_HEADER',
  'INVALID_GRANT',
  'INVALID_CLIENT',
  'INVALID_CLIENT_ID',
  'UNAUTHORIZED',
  'INACTIVE_OWNER_OR_USER',
  'API_DISABLED_FOR_ORG',
  'API_CURRENTLY_DISABLED',
  'ORG_LOCKED',
]);

/** Node/undici network failures: the request may not have reached Salesforce at all. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const NETWORK_NAMES = new Set(['AbortError', 'TimeoutError', 'FetchError']);

/** The kind of failure a Salesforce error code means; record errors for anything unrecognised. */
export function kindOfErrorCode(errorCode: string, statusCode?: number): SalesforceErrorKind {
  const code = errorCode.toUpperCase();
  if (LIMIT_CODES.has(code) || statusCode === 429) return 'limit';
  if (TRANSIENT_CODES.has(code) || NETWORK_CODES.has(code)) return 'transient';
  if (AUTH_CODES.has(code) || statusCode === 401) return 'auth';
  if (statusCode !== undefined && statusCode >= 500) return 'transient';
  return 'record';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function stringField(value: Record<string, unknown>, key: string): string | undefined {
  const v = value[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** jsforce names HTTP failures without a JSON body `ERROR_HTTP_<status>`. */
function statusFromCode(code: string): number | undefined {
  const m = /^ERROR_HTTP_(\d{3})$/.exec(code);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** A network failure anywhere in the cause chain (undici puts the socket error in `cause`). */
function networkCode(err: Record<string, unknown>, depth = 0): string | undefined {
  const code = stringField(err, 'code');
  if (code !== undefined && NETWORK_CODES.has(code)) return code;
  const name = stringField(err, 'name');
  if (name !== undefined && NETWORK_NAMES.has(name)) return name;
  if (name === 'TypeError' && stringField(err, 'message') === 'fetch failed') return 'FETCH_FAILED';
  const cause = err['cause'];
  return depth < 4 && isObject(cause) ? networkCode(cause, depth + 1) : undefined;
}

/**
 * Turns whatever a Salesforce call threw — a jsforce HttpApiError (`errorCode`, `data`), a Salesforce
 * error body (`[{errorCode, message, fields}]`), an OAuth error (`{error, error_description}`), or a
 * network error — into a SalesforceError with its kind.
 */
export function classifySalesforceError(err: unknown): SalesforceError {
  if (err instanceof SalesforceError) return err;
  if (Array.isArray(err)) {
    const first: unknown = err[0];
    if (isObject(first)) return classifySalesforceError(first);
  }
  if (!isObject(err)) return new SalesforceError('record', 'UNKNOWN_ERROR', String(err), { cause: err });

  const net = networkCode(err);
  if (net !== undefined) {
    return new SalesforceError('transient', net, stringField(err, 'message') ?? net, { cause: err });
  }

  const oauthError = stringField(err, 'error');
  if (oauthError !== undefined && stringField(err, 'errorCode') === undefined) {
    const code = oauthError.toUpperCase();
    const kind = code === 'INVALID_GRANT' || code === 'INVALID_CLIENT' ? 'auth' : kindOfErrorCode(code);
    return new SalesforceError(kind, oauthError, stringField(err, 'error_description') ?? oauthError, {
      cause: err,
    });
  }

  // jsforce: `errorCode` (also its `name`), the parsed body in `data`; Salesforce bodies: `errorCode`.
  const data = err['data'];
  // jsforce folds a body of several errors into MULTIPLE_API_ERRORS; the first one says what happened.
  if (stringField(err, 'errorCode') === 'MULTIPLE_API_ERRORS' && Array.isArray(data) && isObject(data[0])) {
    const first = classifySalesforceError(data[0]);
    return new SalesforceError(first.kind, first.errorCode, first.message, {
      fields: first.fields,
      cause: err,
    });
  }
  // jsforce rethrows a failed session refresh as a plain Error, dropping the cause
  // (lib/session-refresh-delegate.js): it is still the session that was refused.
  const plainMessage = stringField(err, 'message');
  if (
    stringField(err, 'errorCode') === undefined &&
    plainMessage?.startsWith('Unable to refresh session due to:')
  ) {
    return new SalesforceError('auth', 'INVALID_SESSION_ID', plainMessage, { statusCode: 401, cause: err });
  }
  const body = isObject(data) ? data : undefined;
  const errorCode =
    stringField(err, 'errorCode') ??
    (body === undefined ? undefined : stringField(body, 'errorCode')) ??
    stringField(err, 'name') ??
    'UNKNOWN_ERROR';
  const statusRaw = err['statusCode'] ?? err['status'];
  const statusCode = typeof statusRaw === 'number' ? statusRaw : statusFromCode(errorCode);
  const message = stringField(err, 'message') ?? errorCode;
  const fieldsRaw = err['fields'] ?? body?.['fields'];
  const fields = Array.isArray(fieldsRaw) ? fieldsRaw.filter((f): f is string => typeof f === 'string') : [];
  const options: { fields: readonly string[]; statusCode?: number; cause: unknown } = { fields, cause: err };
  if (statusCode !== undefined) options.statusCode = statusCode;
  return new SalesforceError(kindOfErrorCode(errorCode, statusCode), errorCode, message, options);
}
