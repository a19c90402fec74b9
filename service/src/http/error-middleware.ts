import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger.ts';
import { DatabaseUnavailableError } from '../store/database.ts';
import { AppError } from '../app-error.ts';

/**
 * A known path asked with a method it does not serve is answered 405 with `Allow` (RFC 9110 §15.5.6),
 * before the bearer check, so that e.g. `GET /v1/webhooks/meetings` is not mistaken for an auth problem.
 * The route table is the OpenAPI document's, so it cannot drift from what is documented.
 */
export function methodNotAllowed(paths: Record<string, Record<string, unknown>>): RequestHandler {
  const routes = Object.entries(paths).map(([path, ops]) => {
    const methods = Object.keys(ops).map((m) => m.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    const pattern = path
      .split('/')
      .map((seg) => (/^\{\w+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    return { re: new RegExp(`^${pattern}/?$`), methods };
  });
  return (req, res, next) => {
    // A literal path (`/meetings/simulate`) may also match a templated one (`/meetings/{meetingId}`):
    // the method is allowed when any matching path allows it.
    const matching = routes.filter((r) => r.re.test(req.path));
    if (matching.length === 0 || matching.some((r) => r.methods.includes(req.method))) {
      next();
      return;
    }
    res.setHeader('allow', [...new Set(matching.flatMap((r) => r.methods))].join(', '));
    next(new AppError(405, 'method_not_allowed', `${req.method} is not allowed on ${req.path}`));
  };
}

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
    } else if (err instanceof DatabaseUnavailableError) {
      // A database restart or failover: nothing was committed; the caller tries again shortly.
      ((res.locals['log'] as Logger | undefined) ?? logger).warn(
        { err: err.message },
        'database unavailable',
      );
      if (!res.headersSent) res.setHeader('retry-after', '5');
      e = new AppError(503, 'database_unavailable', 'the database is unavailable; try again shortly');
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
