/**
 * The local org's logger: pino JSON on stderr (stdout belongs to the CLI's output, whose first line
 * scripts parse). Never given tokens, secrets, emails or record contents.
 */
import { pino } from 'pino';

export const log = pino(
  { name: 'local-org', level: process.env.LOCAL_ORG_LOG_LEVEL ?? 'info' },
  pino.destination(2),
);
