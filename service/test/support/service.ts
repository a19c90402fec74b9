/** Starts the whole service in-process for a test: temp embedded database, port 0, quiet logs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { startService, type RunningService, type ServiceOptions } from '../../src/service.ts';
import type { SyncMeetingFn } from '../../src/worker/worker.ts';
import { signPayload } from '../../src/http/webhook-signature.ts';
import { testKey } from './keys.ts';

export const API_TOKEN = 'test-api-token-0123456789';
export const WEBHOOK_SECRET = 'whsec_test_secret';

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    SALESFORCE_CLIENT_ID: 'client-id',
    SALESFORCE_CLIENT_SECRET: 'client-secret',
    SALESCALING_API_TOKEN: API_TOKEN,
    WEBHOOK_SECRET,
    TOKEN_ENCRYPTION_KEY: testKey.toString('base64'),
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

/** The lines loadConfig names for `env`, none when it loads. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

export interface TestService extends RunningService {
  readonly config: Config;
  readonly dir: string;
  dispose(): Promise<void>;
}

export const neverSync: SyncMeetingFn = async () => {
  throw new Error('this test does not sync');
};

export async function startTestService(
  env: Record<string, string> = {},
  options: Omit<ServiceOptions, 'config'> = {},
): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), 'salescaling-svc-'));
  const config = loadConfig(testEnv({ DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ...env }));
  const service = await startService({
    logger: silentLogger,
    syncMeeting: neverSync,
    ...options,
    worker: { pollMs: 50, backoff: { baseMs: 50, limitBaseMs: 100, maxMs: 500 }, ...options.worker },
    config,
  });
  return {
    ...service,
    stop: () => service.stop(),
    config,
    dir,
    async dispose() {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs a signed webhook; returns the status and body. */
export async function sendWebhook(
  baseUrl: string,
  body: unknown,
  options: { secret?: string; t?: number; raw?: string; signature?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const raw = options.raw ?? JSON.stringify(body);
  const signature = options.signature ?? signPayload(options.secret ?? WEBHOOK_SECRET, raw, options.t);
  const res = await fetch(`${baseUrl}/v1/webhooks/meetings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'salescaling-signature': signature },
    body: raw,
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

export async function api(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token = API_TOKEN,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
