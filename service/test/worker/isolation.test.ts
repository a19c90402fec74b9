/**
 * Issue 14 item 3: one hung org must not stall every workspace. Every Salesforce call is bounded by
 * SALESFORCE_TIMEOUT_SECONDS, and one workspace takes at most its share of the worker's slots, so a
 * meeting of another workspace, on a healthy org, syncs while the hung org's meetings wait.
 */
import type { LocalOrg } from '../../../emulator/src/index.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook } from '../support/service.ts';
import {
  connectWorkspace,
  orgQuery,
  seedAcme,
  startOrgFor,
  startStack,
  type Stack,
} from '../support/stack.ts';

jest.setTimeout(90_000);

describe('one hung org', () => {
  let stack: Stack | undefined;
  let healthy: LocalOrg | undefined;
  afterEach(async () => {
    // the hung org goes first: its open calls fail at once and the service stops without waiting
    await stack?.org.stop().catch(() => undefined);
    await stack?.svc.dispose();
    await healthy?.stop();
    stack = healthy = undefined;
  });

  async function twoWorkspaces(env: Record<string, string>) {
    stack = await startStack({ org: { autoApprove: true }, env });
    healthy = await startOrgFor(stack.svc.publicUrl, { autoApprove: true });
    seedAcme(stack.org);
    seedAcme(healthy);
    expect((await stack.connect('ws_hung')).outcome).toBe('connected');
    expect((await connectWorkspace(stack.svc.url, healthy, 'ws_ok')).outcome).toBe('connected');
    // every call to the first org now waits 30 s before it is answered
    stack.org.setKnobs({ latencyMs: 30_000 });
    for (let i = 0; i < 6; i++) {
      const res = await sendWebhook(
        stack.svc.url,
        processedEvent(meeting({ id: `hung${i}` }), `evt_hung${i}`, 'ws_hung'),
      );
      expect(res.status).toBe(202);
    }
    expect(
      (await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'ok1' }), 'evt_ok1', 'ws_ok'))).status,
    ).toBe(202);
    return { stack, healthy };
  }

  it('when one org hangs on every call, then another workspace’s meeting still syncs to its own org', async () => {
    const { stack: s, healthy: h } = await twoWorkspaces({});
    const status = await s.waitFor('ok1', (m) => m['state'] === 'synced', 'ws_ok', 20_000);
    expect(status['state']).toBe('synced');
    const events = await orgQuery(h, `SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'ok1'`);
    expect(events).toHaveLength(1);
    // the hung org's meetings are still in its hands: none was written, none failed
    const hung = await api(s.svc.url, 'GET', '/v1/workspaces/ws_hung/meetings/hung0');
    expect(['syncing', 'queued']).toContain(hung.body['state']);
  });

  it('when a call to the hung org outlasts SALESFORCE_TIMEOUT_SECONDS, then it is abandoned and the meeting is retried later', async () => {
    const { stack: s } = await twoWorkspaces({ SALESFORCE_TIMEOUT_SECONDS: '2' });
    const status = await s.waitFor(
      'hung0',
      (m) => m['state'] === 'queued' && Number(m['attempts']) >= 1,
      'ws_hung',
      20_000,
    );
    expect(String(status['lastError'])).toMatch(/timed out|timeout/i);
  });
});
