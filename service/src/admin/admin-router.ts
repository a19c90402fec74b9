/**
 * HTTP for the admin page: the bearer API the Salescaling backend calls (sign-in links, the sync
 * log, backfills) and the browser pages behind a session cookie with CSRF-checked forms. Routes
 * parse, call one use-case, and answer; every page query is scoped to the session's workspace.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { BackfillService } from '../backfill/backfill-service.ts';
import { ItemTooLargeError, MalformedBodyError } from '../backfill/split-items.ts';
import type { ConnectService } from '../connect/connect-service.ts';
import { requireBearer } from '../http/auth.ts';
import { AppError, unprocessable } from '../app-error.ts';
import { issuesToDetails, meetingIdSchema, workspaceIdSchema } from '../http/api-schemas.ts';
import type { Logger } from '../logger.ts';
import { meetingSyncJson, type MeetingService } from '../meetings/meeting-service.ts';
import { renderSettingsForm, saveSettingsForm } from '../settings/settings-form.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import { decodeCursor, type MeetingLogEntry } from '../store/meeting-log.ts';
import type { MeetingState, Store } from '../store/types.ts';
import type { AdminAuth } from './admin-auth.ts';
import { readCookie, SESSION_TTL_MS, SIGN_IN_PATH } from './admin-auth.ts';
import {
  backfillCounts,
  backfillRow,
  connectReasonText,
  PAGE_PATH,
  renderDryRun,
  renderMessagePage,
  renderPage,
  type PageModel,
  type StatusView,
} from './page.ts';

export interface AdminDeps {
  readonly apiToken: string;
  readonly publicUrl: string;
  readonly defaultLoginUrl: string;
  readonly auth: AdminAuth;
  readonly store: Store;
  readonly connect: ConnectService;
  readonly meetings: MeetingService;
  readonly backfills: BackfillService;
  readonly logger: Logger;
  /**
   * The Settings card's body, rendered by the settings module (its forms post with the `_csrf`
   * field given here, to routes it mounts under /settings/integrations/settings).
   */
  readonly settingsSection?: (workspaceId: string, csrf: string) => Promise<string>;
  /**
   * The association settings use-case the API uses: with it, the Settings card renders its form
   * (settings/settings-form.ts) and saves through the same versioned PUT.
   */
  readonly settings?: SettingsService;
}

export const SANDBOX_LOGIN_URL = 'https://test.salesforce.com';
const BACKFILL_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/json',
];
const meetingStates = ['queued', 'syncing', 'synced', 'skipped', 'failed', 'deleted'] as const;

export const meetingsQuerySchema = z.object({
  state: z.enum(meetingStates).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

type Handler = (req: Request, res: Response) => Promise<void>;
const route =
  (fn: Handler): RequestHandler =>
  (req, res, next) => {
    fn(req, res).catch(next);
  };

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw unprocessable(`the ${what} is not valid`, issuesToDetails(result.error));
  return result.data;
}
const workspaceOf = (req: Request) =>
  parse(workspaceIdSchema, req.params['workspaceId'], 'path parameter workspaceId');

export function meetingLogJson(m: MeetingLogEntry) {
  return {
    meetingId: m.meetingId,
    title: m.title,
    startedAt: m.startedAt,
    ...meetingSyncJson(m),
  };
}

async function listMeetings(store: Store, workspaceId: string, q: z.output<typeof meetingsQuerySchema>) {
  const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
  if (q.cursor !== undefined && after === null)
    throw unprocessable('the query is not valid', [
      { path: 'cursor', message: 'not a cursor this API issued' },
    ]);
  return store.meetingLog.list(workspaceId, { state: q.state, after, limit: q.limit ?? 50 });
}

function backfillBody(req: Request): AsyncIterable<Buffer> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!BACKFILL_TYPES.includes(type))
    throw new AppError(
      415,
      'unsupported_media_type',
      'the body must be application/x-ndjson or application/json',
    );
  return req;
}

/** A streamed body that is not NDJSON or a JSON array becomes a 400/413 like any other bad body. */
function bodyError(err: unknown): unknown {
  if (err instanceof MalformedBodyError) return new AppError(400, 'invalid_body', err.message);
  if (err instanceof ItemTooLargeError) return new AppError(413, 'payload_too_large', err.message);
  return err;
}

// --- the bearer API ------------------------------------------------------------------------------

export function adminApiRouter(d: AdminDeps): express.Router {
  const r = express.Router();
  const bearer = requireBearer(d.apiToken);
  r.post(
    '/workspaces/:workspaceId/admin-links',
    bearer,
    route(async (req, res) => {
      res.status(201).json(await d.auth.mintLink(workspaceOf(req)));
    }),
  );
  r.get(
    '/workspaces/:workspaceId/meetings',
    bearer,
    route(async (req, res) => {
      const ws = workspaceOf(req);
      const page = await listMeetings(d.store, ws, parse(meetingsQuerySchema, req.query, 'query'));
      res.json({ meetings: page.items.map(meetingLogJson), nextCursor: page.next });
    }),
  );
  r.post(
    '/workspaces/:workspaceId/backfills',
    bearer,
    route(async (req, res) => {
      const ws = workspaceOf(req);
      const body = backfillBody(req);
      try {
        if (req.query['dryRun'] === 'true') res.json(await d.backfills.dryRun(ws, body));
        else res.status(202).json(await d.backfills.create(ws, body));
      } catch (err) {
        throw bodyError(err);
      }
    }),
  );
  r.get(
    '/workspaces/:workspaceId/backfills/:backfillId',
    bearer,
    route(async (req, res) => {
      res.json(await d.backfills.progress(workspaceOf(req), String(req.params['backfillId'])));
    }),
  );
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    r.post(
      `/workspaces/:workspaceId/backfills/:backfillId/${action}`,
      bearer,
      route(async (req, res) => {
        res.json(await d.backfills[action](workspaceOf(req), String(req.params['backfillId'])));
      }),
    );
  }
  return r;
}

// --- the browser pages ---------------------------------------------------------------------------

const here = dirname(fileURLToPath(import.meta.url));

function sldsCss(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve('@salesforce-ux/design-system/package.json');
    return readFileSync(
      join(dirname(pkg), 'assets/styles/salesforce-lightning-design-system.min.css'),
      'utf8',
    );
  } catch {
    // The design system is not installed (a slim production image): the page's own CSS still lays it out.
    return '';
  }
}

interface PageLocals {
  workspaceId: string;
  session: string;
}

function pageSecurityHeaders(res: Response): void {
  // No framing (clickjacking), no inline script, nothing cached, no referrer leaving the page.
  res.setHeader(
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  );
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cache-control', 'no-store');
}

export function adminPagesRouter(d: AdminDeps): express.Router {
  const r = express.Router();
  const log = d.logger.child({ module: 'admin' });
  // Read when first asked for, not at start: the design system's CSS alone is ~2 MB of heap that a
  // service which never serves the admin page (or not yet) need not hold.
  const once = (read: () => string) => {
    let body: string | undefined;
    return () => (body ??= read());
  };
  const assets: Record<string, { type: string; body: () => string }> = {
    'slds.css': { type: 'text/css; charset=utf-8', body: once(sldsCss) },
    'admin.css': {
      type: 'text/css; charset=utf-8',
      body: once(() => readFileSync(join(here, 'assets/admin.css'), 'utf8')),
    },
    'admin.js': {
      type: 'text/javascript; charset=utf-8',
      body: once(() => readFileSync(join(here, 'assets/admin.js'), 'utf8')),
    },
  };
  r.get('/admin/assets/:name', (req, res, next) => {
    const a = assets[String(req.params['name'])];
    if (!a) {
      next();
      return;
    }
    res.setHeader('content-type', a.type);
    res.setHeader('cache-control', 'public, max-age=3600');
    res.send(a.body());
  });

  const cookie = (value: string, maxAgeMs: number) =>
    [
      `${d.auth.cookieName}=${value}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Lax',
      `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
      ...(d.auth.secure ? ['Secure'] : []),
    ].join('; ');

  r.get(
    SIGN_IN_PATH,
    route(async (req, res) => {
      pageSecurityHeaders(res);
      const t = typeof req.query['token'] === 'string' ? req.query['token'] : '';
      const signed = await d.auth.signIn(t);
      if (!signed) {
        res
          .status(401)
          .type('html')
          .send(
            renderMessagePage(
              'This sign-in link cannot be used',
              'It has expired (links last 5 minutes) or was used already. Open Settings › Integrations › Salesforce in Salescaling again to get a new one.',
            ),
          );
        return;
      }
      log.info({ workspaceId: signed.workspaceId }, 'admin signed in');
      res.setHeader('set-cookie', cookie(signed.session, SESSION_TTL_MS));
      res.redirect(303, PAGE_PATH);
    }),
  );

  const page = express.Router();
  page.use((req, res, next) => {
    pageSecurityHeaders(res);
    const session = readCookie(req.headers.cookie, d.auth.cookieName);
    d.auth
      .session(session)
      .then((workspaceId) => {
        if (!workspaceId || !session) {
          res
            .status(401)
            .type('html')
            .send(
              renderMessagePage(
                'Please sign in again',
                'Your session has ended. Open Settings › Integrations › Salesforce in Salescaling to sign in again.',
              ),
            );
          return;
        }
        const locals: PageLocals = { workspaceId, session };
        res.locals['admin'] = locals;
        next();
      })
      .catch(next);
  });
  page.use(express.urlencoded({ extended: false, limit: '16kb' }));
  // Forms and the page's script carry the session's synchronizer token; a request from another
  // origin is refused before it is even compared.
  page.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    const origin = req.headers.origin;
    const own = new URL(d.publicUrl).origin;
    const { session } = res.locals['admin'] as PageLocals;
    const presented =
      (req.body as Record<string, unknown> | undefined)?.['_csrf'] ?? req.headers['x-csrf-token'];
    if (
      (origin !== undefined && origin !== own && origin !== 'null') ||
      !d.auth.csrfValid(session, presented)
    ) {
      log.warn({ path: req.path }, 'admin form refused: CSRF check failed');
      res
        .status(403)
        .type('html')
        .send(renderMessagePage('This form has expired', 'Reload the page and try again.'));
      return;
    }
    next();
  });

  const local = (res: Response) => res.locals['admin'] as PageLocals;
  const back = (res: Response, params: Record<string, string> = {}, hash = '') => {
    const q = new URLSearchParams(params).toString();
    res.redirect(303, `${PAGE_PATH}${q ? `?${q}` : ''}${hash}`);
  };

  const settingsSection =
    d.settingsSection ??
    (d.settings
      ? async (workspaceId: string, csrf: string) =>
          renderSettingsForm(await (d.settings as SettingsService).get(workspaceId), csrf)
      : undefined);

  /** The whole page; `settingsHtml` replaces the Settings card's body (a refused save shows its form). */
  const renderFor = async (
    q: Record<string, string | undefined>,
    res: Response,
    settingsHtml?: string,
    httpStatus = 200,
  ) => {
    const { workspaceId, session } = local(res);
    const state = meetingStates.includes(q['state'] as MeetingState) ? (q['state'] as MeetingState) : null;
    const after = q['cursor'] ? decodeCursor(q['cursor']) : null;
    const [status, counts, list, backfills, alerts, lastRefresh, current] = await Promise.all([
      d.connect.status(workspaceId) as Promise<StatusView>,
      d.store.meetingLog.countByState(workspaceId),
      d.store.meetingLog.list(workspaceId, { state: state ?? undefined, after, limit: 25 }),
      d.backfills.list(workspaceId),
      d.store.alerts.listOpen(workspaceId),
      d.store.connections.lastRefresh(workspaceId),
      d.settings ? d.settings.current(workspaceId) : null,
    ]);
    const csrf = d.auth.csrfToken(session);
    const model: PageModel = {
      workspaceId,
      csrf,
      settingsHtml: settingsHtml ?? (settingsSection ? await settingsSection(workspaceId, csrf) : null),
      status,
      banner: bannerFor(q),
      confirmDisconnect: q['confirm'] === 'disconnect' && status.status !== 'not_connected',
      alerts,
      counts,
      meetings: list.items,
      stateFilter: state,
      nextCursor: list.next,
      backfills,
      lastRefresh,
      apiBudgetPercent: current?.apiBudget.stopAtPercent ?? null,
    };
    res.status(httpStatus).type('html').send(renderPage(model));
  };
  page.get(
    '/',
    route(async (req, res) => {
      await renderFor(req.query as Record<string, string | undefined>, res);
    }),
  );
  page.post(
    '/settings',
    route(async (req, res) => {
      const { workspaceId, session } = local(res);
      if (!d.settings) throw new AppError(404, 'not_found', 'settings are not served here');
      const result = await saveSettingsForm(
        d.settings,
        workspaceId,
        (req.body ?? {}) as Record<string, unknown>,
        d.auth.csrfToken(session),
      );
      if (result.ok) {
        log.info({ workspaceId, version: result.view.version }, 'settings saved from the admin page');
        return back(res, { notice: 'settings_saved' }, '#settings');
      }
      // Nothing changed: the same page with the form as refused (typed values and messages, or the
      // conflict banner over the current settings).
      await renderFor({}, res, result.html, result.status);
    }),
  );

  page.post(
    '/connect',
    route(async (req, res) => {
      const { workspaceId } = local(res);
      const body = req.body as Record<string, string | undefined>;
      const env = body['environment'];
      const loginUrl =
        env === 'sandbox'
          ? SANDBOX_LOGIN_URL
          : env === 'mydomain'
            ? (body['myDomain'] ?? '').trim()
            : d.defaultLoginUrl;
      try {
        const started = await d.connect.start(workspaceId, {
          returnUrl: `${d.publicUrl}${PAGE_PATH}`,
          loginUrl,
        });
        res.redirect(303, started.authorizeUrl);
      } catch (err) {
        if (err instanceof AppError && err.status === 422)
          return back(res, { salesforce: 'error', reason: 'login_url_not_allowed' });
        throw err;
      }
    }),
  );
  page.post(
    '/disconnect',
    route(async (req, res) => {
      const { workspaceId } = local(res);
      if ((req.body as Record<string, unknown>)['confirm'] !== 'yes')
        return back(res, { confirm: 'disconnect' }, '#connection');
      try {
        await d.connect.disconnect(workspaceId);
      } catch (err) {
        if (err instanceof AppError) return back(res, { notice: err.code });
        throw err;
      }
      back(res, { notice: 'disconnected' });
    }),
  );
  page.post(
    '/recheck',
    route(async (_req, res) => {
      try {
        await d.connect.status(local(res).workspaceId, { recheck: true });
      } catch (err) {
        if (err instanceof AppError) return back(res, { notice: err.code }, '#health');
        throw err;
      }
      back(res, { notice: 'rechecked' }, '#health');
    }),
  );
  page.post(
    '/meetings/:meetingId/resync',
    route(async (req, res) => {
      const meetingId = parse(meetingIdSchema, req.params['meetingId'], 'meeting id');
      await d.meetings.resync(local(res).workspaceId, meetingId);
      back(res, { notice: 'resynced', meeting: meetingId }, '#sync-log');
    }),
  );
  page.post(
    '/backfills',
    route(async (req, res) => {
      const { workspaceId, session } = local(res);
      const body = backfillBody(req);
      try {
        if (req.query['dryRun'] === 'true') {
          res.type('html').send(renderDryRun(await d.backfills.dryRun(workspaceId, body)));
        } else {
          const created = await d.backfills.create(workspaceId, body);
          res
            .status(202)
            .type('html')
            .send(backfillRow(created.backfill, d.auth.csrfToken(session)));
        }
      } catch (err) {
        const e = bodyError(err);
        if (e instanceof AppError) {
          res
            .status(e.status)
            .type('html')
            .send(`<p class="slds-text-color_error" role="alert">${e.message.replace(/[<>&"']/g, '')}</p>`);
          return;
        }
        throw e;
      }
    }),
  );
  page.get(
    '/backfills/:backfillId',
    route(async (req, res) => {
      const { workspaceId, session } = local(res);
      const p = await d.backfills.progress(workspaceId, String(req.params['backfillId']));
      res.json({ ...p, countsText: backfillCounts(p), html: backfillRow(p, d.auth.csrfToken(session)) });
    }),
  );
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    page.post(
      `/backfills/:backfillId/${action}`,
      route(async (req, res) => {
        try {
          await d.backfills[action](local(res).workspaceId, String(req.params['backfillId']));
        } catch (err) {
          if (err instanceof AppError) return back(res, { notice: err.code }, '#backfill');
          throw err;
        }
        back(res, { notice: `backfill_${action}` }, '#backfill');
      }),
    );
  }
  page.post(
    '/sign-out',
    route(async (_req, res) => {
      await d.auth.signOut(local(res).session);
      res.setHeader('set-cookie', cookie('', 0));
      res
        .type('html')
        .send(renderMessagePage('Signed out', 'You are signed out of the Salesforce settings.'));
    }),
  );
  // A page error is a page, not JSON; the message is ours (AppError) or a generic one.
  page.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const e = err instanceof AppError ? err : null;
    if (!e) log.error({ err }, 'admin page error');
    res
      .status(e?.status ?? 500)
      .type('html')
      .send(
        renderMessagePage(
          'Something went wrong',
          e?.message ?? 'Something went wrong on our side. Try again.',
        ),
      );
  });
  r.use(PAGE_PATH, page);
  return r;
}

const NOTICES: Record<string, { kind: 'success' | 'error' | 'info'; text: string }> = {
  disconnected: { kind: 'success', text: 'Salesforce is disconnected. Salescaling revoked its access.' },
  rechecked: { kind: 'info', text: 'Checked the org again.' },
  resynced: { kind: 'success', text: 'The meeting is queued to sync again.' },
  revoke_failed: {
    kind: 'error',
    text: 'Salesforce did not confirm the revocation, so the connection is kept. Try again.',
  },
  not_connected: { kind: 'error', text: 'Salesforce is not connected.' },
  salesforce_error: { kind: 'error', text: 'Salesforce refused the check. Try again in a minute.' },
  backfill_pause: { kind: 'info', text: 'Backfill paused. Meetings already queued still finish.' },
  backfill_resume: { kind: 'info', text: 'Backfill resumed.' },
  backfill_cancel: {
    kind: 'info',
    text: 'Backfill cancelled. Meetings not yet queued will not be imported.',
  },
  backfill_state_conflict: { kind: 'error', text: 'The backfill is no longer in a state that allows that.' },
  meeting_not_found: { kind: 'error', text: 'That meeting is unknown.' },
  settings_saved: { kind: 'success', text: 'Settings saved. New syncs use them from now on.' },
};

function bannerFor(q: Record<string, string | undefined>): PageModel['banner'] {
  if (q['salesforce'] === 'connected')
    return { kind: 'success', text: 'Salesforce is connected. New meetings sync from now on.' };
  if (q['salesforce'] === 'error') return { kind: 'error', text: connectReasonText(q['reason'] ?? null) };
  const n = q['notice'];
  if (n && NOTICES[n]) return NOTICES[n];
  return null;
}
