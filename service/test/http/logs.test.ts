import { createLogger } from '../../src/logger.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { API_TOKEN, WEBHOOK_SECRET, api, sendWebhook } from '../support/service.ts';
import { CLIENT_SECRET, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(60_000);

describe('logs', () => {
  let stack: Stack;
  let out = '';
  beforeAll(async () => {
    const logger = createLogger('trace', { write: (line: string) => void (out += line) });
    stack = await startStack({ org: { autoApprove: true }, service: { logger } });
    const [acme] = stack.org.seed('Account', [{ Name: 'Acme' }]);
    stack.org.seed('Contact', [
      { FirstName: 'Bea', LastName: 'Buyer', Email: 'bea.secret@acme.example', AccountId: acme },
    ]);
    await stack.connect();
    await sendWebhook(
      stack.svc.url,
      processedEvent(
        meeting({
          id: 'logged',
          participants: [{ email: 'bea.secret@acme.example', name: 'Bea Buyer', internal: false }],
          summary: 'Confidential summary: merger talks',
          notes: [{ id: 'n1', category: 'Pain points', text: 'Private note text about layoffs', at: 3 }],
        }),
      ),
    );
    await stack.waitFor('logged', (m) => m['state'] === 'synced');
    await api(
      stack.svc.url,
      'GET',
      '/v1/workspaces/ws_1/salesforce',
      undefined,
      'a-wrong-token-of-some-length',
    );
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('when a workspace connects and a meeting syncs, then no token, secret, email or meeting text is logged', async () => {
    const conn = await stack.svc.store.connections.get('ws_1');
    expect(out.length).toBeGreaterThan(0);
    for (const secret of [
      conn?.accessToken ?? 'x',
      conn?.refreshToken ?? 'x',
      CLIENT_SECRET,
      API_TOKEN,
      WEBHOOK_SECRET,
      'a-wrong-token-of-some-length',
      'bea.secret@acme.example',
      'seller@example.com',
      'merger talks',
      'about layoffs',
    ]) {
      expect(out).not.toContain(secret);
    }
  });

  it('when requests are served, then each request line carries a request id', () => {
    const requests = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; requestId?: string; route?: string })
      .filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(3);
    for (const r of requests) expect(r.requestId).toMatch(/^[\w.-]+$/);
  });
});
