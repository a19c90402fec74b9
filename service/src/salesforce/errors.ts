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
  'API_DISABLED_FOR_ORG',
  'API_CURRENTLY_DISABLED',
  'ORG_LOCKED',
]);

/** The permission set the connecting user needs (force-app/main/default/permissionsets). */
const INTEGRATION_PERMISSION_SET = 'Salescaling Integration User';

/**
 * What an admin does about a record error, by Salesforce error code. These are the org's own
 * security and rules refusing a meeting: they are `record` errors (the meeting is `failed` at once,
 * never retried on its own) and the admin fixes the cause, then resyncs. `{fields}` names the fields
 * Salesforce reported. Codes: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 * (docs/admin-guide.md has the same table).
 */
export const ADMIN_REASONS: Readonly<Record<string, string>> = {
  INSUFFICIENT_ACCESS_OR_READONLY: `the connected Salesforce user may not edit this meeting's records. Activities are Controlled by Parent by default: editing or deleting a seller's meeting needs edit access to the Contacts, Account, Opportunity or Lead it is linked to. Assign the ${INTEGRATION_PERMISSION_SET} permission set (read and edit on those objects) and make sure sharing gives the user edit access to those records`,
  INSUFFICIENT_ACCESS: `the connected Salesforce user lacks a permission this meeting needs. Assign the ${INTEGRATION_PERMISSION_SET} permission set and check the connection status for what is missing`,
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: `the connected Salesforce user cannot see or relate a record the meeting links to or is owned by ({fields}). Share those records with the user (role hierarchy or a sharing rule) and keep the ${INTEGRATION_PERMISSION_SET} permission set assigned`,
  FIELD_CUSTOM_VALIDATION_EXCEPTION: `a validation rule in your org refused the meeting (its message is above). Let the rule pass for the Salescaling integration user (for example, exclude that user or its permission set), then resync`,
  REQUIRED_FIELD_MISSING: `your org requires a field Salescaling does not fill ({fields}). Make it optional on Event/Task or give it a default value, then resync`,
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: `a restricted picklist in your org does not take the value Salescaling writes ({fields}; the Event Type is "Meeting"). Add the value to the picklist, or recheck the connection so Salescaling leaves Type out, then resync`,
  FIELD_INTEGRITY_EXCEPTION: `Salesforce refused how the meeting's records relate ({fields}): a related record or owner that is not allowed there. Check the records named in the message, then resync`,
  CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: `an automation in your org (an Apex trigger, a flow or a process) failed on the meeting's records (its message is above). Fix the automation or let it skip the Salescaling integration user, then resync`,
  INVALID_FIELD_FOR_INSERT_UPDATE: `the connected Salesforce user may not write a field ({fields}). Grant edit access to it (field-level security) with the ${INTEGRATION_PERMISSION_SET} permission set, then resync`,
  INACTIVE_OWNER_OR_USER: `the meeting's owner is an inactive Salesforce user. Reactivate the user or resend the meeting once its organizer has an active user, then resync`,
};

/** The admin-facing sentence for a Salesforce error code, or undefined when there is none. */
export function adminReason(errorCode: string, fields: readonly string[] = []): string | undefined {
  const text = ADMIN_REASONS[errorCode.toUpperCase()];
  if (text === undefined) return undefined;
  return text.replace('{fields}', fields.length > 0 ? fields.join(', ') : 'see the message');
}

/** Salesforce's message followed by what an admin does about it, as the meeting status shows it. */
export function withAdminReason(errorCode: string, message: string, fields: readonly string[] = []): string {
  const reason = adminReason(errorCode, fields);
  return reason === undefined ? message : `${message} — Fix: ${reason}.`;
}

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

/**
 * The call got no answer from Salesforce (abandoned after the call timeout, or a network failure): a
 * write it carried may have run, or may still run. Any answer — saved, refused, 5xx, limit — means the
 * write's transaction is over and cannot land later.
 */
export function isUnanswered(err: unknown): boolean {
  if (!(err instanceof SalesforceError)) return false;
  if (err.statusCode !== undefined) return false;
  const code = err.errorCode;
  return (
    code === 'REQUEST_TIMEOUT' ||
    code === 'FETCH_FAILED' ||
    NETWORK_CODES.has(code) ||
    NETWORK_NAMES.has(code)
  );
}

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
  const fieldsRaw = err['fields'] ?? body?.['fields'];
  const fields = Array.isArray(fieldsRaw) ? fieldsRaw.filter((f): f is string => typeof f === 'string') : [];
  const message = withAdminReason(errorCode, stringField(err, 'message') ?? errorCode, fields);
  const options: { fields: readonly string[]; statusCode?: number; cause: unknown } = { fields, cause: err };
  if (statusCode !== undefined) options.statusCode = statusCode;
  return new SalesforceError(kindOfErrorCode(errorCode, statusCode), errorCode, message, options);
}
