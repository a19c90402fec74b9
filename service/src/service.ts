/**
 * The composition root: builds the store, the Salesforce connection manager, the use-cases, the
 * HTTP app and the worker from a Config, and starts and stops them together.
 */
import type { Server } from 'node:http';
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
  readonly store: Store;
  readonly worker: Worker;
  readonly metrics: Metrics;
  readonly connections: ConnectionManager;
  stop(): Promise<void>;
}

async function defaultSyncMeeting(): Promise<SyncMeetingFn> {
  // Loaded lazily so the shell starts (and its tests run) even while the sync core is being built.
  const path = './sync/sync-meeting.ts';
  const mod = (await import(path)) as { syncMeeting: SyncMeetingFn };
  return mod.syncMeeting;
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
  const client = {
    clientId: config.salesforce.clientId,
    clientSecret: config.salesforce.clientSecret,
    redirectUri: `${config.publicUrl}${CALLBACK_PATH}`,
  };
  const connections = new ConnectionManager({
    store,
    client,
    apiVersion: config.salesforce.apiVersion,
    logger: logger.child({ module: 'connection' }),
    onRefresh: (outcome) => metrics.tokenRefreshes.inc({ outcome }),
  });
  const syncMeeting = options.syncMeeting ?? (await defaultSyncMeeting());
  const worker = new Worker({
    store,
    connections,
    syncMeeting,
    logger: logger.child({ module: 'worker' }),
    metrics,
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
  });
  const app = createApp({
    apiToken: config.apiToken,
    webhookSecrets: config.webhookSecrets,
    publicUrl: config.publicUrl,
    store,
    logger: logger.child({ module: 'http' }),
    metrics,
    connect,
    meetings: new MeetingService(store, () => worker.kick()),
    lookups,
    onAccepted: () => worker.kick(),
  });

  let server: Server;
  let url: string;
  try {
    ({ server, url } = await startWebServer(app, config.port, config.host));
  } catch (err) {
    await store.close();
    throw err;
  }
  if (options.runWorker !== false) await worker.start();
  logger.info({ url, engine: store.engine }, 'service started');

  let stopped = false;
  return {
    url,
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
