/**
 * The HTTP front of the local org: /services/oauth2 (OAuth), /id (identity), /services/data (REST),
 * and /__control (knobs and counters for tests; not part of Salesforce).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { writeFileSync, renameSync, existsSync, readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { ApiError, isSalesforceError, notFoundBody } from './errors.ts';
import { log } from './log.ts';
import { parseKnobs, type Knobs } from './knobs.ts';
import {
  OAuthServer,
  type OAuthConfig,
  type OAuthReply,
  type PersistedGrants,
  type Session,
} from './oauth.ts';
import { Org, type OrgSettings } from './org/org.ts';
import type { MutableRecord } from './org/store.ts';
import { decodeSegment, FORCE_ALL_OR_NONE, type Reply } from './rest/resource.ts';
import { counterKind, Rest } from './rest/router.ts';
import { MAX_VERSION, MIN_VERSION, versions } from './rest/versions.ts';

export interface AppOptions extends OAuthConfig {
  dataFile: string | undefined;
  knobs: Knobs;
  projectRoot?: string;
}

interface SavedOrg {
  version: 1;
  tables: Record<string, MutableRecord[]>;
  blobs: Record<string, string>;
  grants: PersistedGrants;
  counters: Record<string, number>;
}

/** LOCAL_ORG_TRACE=1 logs each request's method, path and status (to see what a client asks for). */
const TRACE = process.env.LOCAL_ORG_TRACE === '1' || process.env.LOCAL_ORG_TRACE === '2';
const TRACE_QUERY = process.env.LOCAL_ORG_TRACE === '2';
const MAX_BODY = 50 * 1024 * 1024;
/** The oldest REST API version Salesforce ever served (7.0); everything from it to MIN_VERSION is retired. */
const RETIRED_FROM = 7;
const JSON_TYPE = 'application/json;charset=UTF-8';

/** One request the local org could only answer with 500 UNKNOWN_EXCEPTION: a bug in the local org. */
export interface UnexpectedError {
  errorId: string;
  method: string;
  /** The path without its query string (which may carry personal data in SOQL literals). */
  path: string;
  message: string;
}

/**
 * Every unexpected error of every org in this process (a realm-wide list, so that a test toolkit
 * loaded as another module instance sees the same one). Test set-ups fail a test run that leaves any:
 * a 500 from the local org is a test passing or failing for the wrong reason.
 */
const UNEXPECTED_KEY = Symbol.for('salescaling.localOrg.unexpectedErrors');
function unexpectedRegistry(): UnexpectedError[] {
  const g = globalThis as { [UNEXPECTED_KEY]?: UnexpectedError[] };
  return (g[UNEXPECTED_KEY] ??= []);
}

/** The unexpected errors of every local org in this process so far (not cleared). */
export function unexpectedErrors(): readonly UnexpectedError[] {
  return [...unexpectedRegistry()];
}

/** Returns and forgets them (for a test that provokes one on purpose, and the check after each test). */
export function takeUnexpectedErrors(): UnexpectedError[] {
  return unexpectedRegistry().splice(0);
}

/**
 * An error id shaped like the ones Salesforce prints (`1234567890-12345 (-1234567890)`); the docs do
 * not describe their format, see docs/local-org.md.
 */
function errorId(): string {
  const big = () => randomInt(100_000_000, 2_147_483_647);
  return `${big()}-${randomInt(10_000, 99_999)} (${randomInt(2) === 0 ? '-' : ''}${big()})`;
}

/** The knobs that change the org's schema and rules (they are org settings in Salesforce). */
function orgSettings(knobs: Knobs): OrgSettings {
  return {
    sharedActivities: knobs.sharedActivities,
    packageInstalled: knobs.packageInstalled,
    sharing: knobs.sharing,
    customerRules: knobs.customerRules,
  };
}

export class App {
  readonly org: Org;
  readonly oauth: OAuthServer;
  readonly rest: Rest;
  knobs: Knobs;
  readonly #counters = new Map<string, number>();
  readonly #unexpected: UnexpectedError[] = [];
  readonly #dataFile: string | undefined;
  #inFlight = 0;
  #dirty = false;
  #saveTimer: NodeJS.Timeout | undefined;
  server: Server | undefined;

  constructor(options: AppOptions) {
    this.knobs = { ...options.knobs };
    this.#dataFile = options.dataFile;
    const saved =
      this.#dataFile && existsSync(this.#dataFile)
        ? (JSON.parse(readFileSync(this.#dataFile, 'utf8')) as SavedOrg)
        : undefined;
    this.org = new Org({
      settings: orgSettings(this.knobs),
      adminUsername: options.username,
      ...(options.projectRoot !== undefined ? { projectRoot: options.projectRoot } : {}),
      ...(saved ? { data: { tables: saved.tables, blobs: saved.blobs } } : {}),
    });
    this.oauth = new OAuthServer(this.org, options, () => this.knobs.accessTokenLifetimeSec);
    this.oauth.importGrants(saved?.grants);
    for (const [k, v] of Object.entries(saved?.counters ?? {})) this.#counters.set(k, v);
    this.rest = new Rest({
      org: this.org,
      now: () => Date.now(),
      instanceUrl: () => this.oauth.baseUrl,
      apiUsage: () => ({ used: this.#counters.get('total') ?? 0, max: this.knobs.dailyApiLimit }),
      countExtra: (kind, n) => {
        for (let k = 0; k < n; k++) this.#count(kind);
      },
    });
  }

  setKnobs(partial: Partial<Knobs>): void {
    this.knobs = { ...this.knobs, ...partial };
    this.org.setSettings(orgSettings(this.knobs));
  }

  /** API requests being served now (including ones whose caller has gone and that still commit). */
  inFlight(): number {
    return this.#inFlight;
  }

  counters(): Record<string, number> {
    return { total: 0, ...Object.fromEntries(this.#counters) };
  }

  resetCounters(): void {
    this.#counters.clear();
  }

  #count(kind: string): void {
    this.#counters.set(kind, (this.#counters.get(kind) ?? 0) + 1);
    this.#counters.set('total', (this.#counters.get('total') ?? 0) + 1);
  }

  markDirty(): void {
    if (!this.#dataFile) return;
    this.#dirty = true;
    this.#saveTimer ??= setTimeout(() => {
      this.#saveTimer = undefined;
      this.save();
    }, 200);
  }

  save(): void {
    if (!this.#dataFile || !this.#dirty) return;
    this.#dirty = false;
    const data: SavedOrg = {
      version: 1,
      ...this.org.store.dump(),
      grants: this.oauth.exportGrants(),
      counters: Object.fromEntries(this.#counters),
    };
    const tmp = `${this.#dataFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.#dataFile);
  }

  close(): void {
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    this.save();
  }

  handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (TRACE) {
      // Paths only by default: query strings may carry personal data (SOQL literals); level 2 shows them.
      const shown = TRACE_QUERY ? req.url : (req.url ?? '').split('?')[0];
      res.on('finish', () =>
        log.info({ method: req.method, path: shown, status: res.statusCode }, 'request'),
      );
    }
    this.#handle(req, res).catch((e: unknown) => this.#fail(req, res, e));
  };

  /** This org's unexpected errors so far. */
  unexpectedErrors(): readonly UnexpectedError[] {
    return [...this.#unexpected];
  }

  /**
   * The safety net: an exception nothing else turned into Salesforce's answer. An ApiError that
   * (or QueryError) escaped is still answered as that error; anything else is a bug in the local org, answered as
   * Salesforce answers an internal error and recorded so that the test that caused it fails.
   */
  #fail(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    if (isSalesforceError(e)) {
      if (!res.headersSent) send(res, e.status, [e.toItem()]);
      else res.end();
      return;
    }
    const id = errorId();
    const entry: UnexpectedError = {
      errorId: id,
      method: req.method ?? 'GET',
      path: (req.url ?? '').split('?')[0] ?? '',
      message: e instanceof Error ? e.message : String(e),
    };
    this.#unexpected.push(entry);
    unexpectedRegistry().push(entry);
    log.error({ err: e, errorId: id, method: entry.method, path: entry.path }, 'unexpected error');
    if (!res.headersSent) {
      send(res, 500, [
        {
          errorCode: 'UNKNOWN_EXCEPTION',
          message: `An unexpected error occurred. Please include this ErrorId if you contact support: ${id}`,
        },
      ]);
    } else res.end();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The sf CLI sometimes asks for `//services/data`; Salesforce tolerates repeated slashes (and a
    // leading `//` must not be read as a host).
    const url = new URL((req.url ?? '/').replace(/^\/{2,}/, '/'), 'http://local');
    const path = url.pathname.replace(/\/{2,}/g, '/');
    const method = (req.method ?? 'GET').toUpperCase();
    // A deliberate bug, so that tests can prove the safety net answers and is counted.
    if (path === '/__control/fault') throw new Error('fault injected through /__control/fault');
    if (path.startsWith('/__control/')) return this.#control(method, path, req, res);
    if (path.startsWith('/services/oauth2/')) return this.#oauth(method, path, url.searchParams, req, res);
    if (path.startsWith('/id/')) return this.#identity(method, path, req, res);
    if (path === '/.well-known/openid-configuration' && method === 'GET') {
      return send(res, 200, this.oauth.openidConfiguration());
    }
    if (path === '/services/data' || path === '/services/data/') {
      if (method !== 'GET') return send(res, 405, [methodNotAllowed(method, ['GET'])]);
      return send(res, 200, versions());
    }
    if (path.startsWith('/services/data/')) return this.#data(method, path, url.searchParams, req, res);
    send(res, 404, notFoundBody());
  }

  async #data(
    method: string,
    path: string,
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const m = /^\/services\/data\/v(\d+)\.(\d)(?:\/(.*))?$/.exec(path);
    const major = m ? Number(m[1]) : NaN;
    // Versions 7.0 to 30.0 are retired (21.0–30.0 since Summer '25): any resource under them is
    // 410 GONE, not an unknown resource
    // (https://developer.salesforce.com/docs/atlas.en-us.securityImplGuide.meta/securityImplGuide/api_rest_eol.htm).
    if (m && m[2] === '0' && major >= RETIRED_FROM && major < MIN_VERSION) {
      return send(res, 410, [
        {
          errorCode: 'GONE',
          message: 'The requested resource has been retired or removed.',
        },
      ]);
    }
    if (!m || m[2] !== '0' || major < MIN_VERSION || major > MAX_VERSION) {
      return send(res, 404, notFoundBody());
    }
    const version = `${major}.0`;
    const session = this.#authenticate(req);
    if (!session)
      return send(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    // A token without the `api` (or `full`) scope cannot call the REST API.
    if (!OAuthServer.canUseApi(session)) {
      return send(res, 401, [
        { message: 'This session is not valid for use with the REST API', errorCode: 'INVALID_SESSION_ID' },
      ]);
    }
    // Nor can a user without the "API Enabled" permission.
    if (!this.org.runAs(session.userId, () => this.org.apiEnabled())) {
      return send(res, 403, [
        { message: 'API is not enabled for this Organization or Partner', errorCode: 'API_DISABLED_FOR_ORG' },
      ]);
    }
    const parts = (m[3] ?? '').split('/').map(decodeSegment);
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    const kind = counterKind(method, parts);
    const limitHeader = () => ({
      'Sforce-Limit-Info': `api-usage=${this.#counters.get('total') ?? 0}/${this.knobs.dailyApiLimit}`,
    });
    const used = this.#counters.get('total') ?? 0;
    if (used >= this.knobs.dailyApiLimit) {
      return send(
        res,
        403,
        [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
        limitHeader(),
      );
    }
    if (this.#inFlight >= this.knobs.concurrentRequestLimit) {
      return send(
        res,
        403,
        [{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
        limitHeader(),
      );
    }
    this.#inFlight++;
    try {
      this.#count(kind);
      const body = await readBody(req);
      if (this.knobs.latencyMs > 0) await new Promise((r) => setTimeout(r, this.knobs.latencyMs));
      const injected = this.#injectFailure(method);
      if (injected) return send(res, injected.status, injected.body, limitHeader());
      let parsed: unknown;
      if (body.length > 0) {
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch (e) {
          return send(
            res,
            400,
            [{ message: e instanceof Error ? e.message : 'Malformed JSON', errorCode: 'JSON_PARSER_ERROR' }],
            limitHeader(),
          );
        }
      }
      const depth = nestingDepth(parsed);
      if (depth > MAX_JSON_DEPTH) {
        // Salesforce documents no nesting limit; its JSON errors are Jackson's, whose default limit
        // (1,000) and sentence these are. Deeper bodies overflowed the composite resolver (a 500).
        return send(
          res,
          400,
          [
            {
              message: `Document nesting depth (${depth}) exceeds the maximum allowed (${MAX_JSON_DEPTH}, from \`StreamReadConstraints.getMaxNestingDepth()\`)`,
              errorCode: 'JSON_PARSER_ERROR',
            },
          ],
          limitHeader(),
        );
      }
      if (this.knobs.writeLatencyMs > 0 && writes(method, parsed)) {
        await new Promise((r) => setTimeout(r, this.knobs.writeLatencyMs));
      }
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers))
        headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      delete headers[FORCE_ALL_OR_NONE];
      // HEAD answers as GET would, without the body (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_resources.htm).
      const asMethod = method === 'HEAD' ? 'GET' : method;
      // Everything the request reads or writes runs as the token's user (permissions, sharing, FLS).
      const reply = this.org.runAs(session.userId, () =>
        this.rest.dispatch({
          method: asMethod,
          version,
          path: parts,
          query,
          body: parsed,
          headers,
          inComposite: false,
        }),
      );
      if (asMethod !== 'GET') this.markDirty();
      if (method === 'HEAD') {
        res.writeHead(reply.status, { 'Content-Type': JSON_TYPE, ...limitHeader() });
        res.end();
        return;
      }
      // X-PrettyPrint: 1 indents the JSON, as Salesforce does for people reading responses.
      sendReply(res, reply, limitHeader(), headers['x-prettyprint'] === '1');
    } finally {
      this.#inFlight--;
    }
  }

  #injectFailure(method: string): Reply | undefined {
    if (this.knobs.failureRate <= 0 || Math.random() >= this.knobs.failureRate) return undefined;
    const kinds = this.knobs.failureKinds.filter((k) => k !== 'UNABLE_TO_LOCK_ROW' || method !== 'GET');
    // A lock failure only makes sense for a write; a read configured only for locks runs normally.
    if (kinds.length === 0) return undefined;
    const kind = kinds[Math.floor(Math.random() * kinds.length)] ?? '503';
    switch (kind) {
      case 'UNABLE_TO_LOCK_ROW':
        return {
          status: 400,
          body: [
            {
              message: 'unable to obtain exclusive access to this record or 1 records',
              errorCode: 'UNABLE_TO_LOCK_ROW',
              fields: [],
            },
          ],
        };
      case 'REQUEST_LIMIT_EXCEEDED':
        return {
          status: 403,
          body: [{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
        };
      default:
        return {
          status: 503,
          body: [
            {
              message: 'Server temporarily unavailable, please try again later.',
              errorCode: 'SERVER_UNAVAILABLE',
            },
          ],
        };
    }
  }

  #bearer(req: IncomingMessage): string | undefined {
    const h = req.headers.authorization;
    const m = h ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(h) : null;
    return m?.[1]?.trim();
  }

  #authenticate(req: IncomingMessage): Session | undefined {
    const token = this.#bearer(req);
    if (!token) return undefined;
    const s = this.oauth.session(token);
    return s === 'expired' ? undefined : s;
  }

  async #oauth(
    method: string,
    path: string,
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const endpoint = path.slice('/services/oauth2/'.length).replace(/\/$/, '');
    const form = async (): Promise<URLSearchParams> => {
      const body = (await readBody(req)).toString('utf8');
      const params = new URLSearchParams(body);
      // Parameters may come in the query string too, as Salesforce accepts.
      for (const [k, v] of query) if (!params.has(k)) params.set(k, v);
      return params;
    };
    let reply: OAuthReply;
    switch (endpoint) {
      case 'token':
        if (method !== 'POST')
          return send(res, 405, { error: 'invalid_request', error_description: 'must use HTTP POST' });
        {
          const params = await form();
          const basic = basicAuth(req);
          if (basic && !params.has('client_id')) {
            params.set('client_id', basic.id);
            params.set('client_secret', basic.secret);
          }
          reply = this.oauth.token(params);
        }
        if (reply.status === 200) this.markDirty();
        break;
      case 'authorize':
        reply =
          method === 'POST' ? this.oauth.authorizeSubmit(await form()) : this.oauth.authorizePage(query);
        break;
      case 'revoke':
        reply = this.oauth.revoke(method === 'POST' ? await form() : query);
        this.markDirty();
        break;
      case 'introspect': {
        if (method !== 'POST')
          return send(res, 405, { error: 'invalid_request', error_description: 'must use HTTP POST' });
        reply = this.oauth.introspect(await form(), basicAuth(req));
        break;
      }
      case 'userinfo': {
        const token = this.#bearer(req) ?? query.get('access_token') ?? '';
        const s = this.oauth.session(token);
        if (!s || s === 'expired') return sendText(res, 403, 'Bad_OAuth_Token');
        if (!OAuthServer.canReadIdentity(s)) return sendText(res, 403, 'Insufficient_Scope');
        reply = { status: 200, json: this.oauth.userInfo(s) };
        break;
      }
      default:
        return send(res, 404, notFoundBody());
    }
    if (reply.redirect) {
      res.writeHead(302, {
        Location: reply.redirect,
        'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private',
      });
      res.end();
    } else if (reply.html !== undefined) {
      res.writeHead(reply.status, { 'Content-Type': 'text/html;charset=UTF-8', 'Cache-Control': 'no-store' });
      res.end(reply.html);
    } else if (reply.text !== undefined) sendText(res, reply.status, reply.text);
    else
      send(res, reply.status, reply.json, {
        'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private',
      });
  }

  async #identity(method: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/id\/([A-Za-z0-9]{15,18})\/([A-Za-z0-9]{15,18})\/?$/.exec(path);
    if (!m || (method !== 'GET' && method !== 'POST')) return sendText(res, 404, 'Not Found');
    const token =
      this.#bearer(req) ?? new URL(req.url ?? '/', 'http://local').searchParams.get('oauth_token') ?? '';
    const s = this.oauth.session(token);
    if (!s || s === 'expired') return sendText(res, 403, 'Bad_OAuth_Token');
    // The identity URL needs the `id` scope (or openid, profile, email, address, phone, full).
    if (!OAuthServer.canReadIdentity(s)) return sendText(res, 403, 'Insufficient_Scope');
    const version = new URL(req.url ?? '/', 'http://local').searchParams.get('version');
    const body = this.oauth.identity(
      s,
      m[1]!,
      m[2]!,
      version && /^\d+\.\d$/.test(version) ? version : undefined,
    );
    if (!body) return sendText(res, 404, 'Bad_Id');
    send(res, 200, body);
  }

  async #control(method: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (path === '/__control/knobs') {
        if (method === 'POST' || method === 'PATCH') {
          const raw = (await readBody(req)).toString('utf8');
          this.setKnobs(parseKnobs(raw ? (JSON.parse(raw) as Record<string, unknown>) : {}));
        } else if (method !== 'GET') return send(res, 405, { error: 'method not allowed' });
        return send(res, 200, this.knobs);
      }
      if (path === '/__control/counters' && method === 'GET') return send(res, 200, this.counters());
      if (path === '/__control/unexpected' && method === 'GET')
        return send(res, 200, this.unexpectedErrors());
      if (path === '/__control/counters/reset' && method === 'POST') {
        this.resetCounters();
        return send(res, 200, this.counters());
      }
      if (path === '/__control/tokens/expire' && method === 'POST') {
        this.oauth.expireAll();
        return send(res, 200, { expired: true });
      }
      send(res, 404, { error: 'unknown control endpoint' });
    } catch (e) {
      send(res, 400, { error: e instanceof Error ? e.message : String(e) });
    }
  }
}

function methodNotAllowed(method: string, allowed: string[]): { errorCode: string; message: string } {
  return {
    errorCode: 'METHOD_NOT_ALLOWED',
    message: `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`,
  };
}

/** Client credentials sent as HTTP Basic (client_secret_basic). */
function basicAuth(req: IncomingMessage): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return {
    id: decodeSegment(decoded.slice(0, colon)),
    secret: decodeSegment(decoded.slice(colon + 1)),
  };
}

const MAX_JSON_DEPTH = 1000;

/** How deeply arrays and objects nest in a parsed JSON body (iteratively: the body may be deep). */
function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError('JSON_PARSER_ERROR', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  pretty = false,
): void {
  const data =
    status === 204 || status === 304 || body === undefined
      ? ''
      : JSON.stringify(body, null, pretty ? 4 : undefined);
  res.writeHead(status, { ...(data ? { 'Content-Type': JSON_TYPE } : {}), ...headers });
  res.end(data);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain;charset=UTF-8' });
  res.end(text);
}

function sendReply(res: ServerResponse, reply: Reply, headers: Record<string, string>, pretty = false): void {
  if (reply.raw) {
    res.writeHead(reply.status, { 'Content-Type': reply.raw.contentType, ...headers, ...reply.headers });
    res.end(reply.raw.data);
    return;
  }
  send(res, reply.status, reply.body, { ...headers, ...reply.headers }, pretty);
}

export function listen(app: App, port: number, host: string): Promise<Server> {
  const server = createServer(app.handler);
  server.keepAliveTimeout = 5000;
  app.server = server;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Whether a request writes: any method but GET/HEAD, except a composite whose subrequests all read. */
function writes(method: string, parsed: unknown): boolean {
  if (method === 'GET' || method === 'HEAD') return false;
  const subs = (parsed as { compositeRequest?: unknown } | undefined)?.compositeRequest;
  if (Array.isArray(subs) && !('graphs' in (parsed as object))) {
    return subs.some((s) => (s as { method?: unknown } | null)?.method !== 'GET');
  }
  return true;
}
