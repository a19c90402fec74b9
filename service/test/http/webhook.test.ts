import {
  API_TOKEN,
  api,
  sendWebhook,
  startTestService,
  WEBHOOK_SECRET,
  type TestService,
} from '../support/service.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';

jest.setTimeout(30_000);

describe('POST /v1/webhooks/meetings', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ WEBHOOK_SECRET: `whsec_old,${WEBHOOK_SECRET}` });
  });
  afterAll(async () => {
    await svc.dispose();
  });

  const stored = async (meetingId: string) =>
    (await api(svc.url, 'GET', `/v1/workspaces/ws_1/meetings/${meetingId}`)).status;

  it('when the signature is wrong, then 401 and nothing is stored', async () => {
    const res = await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_badsig' })), {
      secret: 'not-the-secret',
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'invalid_signature', message: expect.any(String) } });
    expect(await stored('m_badsig')).toBe(404);
  });

  it('when the signature is older than 300 seconds, then 401', async () => {
    const t = Math.floor(Date.now() / 1000) - 301;
    const res = await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_stale' })), { t });
    expect(res.status).toBe(401);
    expect(await stored('m_stale')).toBe(404);
  });

  it('when the header is missing, then 401', async () => {
    const res = await fetch(`${svc.url}/v1/webhooks/meetings`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
  });

  it('when signed with the previous secret during rotation, then accepted', async () => {
    const res = await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_rotated' })), {
      secret: 'whsec_old',
    });
    expect(res.status).toBe(202);
  });

  it('when the body is not JSON, then 400', async () => {
    const res = await sendWebhook(svc.url, null, { raw: '{"id": "evt_1", ' });
    expect(res.status).toBe(400);
    expect((res.body['error'] as { code: string }).code).toBe('invalid_json');
  });

  it('when the body is over 5 MB, then 413 and nothing is stored', async () => {
    const big = processedEvent(meeting({ id: 'm_big', summary: 'x'.repeat(5 * 1024 * 1024) }));
    const res = await sendWebhook(svc.url, big);
    expect(res.status).toBe(413);
    expect(await stored('m_big')).toBe(404);
  });

  it('when fields are wrong, then 422 with the path of each', async () => {
    const bad = processedEvent(meeting({ id: 'm_bad', version: 0, recordingUrl: 'not a url' }));
    const res = await sendWebhook(svc.url, bad);
    expect(res.status).toBe(422);
    const details = (res.body['error'] as { details: { path: string }[] }).details;
    expect(details.map((d) => d.path).sort()).toEqual(['data.meeting.recordingUrl', 'data.meeting.version']);
    expect(await stored('m_bad')).toBe(404);
  });

  it('when a valid event arrives for a workspace that is not connected, then 202 and it waits as not_connected', async () => {
    const res = await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_wait' })));
    expect(res.status).toBe(202);
    const status = await api(svc.url, 'GET', '/v1/workspaces/ws_1/meetings/m_wait');
    expect(status.body).toMatchObject({ state: 'failed', reason: 'not_connected', version: 1 });
  });

  it('when the same event id arrives again, then 200 and nothing changes', async () => {
    const event = processedEvent(meeting({ id: 'm_dup' }), 'evt_dup');
    expect((await sendWebhook(svc.url, event)).status).toBe(202);
    const again = await sendWebhook(svc.url, {
      ...event,
      data: { meeting: { ...event.data.meeting, version: 9 } },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate' });
    expect((await api(svc.url, 'GET', '/v1/workspaces/ws_1/meetings/m_dup')).body).toMatchObject({
      version: 1,
    });
  });

  it('when the webhook is hit, then it never needs the bearer token', async () => {
    const res = await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_nobearer' })));
    expect(res.status).toBe(202);
    expect(API_TOKEN).toBeTruthy();
  });
});
