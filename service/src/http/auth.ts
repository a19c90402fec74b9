import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { unauthorized } from '../app-error.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer auth for the Salescaling backend. Both sides are hashed first so the comparison takes the
 * same time whatever the length or content of the presented token.
 */
export function requireBearer(token: string): RequestHandler {
  const expected = digest(token);
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), expected)) {
      next(unauthorized('unauthorized', 'a valid bearer token is required'));
      return;
    }
    next();
  };
}
