/**
 * Issue 14 items 6 and 8: one rule for workspace ids (the API's, at the webhook too) and recording
 * links limited to http and https. A refusal is a 422 naming the path, and nothing is stored.
 */
import { meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook, startTestService, type TestService } from '../support/service.ts';

jest.setTimeout(30_000);

type Details = { path: string }[];

describe('input rules at the door', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc.dispose();
  });

  it('when the webhook names a workspace id the API refuses, then 422 at workspaceId and nothing is stored', async () => {
    for (const [i, workspaceId] of ['ws fuzz/854261 ü', 'ws/1', '', 'x'.repeat(256)].entries()) {
      const res = await sendWebhook(
        svc.url,
        processedEvent(meeting({ id: `m_ws_${i}` }), `evt_ws_${i}`, workspaceId),
      );
      expect(res.status).toBe(422);
      const details = (res.body['error'] as { details: Details }).details;
      expect([...new Set(details.map((d) => d.path))]).toEqual(['workspaceId']);
    }
    // the same id through the API is refused the same way
    const viaApi = await api(
      svc.url,
      'GET',
      `/v1/workspaces/${encodeURIComponent('ws fuzz')}/meetings/m_ws_0`,
    );
    expect(viaApi.status).toBe(422);
    expect(
      (await svc.store.meetings.get({ workspaceId: 'ws fuzz/854261 ü', meetingId: 'm_ws_0' })) ?? null,
    ).toBeNull();
  });

  it('when the webhook names a workspace id the API accepts, then it is stored and readable', async () => {
    const res = await sendWebhook(
      svc.url,
      processedEvent(meeting({ id: 'm_ws_ok' }), 'evt_ws_ok', 'ws_A-1.b:c'),
    );
    expect(res.status).toBe(202);
    expect((await api(svc.url, 'GET', '/v1/workspaces/ws_A-1.b:c/meetings/m_ws_ok')).status).toBe(200);
  });

  it('when recordingUrl is not http or https, then 422 at data.meeting.recordingUrl and nothing is stored', async () => {
    const schemes = [
      'javascript:alert(1)',
      'data:text/html,<b>x</b>',
      'ftp://files.example/rec',
      'file:///etc/passwd',
    ];
    for (const [i, recordingUrl] of schemes.entries()) {
      const res = await sendWebhook(svc.url, processedEvent(meeting({ id: `m_url_${i}`, recordingUrl })));
      expect(res.status).toBe(422);
      const details = (res.body['error'] as { details: Details }).details;
      expect(details.map((d) => d.path)).toEqual(['data.meeting.recordingUrl']);
      expect(await svc.store.meetings.get({ workspaceId: 'ws_1', meetingId: `m_url_${i}` })).toBeNull();
    }
    for (const recordingUrl of [
      'https://app.salescaling.example/r/1',
      'HTTP://app.salescaling.example/r/2',
    ]) {
      const res = await sendWebhook(
        svc.url,
        processedEvent(meeting({ id: `m_url_ok_${recordingUrl.length}`, recordingUrl })),
      );
      expect(res.status).toBe(202);
    }
  });
});
