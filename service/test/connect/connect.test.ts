import { openDatabase } from '../../src/store/index.ts';
import { verifyTokenSignature } from '../../src/salesforce/oauth.ts';
import { api } from '../support/service.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';

jest.setTimeout(60_000);

describe('connecting a workspace to the local org', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.dispose();
  });

  it('when the integration user (a Standard User) signs in and allows, then the service stores the grant sealed and reports the org and that user', async () => {
    stack = await startStack();
    const result = await stack.connect('ws_1');
    const user = await stack.integrationUser();
    expect(user.id).not.toBe(stack.org.userId);
    expect(result.outcome).toBe('connected');
    expect(result.finalUrl).toMatch(
      /^https:\/\/app\.salescaling\.example\/settings\/salesforce\?salesforce=connected$/,
    );

    const status = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce');
    expect(status.body).toMatchObject({
      connected: true,
      status: 'connected',
      orgId: stack.org.orgId,
      instanceUrl: stack.org.url,
      user: { id: user.id, username: user.username },
      permissions: { ok: true, missing: [] },
      sharedActivities: true,
      packageFields: { installed: true, missing: [] },
    });

    const db = openDatabase(`sqlite:${join(stack.svc.dir, 'db.sqlite')}`);
    const rows = await db.all<Record<string, string>>('SELECT * FROM workspace_connections');
    await db.close();
    const conn = await stack.svc.store.connections.get('ws_1');
    expect(JSON.stringify(rows)).not.toContain(conn?.accessToken);
    expect(JSON.stringify(rows)).not.toContain(conn?.refreshToken);
  });

  it('when Shared Activities is off and the package is absent, then the status names each gap', async () => {
    stack = await startStack({
      org: { autoApprove: true, knobs: { sharedActivities: false, packageInstalled: false } },
    });
    expect((await stack.connect('ws_1')).outcome).toBe('connected');
    const status = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce');
    expect(status.body).toMatchObject({
      sharedActivities: false,
      packageFields: {
        installed: false,
        found: [],
        missing: [
          'Salescaling_Meeting_Id__c',
          'Salescaling_Recording_Url__c',
          'Salescaling_Summary_Preview__c',
          'Salescaling_Attendees__c',
        ],
      },
    });

    // the admin installs the package and turns Shared Activities on; a recheck sees it without reconnecting
    stack.org.setKnobs({ sharedActivities: true, packageInstalled: true });
    const rechecked = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce?recheck=true');
    expect(rechecked.body).toMatchObject({
      sharedActivities: true,
      packageFields: { installed: true, missing: [] },
    });
    expect((await stack.svc.store.connections.get('ws_1'))?.profile.packageFields.meetingId).toBe(
      'Salescaling_Meeting_Id__c',
    );
  });

  it('when the admin denies, then the browser returns with an error reason and nothing is stored', async () => {
    stack = await startStack();
    const result = await stack.connect('ws_1', { deny: true });
    expect(result.outcome).toBe('error');
    expect(result.reason).toBe('access_denied');
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce')).body).toMatchObject({
      connected: false,
    });
  });

  it('when the callback is replayed, then the used state is refused and the browser returns with the reason', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const start = await api(stack.svc.url, 'POST', '/v1/workspaces/ws_1/salesforce/connect', {
      returnUrl: 'https://app.example/x',
      loginUrl: stack.org.url,
    });
    const callback =
      (await fetch(String(start.body['authorizeUrl']), { redirect: 'manual' })).headers.get('location') ?? '';
    const first = await fetch(callback, { redirect: 'manual' });
    expect(first.headers.get('location')).toBe('https://app.example/x?salesforce=connected');
    const replay = await fetch(callback, { redirect: 'manual' });
    expect(replay.status).toBe(302);
    expect(replay.headers.get('location')).toBe(
      'https://app.example/x?salesforce=error&reason=state_already_used',
    );
    expect((await stack.svc.store.connections.get('ws_1'))?.status).toBe('connected');
  });

  it('when a workspace disconnects, then the grant is revoked at the org and forgotten here', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    await stack.connect('ws_1');
    const refreshToken = (await stack.svc.store.connections.get('ws_1'))?.refreshToken ?? '';
    const del = await api(stack.svc.url, 'DELETE', '/v1/workspaces/ws_1/salesforce');
    expect(del.status).toBe(204);
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce')).body).toMatchObject({
      connected: false,
    });
    const refresh = await fetch(`${stack.org.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: stack.org.clientId,
        client_secret: stack.org.clientSecret,
      }).toString(),
    });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
    expect((await api(stack.svc.url, 'DELETE', '/v1/workspaces/ws_1/salesforce')).status).toBe(404);
  });
});

describe('token response signature', () => {
  const id = 'https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA';
  const issued_at = '1763654400000';
  const signature = createHmac('sha256', 'secret')
    .update(id + issued_at)
    .digest('base64');

  it('when it is the HMAC of id and issued_at with our secret, then it verifies', () => {
    expect(verifyTokenSignature({ id, issued_at, signature }, 'secret')).toBe(true);
  });
  it('when the id, the time or the secret differ, then it does not', () => {
    expect(verifyTokenSignature({ id: `${id}X`, issued_at, signature }, 'secret')).toBe(false);
    expect(verifyTokenSignature({ id, issued_at: '1', signature }, 'secret')).toBe(false);
    expect(verifyTokenSignature({ id, issued_at, signature }, 'other')).toBe(false);
    expect(verifyTokenSignature({ id, issued_at, signature: 'short' }, 'secret')).toBe(false);
  });
});
