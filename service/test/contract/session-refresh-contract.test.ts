/**
 * CONTRACT §8, "Salesforce 401 (expired session): refresh once, retry". An org that refuses even a
 * freshly refreshed session must not make the service mint token after token: one refresh per
 * attempt, then the meeting waits for a retry. The local org has no knob for a session refused
 * after a refresh, so a minimal stand-in answers here: 401 INVALID_SESSION_ID on the REST API, a
 * good token response on /services/oauth2/token.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connection, meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook, startTestService, type TestService } from '../support/service.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';

jest.setTimeout(30_000);

describe('a session refused right after its refresh', () => {
  let server: Server;
  let url = '';
  let tokenCalls = 0;
  let restCalls = 0;
  let svc: TestService;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/services/oauth2/token')) {
        tokenCalls += 1;
        res.writeHead(tokenCalls > 50 ? 500 : 200, { 'content-type': 'application/json' });
        const id = `${url}/id/00D000000000001AAA/005000000000001AAA`;
        const issued = String(Date.now());
        res.end(
          JSON.stringify({
            access_token: `00D000000000001!fresh${tokenCalls}`,
            instance_url: url,
            id,
            issued_at: issued,
            // signed with the test service's client secret, as Salesforce signs its token responses
            signature: createHmac('sha256', 'client-secret')
              .update(id + issued)
              .digest('base64'),
            token_type: 'Bearer',
          }),
        );
        return;
      }
      restCalls += 1;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    svc = await startTestService(
      {},
      { syncMeeting, worker: { backoff: { baseMs: 60_000, limitBaseMs: 60_000, maxMs: 60_000 } } },
    );
    await svc.store.connections.save({ ...connection('ws_1'), loginUrl: url, instanceUrl: url });
  });
  afterAll(async () => {
    await svc?.dispose();
    await new Promise((resolve) => server.close(resolve));
  });

  it('when the org answers 401 even to the refreshed token, then one refresh is made and the meeting waits for a retry', async () => {
    expect((await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_401' })))).status).toBe(202);
    const status = await eventually(
      'a first attempt at meeting m_401',
      async () => (await api(svc.url, 'GET', '/v1/workspaces/ws_1/meetings/m_401')).body,
      { until: (m) => Number(m['attempts']) >= 1, timeoutMs: 10_000 },
    );
    expect(status).toMatchObject({
      state: 'queued',
      attempts: 1,
      lastError: expect.stringMatching(/refreshed/),
    });
    expect(tokenCalls).toBe(1);
    expect(restCalls).toBeLessThanOrEqual(3);
    // the connection is not marked broken: the refresh token itself works
    expect((await svc.store.connections.get('ws_1'))?.status).toBe('connected');
  });
});
