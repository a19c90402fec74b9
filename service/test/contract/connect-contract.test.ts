/**
 * CONTRACT §4, the connect flow's edges: a spent state (used or expired) sends the browser back with
 * a reason, a denied consent too; the status reports what the org and the last sync said; a
 * disconnect ends the grant at the org (the old access token is refused) and leaves what was written.
 */
import { join } from 'node:path';
import { openDatabase } from '../../src/store/index.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook } from '../support/service.ts';
import { orgQuery, seedAcme, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(60_000);

describe('connect, status and disconnect against the local org (CONTRACT §4)', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.dispose();
  });

  /** Starts a flow and lets the org approve it; returns the callback URL the browser would open. */
  async function callbackUrl(returnUrl: string): Promise<string> {
    const start = await api(stack.svc.url, 'POST', '/v1/workspaces/ws_1/salesforce/connect', {
      returnUrl,
      loginUrl: stack.org.url,
    });
    expect(start.status).toBe(201);
    const authorize = await fetch(String(start.body['authorizeUrl']), { redirect: 'manual' });
    return authorize.headers.get('location') ?? '';
  }

  it('when the state has expired, then the browser returns with salesforce=error and nothing is stored', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const callback = await callbackUrl('https://app.example/settings?tab=crm');
    const db = openDatabase(`sqlite:${join(stack.svc.dir, 'db.sqlite')}`);
    await db.run('UPDATE oauth_states SET expires_at = ?', [Date.now() - 1000]);
    await db.close();

    const res = await fetch(callback, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.origin + back.pathname).toBe('https://app.example/settings');
    expect(Object.fromEntries(back.searchParams)).toEqual({
      tab: 'crm',
      salesforce: 'error',
      reason: 'state_expired',
    });
    expect(await stack.svc.store.connections.get('ws_1')).toBeNull();
  });

  it('when the state was never issued, then 400 invalid_state in the error shape (nowhere safe to redirect)', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const res = await api(stack.svc.url, 'GET', '/oauth/salesforce/callback?code=abc&state=forged');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_state', message: expect.any(String) } });
  });

  it('when consent is denied (error=access_denied), then the browser returns with that reason and the state is spent', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const callback = new URL(await callbackUrl('https://app.example/x'));
    const state = callback.searchParams.get('state') ?? '';
    const denied = `${stack.svc.publicUrl}/oauth/salesforce/callback?error=access_denied&error_description=end-user+denied+authorization&state=${encodeURIComponent(state)}`;
    const res = await fetch(denied, { redirect: 'manual' });
    expect(res.headers.get('location')).toBe('https://app.example/x?salesforce=error&reason=access_denied');
    // the real code cannot be used with the spent state any more
    const late = await fetch(callback, { redirect: 'manual' });
    expect(late.headers.get('location')).toBe(
      'https://app.example/x?salesforce=error&reason=state_already_used',
    );
    expect(await stack.svc.store.connections.get('ws_1')).toBeNull();
  });

  it('when a meeting has synced, then the status reports the org, the user, the checks, the API usage and the last sync', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    await seedAcme(stack.org);
    await stack.connect('ws_1');
    await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_status' })));
    await stack.waitFor('m_status', (m) => m['state'] === 'synced');

    const status = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      connected: true,
      orgId: stack.org.orgId,
      instanceUrl: stack.org.url,
      user: { id: (await stack.integrationUser()).id, username: (await stack.integrationUser()).username },
      permissions: { ok: true, missing: [] },
      sharedActivities: true,
      packageFields: { installed: true, found: expect.arrayContaining(['Salescaling_Meeting_Id__c']) },
      apiUsage: { used: expect.any(Number), max: expect.any(Number), at: expect.any(String) },
    });
    expect((status.body['apiUsage'] as { used: number }).used).toBeGreaterThan(0);
    expect(Date.parse(String(status.body['lastSyncAt']))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('when a workspace disconnects, then the org refuses the old access token and the meetings written stay', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    await seedAcme(stack.org);
    await stack.connect('ws_1');
    await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_stays' })));
    const synced = await stack.waitFor('m_stays', (m) => m['state'] === 'synced');
    const eventId = (synced['salesforce'] as { eventId: string }).eventId;
    const accessToken = (await stack.svc.store.connections.get('ws_1'))?.accessToken ?? '';
    const before = await fetch(`${stack.org.url}/services/data/v66.0/sobjects/Event/${eventId}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(before.status).toBe(200);

    expect((await api(stack.svc.url, 'DELETE', '/v1/workspaces/ws_1/salesforce')).status).toBe(204);

    // revoking the refresh token revokes its access tokens too:
    // https://developer.salesforce.com/docs/atlas.en-us.mobile_sdk.meta/mobile_sdk/oauth_revoking_tokens.htm
    const after = await fetch(`${stack.org.url}/services/data/v66.0/sobjects/Event/${eventId}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(after.status).toBe(401);
    expect(await orgQuery(stack.org, `SELECT Id FROM Event WHERE Id = '${eventId}'`)).toHaveLength(1);
    expect(await stack.svc.store.connections.get('ws_1')).toBeNull();
    // the meeting's record here is kept too: it still names what it wrote
    const m = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/meetings/m_stays');
    expect(m.body).toMatchObject({ state: 'synced', salesforce: { eventId } });
  });
});
