/**
 * GET/PUT /v1/workspaces/{id}/salesforce/settings over HTTP: defaults, validation, optimistic
 * concurrency. What was saved is checked in the store (the database), not only in the answers.
 */
import { DEFAULT_SETTINGS } from '../../src/settings/association-settings.ts';
import { api, startTestService, type TestService } from '../support/service.ts';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc.dispose();
});

const path = (ws: string) => `/v1/workspaces/${ws}/salesforce/settings`;

async function put(ws: string, body: unknown, ifMatch?: string) {
  const res = await fetch(`${svc.url}${path(ws)}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${svc.config.apiToken}`,
      'content-type': 'application/json',
      ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
    },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { error: { code: string; details: { path: string }[] } },
    etag: res.headers.get('etag'),
  };
}

describe('association settings API', () => {
  it('when nothing was saved, then GET answers the documented defaults at version 0', async () => {
    const res = await api(svc.url, 'GET', path('ws_defaults'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      workspaceId: 'ws_defaults',
      version: 0,
      settings: DEFAULT_SETTINGS,
      updatedAt: null,
    });
    expect(res.headers.get('etag')).toBe('"0"');
  });

  it('when a PUT names the version it read, then it is saved with defaults filled in and the version grows', async () => {
    const first = await put('ws_save', {
      version: 0,
      settings: {
        opportunityRule: { closeDateWindowDays: 30 },
        exclusions: { neverLinkDomains: ['Private.EXAMPLE'] },
      },
    });
    expect(first.status).toBe(200);
    expect(first.etag).toBe('"1"');
    const stored = await svc.store.settings.get('ws_save');
    expect(stored.version).toBe(1);
    expect(stored.settings.opportunityRule).toEqual({ enabled: true, closeDateWindowDays: 30 });
    expect(stored.settings.exclusions.neverLinkDomains).toEqual(['private.example']);
    expect(stored.settings.domainMatching).toEqual(DEFAULT_SETTINGS.domainMatching);

    const second = await put('ws_save', { settings: { contactCreation: { enabled: true } } }, '"1"');
    expect(second.status).toBe(200);
    expect((await svc.store.settings.get('ws_save')).version).toBe(2);
    expect((await svc.store.settings.get('ws_save')).settings.contactCreation.enabled).toBe(true);
  });

  it('when two admins save from the same version, then the second gets 409 and the first one’s change stays', async () => {
    expect((await put('ws_race', { version: 0, settings: { lateMatching: { windowDays: 3 } } })).status).toBe(
      200,
    );
    const late = await put('ws_race', { version: 0, settings: { lateMatching: { windowDays: 14 } } });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'version_conflict', details: { currentVersion: 1 } });
    const stale = await put('ws_race', { settings: { lateMatching: { windowDays: 14 } } }, 'W/"0"');
    expect(stale.status).toBe(409);
    const stored = await svc.store.settings.get('ws_race');
    expect(stored.version).toBe(1);
    expect(stored.settings.lateMatching.windowDays).toBe(3);
  });

  it('when no version is sent, then 428 and nothing is saved', async () => {
    const res = await put('ws_nover', { settings: {} });
    expect(res.status).toBe(428);
    expect(res.body.error).toMatchObject({ code: 'precondition_required' });
    expect((await svc.store.settings.get('ws_nover')).version).toBe(0);
  });

  it('when the body and If-Match disagree, or If-Match is unreadable, then 400 and nothing is saved', async () => {
    expect((await put('ws_mismatch', { version: 0, settings: {} }, '"3"')).status).toBe(400);
    expect((await put('ws_mismatch', { settings: {} }, 'soon')).status).toBe(400);
    expect((await svc.store.settings.get('ws_mismatch')).version).toBe(0);
  });

  it('when settings are invalid, then 422 names each wrong path and nothing is saved', async () => {
    const res = await put('ws_bad', {
      version: 0,
      settings: {
        opportunityRule: { closeDateWindowDays: -1 },
        domainMatching: {
          domainAccounts: [
            { domain: 'acme.com', accountId: '001000000000001AAA' },
            { domain: 'ACME.com', accountId: '001000000000002AAA' },
            { domain: '@nope', accountId: '003000000000001AAA' },
          ],
        },
        exclusions: { neverLinkEmails: ['not-an-email'] },
        unknownRule: true,
      },
    });
    expect(res.status).toBe(422);
    const paths = res.body.error.details.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'settings.opportunityRule.closeDateWindowDays',
        'settings.domainMatching.domainAccounts.2.domain',
        'settings.domainMatching.domainAccounts.2.accountId',
        'settings.exclusions.neverLinkEmails.0',
        'settings',
      ]),
    );
    expect((await svc.store.settings.get('ws_bad')).version).toBe(0);
  });

  it('when a domain is mapped to two Accounts, then 422', async () => {
    const res = await put('ws_dup', {
      version: 0,
      settings: {
        domainMatching: {
          domainAccounts: [
            { domain: 'acme.com', accountId: '001000000000001AAA' },
            { domain: 'ACME.com', accountId: '001000000000002AAA' },
          ],
        },
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toContainEqual({
      path: 'settings.domainMatching.domainAccounts.1.domain',
      message: 'each domain may be assigned to one Account only',
    });
  });

  it('when the bearer token is missing, then 401 and nothing is saved', async () => {
    const res = await api(svc.url, 'PUT', path('ws_auth'), { version: 0, settings: {} }, 'wrong');
    expect(res.status).toBe(401);
    expect((await svc.store.settings.get('ws_auth')).version).toBe(0);
  });

  it('when the workspace id breaks the rule, then 422', async () => {
    expect((await api(svc.url, 'GET', path('bad%20id'))).status).toBe(422);
  });

  it('the OpenAPI document describes both methods', async () => {
    const doc = (await api(svc.url, 'GET', '/openapi.json')).body as { paths: Record<string, object> };
    expect(Object.keys(doc.paths['/v1/workspaces/{workspaceId}/salesforce/settings'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'put']),
    );
    expect(Object.keys(doc.paths['/v1/workspaces/{workspaceId}/meetings/simulate'] ?? {})).toEqual(['post']);
  });
});
