/**
 * The service's configuration (CONTRACT.md §3), parsed once from the environment at start-up. Every
 * bad or missing variable is named on its own line so an operator fixes them all in one go; secrets
 * have no defaults.
 */
import { z } from 'zod';
import { SALESFORCE_API_VERSION } from './salesforce/api-version.ts';

const DEFAULT_API_VERSION = SALESFORCE_API_VERSION;

const secret = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, `${name} is required`);

/** A whole number of seconds within bounds, with a default. */
const seconds = (name: string, fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number of seconds` })
    .int(`${name} must be a whole number of seconds`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`)
    .default(fallback);

/** A whole number within bounds, with a default. */
const count = (name: string, fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`)
    .default(fallback);

const httpUrl = z
  .string()
  .trim()
  .url('must be a URL')
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));

/** 32 random bytes as base64; several keys comma-separated during rotation, the first one encrypts. */
const encryptionKeys = z
  .string({ error: 'TOKEN_ENCRYPTION_KEY is required' })
  .trim()
  .min(1, 'TOKEN_ENCRYPTION_KEY is required')
  .transform((value, ctx) => {
    const keys: Buffer[] = [];
    for (const part of value.split(',').map((p) => p.trim())) {
      const key = Buffer.from(part, 'base64');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(part) || key.length !== 32) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)',
        });
        return z.NEVER;
      }
      keys.push(key);
    }
    return keys;
  });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PUBLIC_URL: httpUrl.optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .default('sqlite:./data/salescaling.db')
    .refine((u) => /^(sqlite:|postgres(ql)?:\/\/)/.test(u), 'must start with sqlite: or postgres://'),
  SALESFORCE_LOGIN_URL: httpUrl.default('https://login.salesforce.com'),
  SALESFORCE_CLIENT_ID: secret('SALESFORCE_CLIENT_ID'),
  SALESFORCE_CLIENT_SECRET: secret('SALESFORCE_CLIENT_SECRET'),
  SALESFORCE_API_VERSION: z
    .string()
    .trim()
    .regex(/^\d{2,3}\.0$/, 'must look like 66.0')
    .default(DEFAULT_API_VERSION),
  // CONTRACT §3 sets no length: a short token is accepted (main.ts warns about it), not refused.
  SALESCALING_API_TOKEN: secret('SALESCALING_API_TOKEN'),
  WEBHOOK_SECRET: secret('WEBHOOK_SECRET').transform((v, ctx) => {
    const secrets = v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    // "," alone would leave no secret at all, and every webhook would be refused
    if (secrets.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must hold at least one secret (comma-separated)' });
      return z.NEVER;
    }
    return secrets;
  }),
  TOKEN_ENCRYPTION_KEY: encryptionKeys,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OUTBOUND_WEBHOOK_URL: httpUrl.optional(),
  // How long a claimed meeting is this instance's before another may take it over (a killed
  // instance's work waits this long on PostgreSQL; on SQLite a restart releases it at once).
  WORKER_LEASE_SECONDS: seconds('WORKER_LEASE_SECONDS', 120, 10, 86_400),
  // Syncs under way at once in this instance (a lone meeting or a batch each); a workspace uses all
  // but one of them, at most 25: one org serves 25 long-running requests at once (Developer
  // Edition 5), https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html
  WORKER_CONCURRENCY: count('WORKER_CONCURRENCY', 4, 1, 100),
  // Meetings of one workspace synced together when several are due (1: no batching).
  WORKER_BATCH_SIZE: count('WORKER_BATCH_SIZE', 200, 1, 1_000),
  // ...and whose stored meetings add up to at most this many bytes, so a batch's memory follows what
  // it carries (a meeting larger than this alone is still synced, alone).
  WORKER_BATCH_BYTES: count('WORKER_BATCH_BYTES', 1_048_576, 1_024, 268_435_456),
  // Calls this instance has in flight to one org at most, shared by that workspace's batches (a
  // batch sends its look-up and write calls that many at once); at most 25, the org's concurrent
  // long-running requests (same page as above). Half of it by default: room for the org's other
  // integrations.
  SALESFORCE_CONCURRENT_REQUESTS: count('SALESFORCE_CONCURRENT_REQUESTS', 12, 1, 25),
  // Every Salesforce call gives up after this long, so a hung org cannot hold a worker slot for ever.
  SALESFORCE_TIMEOUT_SECONDS: seconds('SALESFORCE_TIMEOUT_SECONDS', 60, 1, 3_600),
  // How long a write creating a meeting's records may still land after it was sent and its answer
  // lost (a kill, a timeout): the meeting is not written again before. Default: computed below.
  SALESFORCE_WRITE_SETTLE_SECONDS: z.coerce
    .number({ error: 'SALESFORCE_WRITE_SETTLE_SECONDS must be a whole number of seconds' })
    .int('SALESFORCE_WRITE_SETTLE_SECONDS must be a whole number of seconds')
    .min(0, 'SALESFORCE_WRITE_SETTLE_SECONDS must be at least 0')
    .max(86_400, 'SALESFORCE_WRITE_SETTLE_SECONDS must be at most 86400')
    .optional(),
});

/**
 * The longest a Salesforce transaction runs: "Maximum execution time for each Apex transaction:
 * 10 minutes" (https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_gov_limits.htm);
 * a REST write and the triggers and flows it fires run in one such transaction.
 */
export const SALESFORCE_MAX_TRANSACTION_SECONDS = 600;

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Empty when PORT is 0 and PUBLIC_URL unset: the listening URL is used. */
  readonly publicUrl: string;
  readonly databaseUrl: string;
  readonly salesforce: {
    readonly loginUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly apiVersion: string;
    /** Every Salesforce call is abandoned after this long. */
    readonly timeoutSeconds: number;
    /**
     * After a create write was sent and its answer lost, how long it may still land: the meeting is
     * not written again before (default: the 10-minute transaction maximum plus the call timeout).
     */
    readonly writeSettleSeconds: number;
  };
  readonly worker: {
    /** A claimed meeting's lease; renewed while its sync runs. */
    readonly leaseSeconds: number;
    /** Syncs under way at once (WORKER_CONCURRENCY). */
    readonly concurrency: number;
    /** Meetings of one workspace synced together at most (WORKER_BATCH_SIZE; 1: no batching). */
    readonly batchSize: number;
    /** The stored size of a batch's meetings at most, in bytes (WORKER_BATCH_BYTES). */
    readonly batchBytes: number;
    /** Calls in flight to one org at most (SALESFORCE_CONCURRENT_REQUESTS). */
    readonly requestsPerOrg: number;
  };
  readonly apiToken: string;
  readonly webhookSecrets: readonly string[];
  /** The first key encrypts; every key is tried when decrypting (rotation). */
  readonly tokenEncryptionKeys: readonly Buffer[];
  readonly logLevel: string;
  /** Where alerts (connection.broken, sync.failing) are posted, signed with the first WEBHOOK_SECRET. */
  readonly outboundWebhookUrl: string | null;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
    this.problems = problems;
  }
}

/** Parses the environment; throws a ConfigError listing one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set": `.env` files often carry `NAME=` placeholders.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      if (!lines.has(name)) {
        const message =
          issue.code === 'invalid_type' && cleaned[name] === undefined
            ? `${name} is required`
            : issue.message;
        lines.set(name, message.startsWith(name) ? message : `${name} ${message}`);
      }
    }
    throw new ConfigError([...lines.values()]);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    // With PORT=0 the port is known only once listening; the service fills the URL in then.
    publicUrl: e.PUBLIC_URL ?? (e.PORT === 0 ? '' : `http://localhost:${e.PORT}`),
    databaseUrl: e.DATABASE_URL,
    salesforce: {
      loginUrl: e.SALESFORCE_LOGIN_URL,
      clientId: e.SALESFORCE_CLIENT_ID,
      clientSecret: e.SALESFORCE_CLIENT_SECRET,
      apiVersion: e.SALESFORCE_API_VERSION,
      timeoutSeconds: e.SALESFORCE_TIMEOUT_SECONDS,
      writeSettleSeconds:
        e.SALESFORCE_WRITE_SETTLE_SECONDS ??
        SALESFORCE_MAX_TRANSACTION_SECONDS + e.SALESFORCE_TIMEOUT_SECONDS,
    },
    worker: {
      leaseSeconds: e.WORKER_LEASE_SECONDS,
      concurrency: e.WORKER_CONCURRENCY,
      batchSize: e.WORKER_BATCH_SIZE,
      batchBytes: e.WORKER_BATCH_BYTES,
      requestsPerOrg: e.SALESFORCE_CONCURRENT_REQUESTS,
    },
    apiToken: e.SALESCALING_API_TOKEN,
    webhookSecrets: e.WEBHOOK_SECRET,
    tokenEncryptionKeys: e.TOKEN_ENCRYPTION_KEY,
    logLevel: e.LOG_LEVEL,
    outboundWebhookUrl: e.OUTBOUND_WEBHOOK_URL ?? null,
  };
}
