import { api, startTestService, type TestService } from '../support/service.ts';

jest.setTimeout(30_000);

describe('the HTTP API shell', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc.dispose();
  });

  it('when the bearer token is missing or wrong, then 401 in the error shape', async () => {
    for (const token of ['', 'wrong-token-wrong-token']) {
      const res = await api(svc.url, 'GET', '/v1/workspaces/ws_1/salesforce', undefined, token);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });

  it('when a workspace never connected, then its status says so', async () => {
    const res = await api(svc.url, 'GET', '/v1/workspaces/ws_1/salesforce');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connected: false, status: 'not_connected' });
  });

  it('when a meeting is unknown, then 404 meeting_not_found', async () => {
    const res = await api(svc.url, 'GET', '/v1/workspaces/ws_1/meetings/nope');
    expect(res.status).toBe(404);
    expect((res.body['error'] as { code: string }).code).toBe('meeting_not_found');
    expect((await api(svc.url, 'POST', '/v1/workspaces/ws_1/meetings/nope/resync')).status).toBe(404);
  });

  it('when connect gets a bad returnUrl, then 422 naming the field', async () => {
    const res = await api(svc.url, 'POST', '/v1/workspaces/ws_1/salesforce/connect', {
      returnUrl: 'javascript:alert(1)',
    });
    expect(res.status).toBe(422);
    expect((res.body['error'] as { details: { path: string }[] }).details[0]?.path).toBe('returnUrl');
  });

  it('when connect starts, then the authorize URL carries PKCE S256 and a state, valid 10 minutes', async () => {
    const res = await api(svc.url, 'POST', '/v1/workspaces/ws_1/salesforce/connect', {
      returnUrl: 'https://app.salescaling.com/settings',
      loginUrl: 'https://test.salesforce.com',
    });
    expect(res.status).toBe(201);
    const url = new URL(String(res.body['authorizeUrl']));
    expect(url.origin + url.pathname).toBe('https://test.salesforce.com/services/oauth2/authorize');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{40,}$/);
    expect(url.searchParams.get('redirect_uri')).toBe(`${svc.url}/oauth/salesforce/callback`);
    const expires = Date.parse(String(res.body['expiresAt'])) - Date.now();
    expect(expires).toBeGreaterThan(9 * 60_000);
    expect(expires).toBeLessThanOrEqual(10 * 60_000);
  });

  it('when loginUrl is not a Salesforce host, then 422 and no flow starts', async () => {
    for (const loginUrl of [
      'https://evil.example',
      'http://login.salesforce.com',
      'https://salesforce.com.evil.example',
    ]) {
      const res = await api(svc.url, 'POST', '/v1/workspaces/ws_1/salesforce/connect', {
        returnUrl: 'https://app.example/x',
        loginUrl,
      });
      expect([loginUrl, res.status, (res.body['error'] as { code: string }).code]).toEqual([
        loginUrl,
        422,
        'login_url_not_allowed',
      ]);
    }
    for (const loginUrl of [
      'https://acme.my.salesforce.com',
      'https://acme--uat.sandbox.my.salesforce.com',
      'http://127.0.0.1:8484',
    ]) {
      const res = await api(svc.url, 'POST', '/v1/workspaces/ws_1/salesforce/connect', {
        returnUrl: 'https://app.example/x',
        loginUrl,
      });
      expect([loginUrl, res.status]).toEqual([loginUrl, 201]);
    }
  });

  it('when the callback has an unknown state, then 400 invalid_state', async () => {
    const res = await api(svc.url, 'GET', '/oauth/salesforce/callback?code=x&state=forged');
    expect(res.status).toBe(400);
    expect((res.body['error'] as { code: string }).code).toBe('invalid_state');
  });

  it('when suggest or search is asked of a workspace that is not connected, then 409 not_connected', async () => {
    const s = await api(svc.url, 'POST', '/v1/workspaces/ws_1/associations/suggest', {
      participants: [{ email: 'a@b.co' }],
    });
    expect([s.status, (s.body['error'] as { code: string }).code]).toEqual([409, 'not_connected']);
    const q = await api(svc.url, 'GET', '/v1/workspaces/ws_1/associations/search?q=Acme');
    expect(q.status).toBe(409);
    const bad = await api(svc.url, 'GET', '/v1/workspaces/ws_1/associations/search?q=Acme&types=User');
    expect(bad.status).toBe(422);
  });

  it('when probes are called, then healthz, readyz and metrics answer without auth', async () => {
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${svc.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toContain('salescaling_meetings{state="queued"}');
    expect(metrics).toContain('salescaling_http_request_duration_seconds');
  });

  it('when the OpenAPI document is fetched, then it describes every endpoint with the webhook schema', async () => {
    const doc = (await (await fetch(`${svc.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/healthz',
        '/metrics',
        '/oauth/salesforce/callback',
        '/openapi.json',
        '/readyz',
        '/v1/webhooks/meetings',
        '/v1/workspaces/{workspaceId}/admin-links',
        '/v1/workspaces/{workspaceId}/associations/search',
        '/v1/workspaces/{workspaceId}/associations/suggest',
        '/v1/workspaces/{workspaceId}/backfills',
        '/v1/workspaces/{workspaceId}/backfills/{backfillId}',
        '/v1/workspaces/{workspaceId}/backfills/{backfillId}/cancel',
        '/v1/workspaces/{workspaceId}/backfills/{backfillId}/pause',
        '/v1/workspaces/{workspaceId}/backfills/{backfillId}/resume',
        '/v1/workspaces/{workspaceId}/meetings',
        '/v1/workspaces/{workspaceId}/meetings/simulate',
        '/v1/workspaces/{workspaceId}/meetings/{meetingId}',
        '/v1/workspaces/{workspaceId}/meetings/{meetingId}/resync',
        '/v1/workspaces/{workspaceId}/salesforce',
        '/v1/workspaces/{workspaceId}/salesforce/connect',
        '/v1/workspaces/{workspaceId}/salesforce/settings',
      ].filter((p) => p !== '/openapi.json'),
    );
    // The webhook body is the shared MeetingEvent component, which holds the event's fields.
    expect(JSON.stringify(doc.paths['/v1/webhooks/meetings'])).toContain('#/components/schemas/MeetingEvent');
    expect(JSON.stringify(doc.components.schemas['MeetingEvent'])).toContain('recordingUrl');
  });

  it('when an unknown route is hit, then 404 in the error shape', async () => {
    const res = await api(svc.url, 'GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});
