/**
 * Salesforce's REST error shape: a JSON array of `{message, errorCode, fields?}` with the HTTP status
 * Salesforce uses for that code.
 * See https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */

export interface ErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** The status Salesforce answers with for an error code when the code alone decides it. */
const STATUS_BY_CODE: Record<string, number> = {
  NOT_FOUND: 404,
  ENTITY_IS_DELETED: 404,
  INVALID_SESSION_ID: 401,
  REQUEST_LIMIT_EXCEEDED: 403,
  INSUFFICIENT_ACCESS: 403,
  API_DISABLED_FOR_ORG: 403,
  METHOD_NOT_ALLOWED: 405,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SERVER_UNAVAILABLE: 503,
  UNKNOWN_EXCEPTION: 500,
  CONFLICT: 409,
};

/**
 * The one base of every error the local org answers with Salesforce's error body: an `errorCode`, a
 * message, the fields at fault and the HTTP status. The REST layer renders any of them the same way;
 * the subclasses say where they come from (DML and resources: ApiError; the SOQL/SOSL engine:
 * QueryError).
 */
export class SalesforceError extends Error {
  readonly errorCode: string;
  readonly status: number;
  readonly fields: string[] | undefined;

  constructor(errorCode: string, message: string, fields?: string[], status?: number) {
    super(message);
    this.errorCode = errorCode;
    this.fields = fields;
    this.status = status ?? STATUS_BY_CODE[errorCode] ?? 400;
  }

  /** The item of the REST error body (`[{message, errorCode, fields?}]`). */
  toItem(): ErrorItem {
    const item: ErrorItem = { message: this.message, errorCode: this.errorCode };
    if (this.fields !== undefined) item.fields = this.fields;
    return item;
  }
}

/** Errors of DML and of the REST resources; their status comes from the code unless given. */
export class ApiError extends SalesforceError {
  /** The SaveResult error shape used by sObject Collections and composite/tree (`statusCode`, not `errorCode`). */
  toSaveError(): { statusCode: string; message: string; fields: string[] } {
    return { statusCode: this.errorCode, message: this.message, fields: this.fields ?? [] };
  }
}

/** REQUIRED_FIELD_MISSING naming the fields a save left empty, as every save path reports it. */
export const requiredFieldsMissing = (fields: string[]): ApiError =>
  new ApiError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${fields.join(', ')}]`, fields);

const NOT_FOUND_MESSAGE = 'The requested resource does not exist';

export const notFound = (): ApiError => new ApiError('NOT_FOUND', NOT_FOUND_MESSAGE);

/** The 404 body for a path no resource serves; it names errorCode first, unlike `toItem()`. */
export const notFoundBody = (): ErrorItem[] => [{ errorCode: 'NOT_FOUND', message: NOT_FOUND_MESSAGE }];

/** Errors raised by DML carry a status of 400 unless their code says otherwise. */
export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Whether an error is one the REST layer answers as Salesforce's error body. */
export function isSalesforceError(e: unknown): e is SalesforceError {
  return e instanceof SalesforceError;
}
