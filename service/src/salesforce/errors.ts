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
