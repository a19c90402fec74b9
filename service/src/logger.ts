/**
 * pino, with the paths that may carry tokens, secrets, emails or note text redacted, so a log line
 * can be shipped anywhere. Modules take a named child (`logger.child({ module: 'worker' })`).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'req.headers.authorization',
  'req.headers["salescaling-signature"]',
  'req.headers.cookie',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.clientSecret',
  '*.client_secret',
  '*.code',
  '*.code_verifier',
  '*.email',
  '*.emails',
  '*.username',
  '*.text',
  '*.summary',
  '*.notes',
  'accessToken',
  'refreshToken',
  'email',
  'username',
];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'salescaling-service' },
    redact: { paths: REDACT, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that writes nothing: tests and the demo keep their output readable. */
export const silentLogger: Logger = pino({ level: 'silent' });
