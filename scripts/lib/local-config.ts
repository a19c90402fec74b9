/**
 * Throwaway secrets and a service configuration on an embedded database in `dir`, for running the
 * service next to the local org (the demo and the benchmarks). Fresh random secrets each run: nothing
 * here is a default a real deployment could inherit.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../service/src/config.ts';

export interface LocalSecrets {
  readonly apiToken: string;
  readonly webhookSecret: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export function localSecrets(): LocalSecrets {
  return {
    apiToken: randomBytes(24).toString('base64url'),
    webhookSecret: `whsec_${randomBytes(24).toString('base64url')}`,
    // shaped like a Salesforce consumer key
    clientId: `3MVG9local${randomBytes(18).toString('hex')}`,
    clientSecret: randomBytes(32).toString('hex'),
  };
}

/**
 * The service's environment for an embedded database in `dir` with these secrets (the service reads
 * its settings from the environment; a benchmark passes it to a service in its own process).
 */
export function localEnv(dir: string, secrets: LocalSecrets, logLevel = 'silent'): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, 'salescaling.db')}`,
    SALESFORCE_CLIENT_ID: secrets.clientId,
    SALESFORCE_CLIENT_SECRET: secrets.clientSecret,
    SALESCALING_API_TOKEN: secrets.apiToken,
    WEBHOOK_SECRET: secrets.webhookSecret,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: logLevel,
  };
}

export function localConfig(dir: string, secrets: LocalSecrets): Config {
  return loadConfig(localEnv(dir, secrets));
}
