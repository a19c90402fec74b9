/**
 * The composition root: builds the store, the Salesforce connection manager, the use-cases, the
 * HTTP app and the worker from a Config, and starts and stops them together.
 */
import { AdminAuth } from './admin/admin-auth.ts';
import { AlertService } from './alerts/alert-service.ts';
import { BackfillService } from './backfill/backfill-service.ts';
import type { Config } from './config.ts';
import { ConnectService } from './connect/connect-service.ts';
import { TokenCipher } from './crypto/token-cipher.ts';
import { createApp } from './http/app.ts';
import { startWebServer, stopWebServer } from './http/server.ts';
import { createLogger, type Logger } from './logger.ts';
import { LateMatchService } from './late-matches/late-match-service.ts';
import { LookupService } from './suggestions/lookup-service.ts';
import { SimulateService } from './simulator/simulate-service.ts';
import { MeetingService } from './meetings/meeting-service.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { ConnectionManager } from './salesforce/connection.ts';
import { SettingsService } from './settings/settings-service.ts';
import { openStore } from './store/index.ts';
import { syncBatch } from './sync/sync-batch.ts';
import { syncMeeting } from './sync/sync-meeting.ts';
import type { Store } from './store/types.ts';
import { Worker, type SyncBatchFn, type SyncMeetingFn, type WorkerOptions } from './worker/worker.ts';

export const CALLBACK_PATH = '/oauth/salesforce/callback';

export interface ServiceOptions {
  readonly config: Config;
  readonly logger?: Logger;
  /** The sync core; defaults to service/src/sync/sync-meeting.ts. */
  readonly syncMeeting?: SyncMeetingFn;
  /** The batched sync core; defaults to sync/sync-batch.ts, or `syncMeeting` per meeting when that is given. */
  readonly syncBatch?: SyncBatchFn;
  /** Worker tuning (tests shorten the poll interval and backoff). */
  readonly worker?: Partial<
    Pick<
      WorkerOptions,
      | 'concurrency'
      | 'batchSize'
      | 'batchBytes'
      | 'requestsPerOrg'
      | 'leaseMs'
      | 'pollMs'
      | 'backoff'
      | 'owner'
      | 'budgetCheckMs'
    >
  >;
  /** false: serve HTTP only (the worker runs elsewhere). */
  readonly runWorker?: boolean;
  /** How often alerts are checked and delivered (tests shorten it). */
  readonly alertPollMs?: number;
  /** Store schema (PostgreSQL), for tests that share one database. */
  readonly databaseSchema?: string;
  /** How often the late-matching pass runs (default 15 minutes; 0: never, tests call it). */
  readonly lateMatchIntervalMs?: number;
}

export const LATE_MATCH_INTERVAL_MS = 15 * 60_000;

export interface RunningService {
  readonly url: string;
  /** The base URL the OAuth callback is built from. */
  readonly publicUrl: string;
  readonly store: Store;
  readonly worker: Worker;
  readonly metrics: Metrics;
  readonly connections: ConnectionManager;
  readonly lateMatches: LateMatchService;
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
    onRefresh: (outcome, workspaceId) => {
      metrics.tokenRefreshes.inc({ outcome });
      // for the admin page's token health; a failure to note it must not fail the refresh
      store.connections.recordRefresh(workspaceId, { outcome, now: Date.now() }).catch(() => undefined);
    },
    callTimeoutMs: config.salesforce.timeoutSeconds * 1000,
  });
  const sync = options.syncMeeting ?? syncMeeting;
  const worker = new Worker({
    store,
    connections,
    syncMeeting: sync,
    // A sync core given by a test is used for batches too, one meeting after another.
    ...(options.syncBatch !== undefined
      ? { syncBatch: options.syncBatch }
      : options.syncMeeting === undefined
        ? { syncBatch }
        : {}),
    logger: logger.child({ module: 'worker' }),
    metrics,
    leaseMs: config.worker.leaseSeconds * 1000,
    concurrency: config.worker.concurrency,
    batchSize: config.worker.batchSize,
    batchBytes: config.worker.batchBytes,
    requestsPerOrg: config.worker.requestsPerOrg,
    writeSettleMs: config.salesforce.writeSettleSeconds * 1000,
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
  const meetings = new MeetingService(store, () => worker.kick());
  const backfills = new BackfillService({
    store,
    connections,
    logger: logger.child({ module: 'backfill' }),
    onQueued: () => worker.kick(),
  });
  const alerts = new AlertService({
    store,
    logger: logger.child({ module: 'alerts' }),
    url: config.outboundWebhookUrl,
    secret: config.webhookSecrets[0] ?? '',
    ...(options.alertPollMs === undefined ? {} : { pollMs: options.alertPollMs }),
  });
  const settings = new SettingsService(store.settings, logger.child({ module: 'settings' }));
  const app = createApp({
    apiToken: config.apiToken,
    webhookSecrets: config.webhookSecrets,
    publicUrl,
    store,
    logger: logger.child({ module: 'http' }),
    metrics,
    connect,
    meetings,
    lookups,
    settings,
    simulate: new SimulateService(connections, store.settings),
    onAccepted: () => worker.kick(),
    admin: {
      apiToken: config.apiToken,
      publicUrl,
      defaultLoginUrl: config.salesforce.loginUrl,
      auth: new AdminAuth(store.adminSessions, publicUrl),
      store,
      connect,
      meetings,
      backfills,
      settings,
      logger: logger.child({ module: 'admin' }),
    },
  });

  web.serve(app);
  const lateMatches = new LateMatchService(
    store,
    connections,
    logger.child({ module: 'late-matching' }),
    () => worker.kick(),
  );
  let lateTimer: NodeJS.Timeout | null = null;
  if (options.runWorker !== false) {
    await worker.start();
    backfills.start();
    alerts.start();
    const every = options.lateMatchIntervalMs ?? LATE_MATCH_INTERVAL_MS;
    if (every > 0) {
      lateTimer = setInterval(() => {
        lateMatches.runOnce().catch((err: unknown) => {
          logger.error({ err: (err as Error).message }, 'late-matching pass failed');
        });
      }, every);
      lateTimer.unref();
    }
  }
  logger.info({ url, engine: store.engine }, 'service started');

  let stopped = false;
  return {
    url,
    publicUrl,
    store,
    worker,
    metrics,
    connections,
    lateMatches,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (lateTimer !== null) clearInterval(lateTimer);
      await stopWebServer(server);
      await backfills.stop();
      await alerts.stop();
      await worker.stop();
      await store.close();
      logger.info('service stopped');
    },
  };
}
