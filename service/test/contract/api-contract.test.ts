/**
 * CONTRACT §4, the API shell's edges: the error shape for every error status, 405 for a known path
 * asked with another method, bearer-auth failures, a too-short search, and readiness that follows
 * the database.
 */
import { api, startTestService, type TestService } from '../support/service.ts';

jest.setTimeout(30_000);

const errorShape = {
  error: { code: expect.stringMatching(/^[a-z]+(_[a-z]+)*$/), message: expect.any(String) },
};

describe('the HTTP API contract (CONTRACT §4)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc.dispose();
  });

  it('when the Authorization header is not a Bearer token, then 401 in the error shape', async () => {
    for (const authorization of ['Basic dGVzdDp0ZXN0', 'Bearer', 'test-api-token-0123456789', 'Bearer  ']) {
      const res = await fetch(`${svc.url}/v1/workspaces/ws_1/salesforce`, { headers: { authorization } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject(errorShape);
    }
    const noHeader = await fetch(`${svc.url}/v1/workspaces/ws_1/meetings/m1`);
    expect(noHeader.status).toBe(401);
    const post = await fetch(`${svc.url}/v1/workspaces/ws_1/salesforce/connect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ returnUrl: 'https://app.example/x' }),
    });
    expect(post.status).toBe(401);
  });

  it('when a known path is asked with another method, then 405 with Allow in the error shape', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/v1/webhooks/meetings', 'POST'],
      ['PUT', '/v1/workspaces/ws_1/salesforce', 'GET, DELETE, HEAD'],
      ['GET', '/v1/workspaces/ws_1/meetings/m1/resync', 'POST'],
      ['POST', '/healthz', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await api(svc.url, method, path);
      expect([method, path, res.status]).toEqual([method, path, 405]);
      expect(res.body).toMatchObject({ error: { code: 'method_not_allowed' } });
      expect(res.headers.get('allow')?.split(', ').sort()).toEqual(allow.split(', ').sort());
    }
  });

  it('when an unknown path is asked, then 404 not_found in the error shape, under /v1 too', async () => {
    for (const path of ['/nope', '/v1/workspaces/ws_1/unknown', '/v1/webhooks/other']) {
      const res = await api(svc.url, 'GET', path);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('when an API body is not JSON or too large, then 400 / 413 in the error shape', async () => {
    const bad = await fetch(`${svc.url}/v1/workspaces/ws_1/associations/suggest`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-api-token-0123456789', 'content-type': 'application/json' },
      body: '{"participants": [',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_json' } });
    const big = await api(svc.url, 'POST', '/v1/workspaces/ws_1/associations/suggest', {
      participants: [{ email: 'a@b.example', name: 'x'.repeat(2 * 1024 * 1024) }],
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('when an API body is sent as something else than JSON, then 415 in the error shape', async () => {
    const res = await fetch(`${svc.url}/v1/workspaces/ws_1/salesforce/connect`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-api-token-0123456789', 'content-type': 'text/plain' },
      body: JSON.stringify({ returnUrl: 'https://app.example/x' }),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    // a POST without a body (resync) needs no content type
    const resync = await fetch(`${svc.url}/v1/workspaces/ws_1/meetings/nope/resync`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-api-token-0123456789' },
    });
    expect(resync.status).toBe(404);
  });

  it('when search q is shorter than 2 characters or types is unknown, then 422 naming the field', async () => {
    for (const [query, path] of [
      ['q=a', 'q'],
      ['q=%20%20', 'q'],
      ['', 'q'],
      ['q=acme&types=Lead', 'types'],
    ] as const) {
      const res = await api(svc.url, 'GET', `/v1/workspaces/ws_1/associations/search?${query}`);
      expect(res.status).toBe(422);
      const details = (res.body['error'] as { details: { path: string; message: string }[] }).details;
      expect(details.map((d) => d.path)).toContain(path);
    }
  });

  it('when suggest gets no participants, then 422 naming the field', async () => {
    const res = await api(svc.url, 'POST', '/v1/workspaces/ws_1/associations/suggest', { participants: [] });
    expect(res.status).toBe(422);
    expect((res.body['error'] as { details: { path: string }[] }).details[0]?.path).toBe('participants');
  });

  it('when /openapi.json is read, then it is OpenAPI 3 with every method and path of CONTRACT §4', async () => {
    const doc = (await (await fetch(`${svc.url}/openapi.json`)).json()) as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toEqual(expect.any(String));
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /v1/workspaces/{workspaceId}/salesforce/connect',
        'GET /oauth/salesforce/callback',
        'GET /v1/workspaces/{workspaceId}/salesforce',
        'DELETE /v1/workspaces/{workspaceId}/salesforce',
        'POST /v1/webhooks/meetings',
        'GET /v1/workspaces/{workspaceId}/meetings/{meetingId}',
        'POST /v1/workspaces/{workspaceId}/meetings/{meetingId}/resync',
        'POST /v1/workspaces/{workspaceId}/associations/suggest',
        'GET /v1/workspaces/{workspaceId}/associations/search',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
      ]),
    );
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) expect(Object.keys(op.responses).length).toBeGreaterThan(0);
    }
  });

  it('when metrics are scraped, then they are Prometheus text with the meeting gauge', async () => {
    const res = await fetch(`${svc.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^# HELP salescaling_meetings /m);
    expect(text).toMatch(/^# TYPE salescaling_meetings gauge$/m);
  });
});

describe('readiness (CONTRACT §4)', () => {
  it('when the database stops answering, then /readyz is 503 in the error shape and /healthz stays 200', async () => {
    const svc = await startTestService();
    try {
      expect((await fetch(`${svc.url}/readyz`)).status).toBe(200);
      await svc.store.close();
      const res = await fetch(`${svc.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: 'not_ready' } });
      expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
    } finally {
      await svc.dispose().catch(() => undefined);
    }
  });
});
