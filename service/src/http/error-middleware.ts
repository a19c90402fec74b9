import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger.ts';
import { AppError } from './errors.ts';

/** Unknown routes answer in the same error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

/**
 * Every error becomes `{"error": {"code", "message", "details"?}}`. Errors we did not anticipate are
 * logged with their stack and answered with a generic 500: no stack trace reaches a client.
 */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let e: AppError;
    if (err instanceof AppError) {
      e = err;
    } else if (isBodyParserError(err)) {
      e =
        err.type === 'entity.too.large'
          ? new AppError(413, 'payload_too_large', 'the request body is larger than the limit')
          : new AppError(400, 'invalid_json', 'the request body is not valid JSON');
    } else {
      ((res.locals['log'] as Logger | undefined) ?? logger).error({ err }, 'unhandled error');
      e = new AppError(500, 'internal_error', 'something went wrong on our side');
    }
    if (res.headersSent) return;
    res.status(e.status).json({
      error: {
        code: e.code,
        message: e.message,
        ...(e.details === undefined ? {} : { details: e.details }),
      },
    });
  };
}

function isBodyParserError(err: unknown): err is { type: string; status: number } {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { type?: unknown }).type === 'string' &&
    'status' in err
  );
}
