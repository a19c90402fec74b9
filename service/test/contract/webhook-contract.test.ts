/**
 * CONTRACT §5 and §8, the webhook's edges the other webhook tests leave open: a signature from the
 * future, a body changed after signing, several secrets, and `meeting.deleted` carrying only
 * `{id, version}`. Each rejection leaves nothing in the store.
 */
import { signPayload } from '../../src/http/webhook-signature.ts';
import { deletedEvent, meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook, startTestService, WEBHOOK_SECRET, type TestService } from '../support/service.ts';

jest.setTimeout(30_000);

describe('webhook signature and events (CONTRACT §5)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ WEBHOOK_SECRET: `whsec_new , ${WEBHOOK_SECRET}` });
  });
  afterAll(async () => {
    await svc.dispose();
  });

  const status = (meetingId: string) => api(svc.url, 'GET', `/v1/workspaces/ws_1/meetings/${meetingId}`);
  const now = () => Math.floor(Date.now() / 1000);

  it('when t is more than 300 s in the future, then 401 and nothing is stored', async () => {
    // Well past the 300 s: with +301 a request that crossed a second boundary arrived exactly 300 s early.
    const res = await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_future' })), { t: now() + 330 });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'invalid_signature', message: expect.any(String) } });
    expect((await status('m_future')).status).toBe(404);
  });

  it('when t is within 300 s either way, then the event is accepted', async () => {
    const past = await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_past_ok' })), { t: now() - 290 });
    const future = await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_future_ok' })), {
      t: now() + 290,
    });
    expect([past.status, future.status]).toEqual([202, 202]);
  });

  it('when the body is changed after signing, then 401 and nothing is stored', async () => {
    const signed = JSON.stringify(processedEvent(meeting({ id: 'm_tampered', title: 'Original' })));
    const signature = signPayload(WEBHOOK_SECRET, signed);
    const res = await sendWebhook(svc.url, null, {
      raw: signed.replace('Original', 'Tampered'),
      signature,
    });
    expect(res.status).toBe(401);
    expect((await status('m_tampered')).status).toBe(404);
  });

  it('when the header is not in the t=…,v1=… format, then 401 and nothing is stored', async () => {
    const raw = JSON.stringify(processedEvent(meeting({ id: 'm_malformed' })));
    const good = signPayload(WEBHOOK_SECRET, raw);
    const v1 = good.split('v1=')[1] ?? '';
    for (const signature of [v1, `v1=${v1}`, `t=${now()}`, `t=abc,v1=${v1}`, `sha256=${v1}`]) {
      const res = await sendWebhook(svc.url, null, { raw, signature });
      expect(res.status).toBe(401);
    }
    expect((await status('m_malformed')).status).toBe(404);
  });

  it('when signed with any secret of the comma-separated list, then accepted; with another, 401', async () => {
    const a = await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_new_secret' })), {
      secret: 'whsec_new',
    });
    const b = await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_old_secret' })), {
      secret: WEBHOOK_SECRET,
    });
    const c = await sendWebhook(svc.url, processedEvent(meeting({ id: 'm_no_secret' })), {
      secret: 'whsec_new , whsec_test_secret',
    });
    expect([a.status, b.status, c.status]).toEqual([202, 202, 401]);
  });

  it('when a schema violation arrives, then 422 names each wrong path and nothing is stored', async () => {
    const bad = processedEvent(meeting({ id: 'm_schema' }));
    const body = JSON.parse(JSON.stringify(bad)) as { data: { meeting: Record<string, unknown> } };
    body.data.meeting['version'] = 0;
    body.data.meeting['participants'] = [{ email: 'x@example.org' }];
    const res = await sendWebhook(svc.url, body);
    expect(res.status).toBe(422);
    const details = (res.body['error'] as { details: { path: string }[] }).details;
    expect(details.map((d) => d.path).sort()).toEqual(
      ['data.meeting.participants.0.internal', 'data.meeting.version'].sort(),
    );
    expect((await status('m_schema')).status).toBe(404);
  });

  it('when meeting.deleted carries only {id, version}, then it is accepted, and a repeat is a duplicate', async () => {
    const m = meeting({ id: 'm_del', version: 2 });
    expect((await sendWebhook(svc.url, processedEvent(m))).status).toBe(202);
    const res = await sendWebhook(svc.url, deletedEvent('m_del', 2));
    expect(res.status).toBe(202);
    const again = await sendWebhook(svc.url, deletedEvent('m_del', 2));
    expect(again.status).toBe(200);
    // the workspace is not connected: the delete waits like any other event (CONTRACT §8)
    const s = await status('m_del');
    expect(s.body).toMatchObject({ state: 'failed', reason: 'not_connected', version: 2 });
  });
});
