/**
 * The Express application. Routes parse and validate, call one use-case, and pass errors on to the
 * one error middleware.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { adminApiRouter, adminPagesRouter, type AdminDeps } from '../admin/admin-router.ts';
import type { ConnectService } from '../connect/connect-service.ts';
import type { Logger } from '../logger.ts';
import type { LookupService } from '../suggestions/lookup-service.ts';
import type { SimulateService } from '../simulator/simulate-service.ts';
import { acceptMeetingEvent } from '../meetings/ingest.ts';
import type { MeetingService } from '../meetings/meeting-service.ts';
import { meetingEventSchema } from '../meetings/schema.ts';
import { routeLabeler, type Metrics, type WebhookRejection } from '../metrics.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import type { Store } from '../store/types.ts';
import {
  callbackQuerySchema,
  connectRequestSchema,
  issuesToDetails,
  meetingIdSchema,
  searchQuerySchema,
  suggestRequestSchema,
  workspaceIdSchema,
} from './api-schemas.ts';
import { requireBearer } from './auth.ts';
import { errorMiddleware, methodNotAllowed, notFoundHandler } from './error-middleware.ts';
import { AppError, unprocessable } from '../app-error.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { SIGNATURE_HEADER, verifySignature } from './webhook-signature.ts';

export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

export interface AppDeps {
  readonly apiToken: string;
  readonly webhookSecrets: readonly string[];
  readonly publicUrl: string;
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly connect: ConnectService;
  readonly meetings: MeetingService;
  readonly lookups: LookupService;
  readonly settings: SettingsService;
  readonly simulate: SimulateService;
  /** A meeting was stored: wake the worker. */
  readonly onAccepted: () => void;
  /** The admin page (sign-in links, sync log, backfills); absent: not served. */
  readonly admin?: AdminDeps;
}

type Handler = (req: Request, res: Response) => Promise<void>;
const route =
  (fn: Handler): RequestHandler =>
  (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw unprocessable(`the ${what} is not valid`, issuesToDetails(result.error));
  return result.data;
}

const param = (req: Request, name: string, schema: z.ZodType<string>) =>
  parse(schema, req.params[name], `path parameter ${name}`);
const workspaceParam = (req: Request) => param(req, 'workspaceId', workspaceIdSchema);
const meetingParam = (req: Request) => param(req, 'meetingId', meetingIdSchema);

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const openapi = buildOpenApiDocument(deps.publicUrl) as { paths: Record<string, Record<string, unknown>> };
  // Metrics and request logs label a request by the OpenAPI path template it matched (metrics.ts).
  const routeLabel = routeLabeler([
    ...new Set([...Object.keys(openapi.paths), '/healthz', '/readyz', '/metrics', '/openapi.json']),
  ]);

  // request id + one log line per request (no bodies, no headers: they carry tokens and people)
  app.use((req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', id);
    const log = deps.logger.child({ requestId: id });
    res.locals['log'] = log;
    const started = performance.now();
    res.on('finish', () => {
      // originalUrl: a mounted router has cut its prefix off req.url by now.
      const routePath = routeLabel(req.originalUrl.split('?')[0] ?? '');
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.httpDuration.observe(
        { method: req.method, route: routePath, status: String(res.statusCode) },
        seconds,
      );
      log.info(
        { method: req.method, route: routePath, status: res.statusCode, ms: Math.round(seconds * 1000) },
        'request',
      );
    });
    next();
  });

  // --- operations ---------------------------------------------------------------------------------
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(
    '/readyz',
    route(async (_req, res) => {
      try {
        await deps.store.ping();
      } catch {
        throw new AppError(503, 'not_ready', 'the database does not answer');
      }
      res.json({ status: 'ready' });
    }),
  );
  app.get(
    '/metrics',
    route(async (_req, res) => {
      res.setHeader('content-type', deps.metrics.registry.contentType);
      res.send(await deps.metrics.registry.metrics());
    }),
  );
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(methodNotAllowed({ ...openapi.paths, '/openapi.json': { get: {} } }));

  // --- webhook: raw body, signature first, then JSON, then the schema ------------------------------
  /**
   * Every refused delivery is counted by its reason and logged with it (never the body or the
   * signature: they carry people's data and a secret's MAC), then answered by the error middleware.
   */
  const rejectWebhook = (res: Response, reason: WebhookRejection, error: AppError): AppError => {
    deps.metrics.webhookRejections.inc({ reason });
    const result = reason.startsWith('signature_')
      ? 'bad_signature'
      : reason === 'too_large'
        ? 'too_large'
        : 'invalid';
    deps.metrics.webhookEvents.inc({ result });
    (res.locals['log'] as Logger).warn({ reason, status: error.status }, 'webhook rejected');
    return error;
  };
  const rawWebhookBody = express.raw({ type: () => true, limit: MAX_WEBHOOK_BYTES });
  app.post(
    '/v1/webhooks/meetings',
    // The body parser's own refusals (too large, unreadable) are webhook rejections too.
    (req, res, next) => {
      rawWebhookBody(req, res, (err?: unknown) => {
        if (err === undefined || err === null) return next();
        const tooLarge = (err as { type?: unknown }).type === 'entity.too.large';
        next(
          tooLarge
            ? rejectWebhook(
                res,
                'too_large',
                new AppError(413, 'payload_too_large', 'the request body is larger than the limit'),
              )
            : rejectWebhook(
                res,
                'unreadable_body',
                new AppError(400, 'invalid_body', 'the request body could not be read'),
              ),
        );
      });
    },
    route(async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = verifySignature(req.get(SIGNATURE_HEADER), raw, deps.webhookSecrets);
      if (!check.ok) {
        throw rejectWebhook(
          res,
          `signature_${check.reason}`,
          new AppError(401, 'invalid_signature', `the Salescaling-Signature header is ${check.reason}`),
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw rejectWebhook(
          res,
          'invalid_json',
          new AppError(400, 'invalid_json', 'the request body is not valid JSON'),
        );
      }
      const parsed = meetingEventSchema.safeParse(body);
      if (!parsed.success) {
        throw rejectWebhook(
          res,
          'schema_invalid',
          unprocessable('the meeting event does not match the schema', issuesToDetails(parsed.error)),
        );
      }
      const result = await acceptMeetingEvent(deps.store, parsed.data);
      deps.metrics.webhookEvents.inc({ result });
      if (result === 'accepted') deps.onAccepted();
      res
        .status(result === 'accepted' ? 202 : 200)
        .json({ status: result, eventId: parsed.data.id, meetingId: parsed.data.data.meeting.id });
    }),
  );

  // --- OAuth callback (authorised by its single-use state) -----------------------------------------
  app.get(
    '/oauth/salesforce/callback',
    route(async (req, res) => {
      const q = parse(callbackQuerySchema, req.query, 'query');
      res.redirect(302, await deps.connect.finish(q));
    }),
  );

  // --- the admin page and its API (streamed backfill bodies: before the JSON body parser) ------------
  if (deps.admin) {
    app.use(adminPagesRouter(deps.admin));
    app.use('/v1', adminApiRouter(deps.admin));
  }

  // --- the Salescaling backend's API ---------------------------------------------------------------
  const api = express.Router();
  api.use(requireBearer(deps.apiToken));
  api.use(express.json({ limit: '1mb' }));
  // A body that is not JSON would otherwise reach the handlers as "no body" and read as a 422.
  api.use((req, _res, next) => {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    if (hasBody && !req.is('application/json')) {
      next(new AppError(415, 'unsupported_media_type', 'the request body must be application/json'));
      return;
    }
    next();
  });

  api.post(
    '/workspaces/:workspaceId/salesforce/connect',
    route(async (req, res) => {
      const ws = workspaceParam(req);
      const body = parse(connectRequestSchema, req.body ?? {}, 'request body');
      res.status(201).json(await deps.connect.start(ws, body));
    }),
  );
  api.get(
    '/workspaces/:workspaceId/salesforce',
    route(async (req, res) => {
      const recheck = req.query['recheck'] === 'true';
      res.json(await deps.connect.status(workspaceParam(req), { recheck }));
    }),
  );
  api.delete(
    '/workspaces/:workspaceId/salesforce',
    route(async (req, res) => {
      await deps.connect.disconnect(workspaceParam(req));
      res.status(204).end();
    }),
  );
  api.get(
    '/workspaces/:workspaceId/meetings/:meetingId',
    route(async (req, res) => {
      res.json(await deps.meetings.status(workspaceParam(req), meetingParam(req)));
    }),
  );
  api.post(
    '/workspaces/:workspaceId/meetings/:meetingId/resync',
    route(async (req, res) => {
      res.status(202).json(await deps.meetings.resync(workspaceParam(req), meetingParam(req)));
    }),
  );
  api.post(
    '/workspaces/:workspaceId/associations/suggest',
    route(async (req, res) => {
      const ws = workspaceParam(req);
      const body = parse(suggestRequestSchema, req.body ?? {}, 'request body');
      res.json({ suggestions: await deps.lookups.suggest(ws, body.participants) });
    }),
  );
  api.get(
    '/workspaces/:workspaceId/associations/search',
    route(async (req, res) => {
      const ws = workspaceParam(req);
      const q = parse(searchQuerySchema, req.query, 'query');
      res.json({ records: await deps.lookups.search(ws, q.q, q.types) });
    }),
  );
  // --- association settings and the simulator -------------------------------------------------------
  api.get(
    '/workspaces/:workspaceId/salesforce/settings',
    route(async (req, res) => {
      const view = await deps.settings.get(workspaceParam(req));
      res.setHeader('ETag', `"${view.version}"`).json(view);
    }),
  );
  api.put(
    '/workspaces/:workspaceId/salesforce/settings',
    route(async (req, res) => {
      const view = await deps.settings.put(workspaceParam(req), req.body ?? {}, req.get('if-match'));
      res.setHeader('ETag', `"${view.version}"`).json(view);
    }),
  );
  api.post(
    '/workspaces/:workspaceId/meetings/simulate',
    route(async (req, res) => {
      res.json(await deps.simulate.simulate(workspaceParam(req), req.body ?? {}));
    }),
  );
  app.use('/v1', api);

  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}
