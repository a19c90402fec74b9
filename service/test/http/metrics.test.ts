/**
 * Metrics: one route-label scheme (the OpenAPI path template), and every refused webhook counted and
 * logged by its reason. Read back from GET /metrics and the log stream, not from the code's own say-so.
 */
import { createLogger } from '../../src/logger.ts';
import { routeLabeler } from '../../src/metrics.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { WEBHOOK_SECRET, api, sendWebhook, startTestService, type TestService } from '../support/service.ts';
import { signPayload } from '../../src/http/webhook-signature.ts';

jest.setTimeout(60_000);

/** The value of one sample line of the Prometheus text format, 0 when absent. */
function sample(metrics: string, name: string, labels: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('metrics', () => {
  let svc: TestService;
  let out = '';
  const logLines = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    const logger = createLogger('info', { write: (line: string) => void (out += line) });
    svc = await startTestService({}, { logger });
  });
  afterAll(async () => {
    await svc?.dispose();
  });

  it('when webhooks are refused for every reason, then each is counted by reason and logged with it', async () => {
    const event = processedEvent(meeting({ id: 'm-metrics' }));
    const url = `${svc.url}/v1/webhooks/meetings`;
    await sendWebhook(svc.url, event, { signature: '' }).catch(() => undefined);
    await fetch(url, { method: 'POST', body: '{}' }); // no signature header at all
    await sendWebhook(svc.url, event, { signature: 'garbage' });
    await sendWebhook(svc.url, event, { t: Math.floor(Date.now() / 1000) - 3600 });
    await sendWebhook(svc.url, event, { secret: 'whsec_someone_else' });
    await sendWebhook(svc.url, null, { raw: '{not json' });
    await sendWebhook(svc.url, { id: 'x' });
    const huge = 'x'.repeat(5 * 1024 * 1024 + 10);
    const tooLarge = await fetch(url, {
      method: 'POST',
      headers: { 'salescaling-signature': signPayload(WEBHOOK_SECRET, huge) },
      body: huge,
    });
    expect(tooLarge.status).toBe(413);
    expect((await sendWebhook(svc.url, event)).status).toBe(202);

    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    const rejected = (reason: string) =>
      sample(metrics, 'salescaling_webhook_rejections_total', `reason="${reason}"`);
    expect({
      signature_missing: rejected('signature_missing'),
      signature_malformed: rejected('signature_malformed'),
      signature_stale: rejected('signature_stale'),
      signature_mismatch: rejected('signature_mismatch'),
      invalid_json: rejected('invalid_json'),
      schema_invalid: rejected('schema_invalid'),
      too_large: rejected('too_large'),
    }).toEqual({
      signature_missing: 2,
      signature_malformed: 1,
      signature_stale: 1,
      signature_mismatch: 1,
      invalid_json: 1,
      schema_invalid: 1,
      too_large: 1,
    });
    expect(sample(metrics, 'salescaling_webhook_events_total', 'result="accepted"')).toBe(1);
    expect(sample(metrics, 'salescaling_webhook_events_total', 'result="too_large"')).toBe(1);

    const warnings = logLines().filter((l) => l['msg'] === 'webhook rejected');
    expect(warnings.map((l) => l['reason']).sort()).toEqual(
      [
        'invalid_json',
        'schema_invalid',
        'signature_malformed',
        'signature_mismatch',
        'signature_missing',
        'signature_missing',
        'signature_stale',
        'too_large',
      ].sort(),
    );
    expect(warnings.every((l) => typeof l['status'] === 'number' && l['requestId'])).toBe(true);
    // The refused body and signatures are not in the log.
    expect(out).not.toContain('{not json');
    expect(out).not.toContain('xxxxxxxxxx');
  });

  it('when requests hit routes inside and outside the /v1 router, then every label is the OpenAPI path template', async () => {
    await api(svc.url, 'GET', '/v1/workspaces/ws_9/meetings/m-unknown');
    await api(svc.url, 'GET', '/v1/workspaces/ws_9/salesforce');
    await fetch(`${svc.url}/healthz`);
    await fetch(`${svc.url}/no/such/path`);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    const routes = new Set(
      [...metrics.matchAll(/salescaling_http_request_duration_seconds_count\{[^}]*route="([^"]+)"/g)].map(
        (m) => m[1],
      ),
    );
    expect(routes).toEqual(
      new Set([
        '/v1/webhooks/meetings',
        '/v1/workspaces/{workspaceId}/meetings/{meetingId}',
        '/v1/workspaces/{workspaceId}/salesforce',
        '/healthz',
        '/metrics',
        'unmatched',
      ]),
    );
    // The request log uses the same label.
    expect(
      logLines().some(
        (l) => l['msg'] === 'request' && l['route'] === '/v1/workspaces/{workspaceId}/meetings/{meetingId}',
      ),
    ).toBe(true);
  });

  it('when a path is labelled, then ids never become labels and unknown paths are "unmatched"', () => {
    const label = routeLabeler(['/v1/workspaces/{workspaceId}/meetings/{meetingId}', '/healthz']);
    expect(label('/v1/workspaces/ws_1/meetings/m.2')).toBe(
      '/v1/workspaces/{workspaceId}/meetings/{meetingId}',
    );
    expect(label('/v1/workspaces/ws_1/meetings/m/extra')).toBe('unmatched');
    expect(label('/healthz')).toBe('/healthz');
    expect(label('/healthzz')).toBe('unmatched');
  });
});
