/**
 * The one error type of the use-cases and the HTTP API: a snake_case code, an HTTP status, a sentence,
 * maybe details. Outside http/ so that the use-cases (connect, settings, backfill…) depend on no HTTP
 * module; http/error-middleware.ts turns it into the response.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const unauthorized = (code: string, message: string) => new AppError(401, code, message);
export const notFound = (code: string, message: string) => new AppError(404, code, message);
export const unprocessable = (message: string, details: unknown) =>
  new AppError(422, 'validation_failed', message, details);
