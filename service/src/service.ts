/**
 * The composition root: builds the store, the Salesforce connection manager, the use-cases, the
 * HTTP app and the worker from a Config, and starts and stops them together.
 */
import type { Config } from './config.ts';
import { ConnectService } from './connect/connect-service.ts';
import { TokenCipher } from './crypto/token-cipher.ts';
import { createApp } from './http/app.ts';
import { startWebServer, stopWebServer } from './http/server.ts';
import { createLogger, type Logger } from './logger.ts';
import { LookupService } from './lookups/lookup-service.ts';
import { MeetingService } from './meetings/meeting-service.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { ConnectionManager } from './salesforce/connection.ts';
import { openStore } from './store/index.ts';
import { syncMeeting } from './sync/sync-meeting.ts';
import type { Store } from './store/types.ts';
import { Worker, type SyncMeetingFn, type WorkerOptions } from './worker/worker.ts';

export const CALLBACK_PATH = '/oauth/salesforce/callback';

export interface ServiceOptions {
  readonly config: Config;
  readonly logger?: Logger;
  /** The sync core; defaults to service/src/sync/sync-meeting.ts. */
  readonly syncMeeting?: SyncMeetingFn;
  /** Worker tuning (tests shorten the poll interval and backoff). */
  readonly worker?: Partial<Pick<WorkerOptions, 'concurrency' | 'leaseMs' | 'pollMs' | 'backoff' | 'owner'>>;
  /** false: serve HTTP only (the worker runs elsewhere). */
  readonly runWorker?: boolean;
  /** Store schema (PostgreSQL), for tests that share one database. */
  readonly databaseSchema?: string;
}

export interface RunningService {
  readonly url: string;
  /** The base URL the OAuth callback is built from. */
  readonly publicUrl: string;
  readonly store: Store;
  readonly worker: Worker;
  readonly metrics: Metrics;
  readonly connections: ConnectionManager;
  stop(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const cipher = new TokenCipher(config.tokenEncryptionKeys);
  const store = await openStore(
    config.databaseUrl,
    cipher,
    options.databaseSchema ? { schema: options.databaseSchema } : {},
  );
  const metrics = createMetrics(store);
  let web: Awaited<ReturnType<typeof startWebServer>>;
  try {
    web = await startWebServer(config.port, config.host);
  } catch (err) {
    await store.close();
    throw err;
  }
  const { server, url } = web;
  const publicUrl = config.publicUrl || url;
  const client = {
    clientId: config.salesforce.clientId,
    clientSecret: config.salesforce.clientSecret,
    redirectUri: `${publicUrl}${CALLBACK_PATH}`,
  };
  const connections = new ConnectionManager({
    store,
    client,
    apiVersion: config.salesforce.apiVersion,
    logger: logger.child({ module: 'connection' }),
    onRefresh: (outcome) => metrics.tokenRefreshes.inc({ outcome }),
    callTimeoutMs: config.salesforce.timeoutSeconds * 1000,
  });
  const sync = options.syncMeeting ?? syncMeeting;
  const worker = new Worker({
    store,
    connections,
    syncMeeting: sync,
    logger: logger.child({ module: 'worker' }),
    metrics,
    leaseMs: config.worker.leaseSeconds * 1000,
    ...options.worker,
  });
  const lookups = new LookupService(connections, metrics);
  const connect = new ConnectService({
    store,
    connections,
    client,
    defaultLoginUrl: config.salesforce.loginUrl,
    apiVersion: config.salesforce.apiVersion,
    logger: logger.child({ module: 'connect' }),
    onConnected: (ws) => {
      lookups.forget(ws);
      worker.kick();
    },
    onDisconnected: (ws) => lookups.forget(ws),
  });
  const app = createApp({
    apiToken: config.apiToken,
    webhookSecrets: config.webhookSecrets,
    publicUrl,
    store,
    logger: logger.child({ module: 'http' }),
    metrics,
    connect,
    meetings: new MeetingService(store, () => worker.kick()),
    lookups,
    onAccepted: () => worker.kick(),
  });

  web.serve(app);
  if (options.runWorker !== false) await worker.start();
  logger.info({ url, engine: store.engine }, 'service started');

  let stopped = false;
  return {
    url,
    publicUrl,
    store,
    worker,
    metrics,
    connections,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopWebServer(server);
      await worker.stop();
      await store.close();
      logger.info('service stopped');
    },
  };
}
