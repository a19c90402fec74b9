/**
 * The admin page's Settings form over HTTP: rendered from SETTINGS_FIELDS, saved through the same
 * versioned use-case as GET/PUT /v1/workspaces/{id}/salesforce/settings. Each test asserts what the
 * settings API holds afterwards, not what the page said.
 */
import { SETTINGS_FIELDS } from '../../src/settings/association-settings.ts';
import { connection } from '../support/fixtures.ts';
import { api, startTestService, type TestService } from '../support/service.ts';
import { signIn, type PageClient } from './support.ts';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({}, { runWorker: false });
});
afterAll(() => svc.dispose());

const stored = async (ws: string) => {
  const res = await api(svc.url, 'GET', `/v1/workspaces/${ws}/salesforce/settings`);
  expect(res.status).toBe(200);
  return res.body as { version: number; settings: Record<string, Record<string, unknown>> };
};

/** The form as the page renders it: every named input with its value (checkboxes only when ticked). */
function formOf(html: string): Record<string, string> {
  const form = /<form[^>]*data-id="settings-form"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input([^>]*)>/g)) {
    const attrs = m[1] ?? '';
    const name = /name="([^"]+)"/.exec(attrs)?.[1];
    if (!name) continue;
    if (/type="checkbox"/.test(attrs) && !/ checked/.test(attrs)) continue;
    out[name] = (/value="([^"]*)"/.exec(attrs)?.[1] ?? '').replace(/&amp;/g, '&');
  }
  for (const m of form.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g))
    out[m[1] ?? ''] = m[2] ?? '';
  return out;
}

async function page(ws: string): Promise<{ client: PageClient; html: string }> {
  const client = await signIn(svc.url, ws);
  const res = await client.get('/settings/integrations');
  expect(res.status).toBe(200);
  return { client, html: res.html };
}

test('when the page opens, then every setting is in the form with its description and default', async () => {
  const { html } = await page('ws_form');
  for (const f of SETTINGS_FIELDS) {
    expect(html).toContain(`data-path="${f.path}"`);
    expect(html).toContain(`name="s.${f.path}"`);
  }
  expect(html).toContain('Default: 90.'); // apiBudget.stopAtPercent
  expect(html).not.toContain('data-id="settings-pending"');
});

test('when an admin changes settings and saves, then the settings API holds them at the next version', async () => {
  const { client, html } = await page('ws_save');
  const form = formOf(html);
  expect(form['version']).toBe('0');
  const res = await client.post('/settings/integrations/settings', {
    ...form,
    's.apiBudget.stopAtPercent': '75',
    's.exclusions.neverLinkDomains': 'Partner.example\n\n  other.example  ',
    's.domainMatching.domainAccounts': 'acme.example 001000000000001AAA',
    // unticked: absent from the form
    's.opportunityRule.enabled': '',
  });
  expect(res.status).toBe(303);
  expect(res.location).toBe('/settings/integrations?notice=settings_saved#settings');
  const after = await stored('ws_save');
  expect(after.version).toBe(1);
  expect(after.settings['apiBudget']?.['stopAtPercent']).toBe(75);
  expect(after.settings['exclusions']?.['neverLinkDomains']).toEqual(['partner.example', 'other.example']);
  expect(after.settings['domainMatching']?.['domainAccounts']).toEqual([
    { domain: 'acme.example', accountId: '001000000000001AAA' },
  ]);
  expect(after.settings['opportunityRule']?.['enabled']).toBe(false);
  // untouched fields keep their values
  expect(after.settings['lateMatching']?.['windowDays']).toBe(7);
  const again = await client.get(res.location ?? '');
  expect(again.html).toContain('Settings saved.');
  expect(formOf(again.html)['s.apiBudget.stopAtPercent']).toBe('75');
});

test('when a value is invalid, then the message stands beside that field and nothing is saved', async () => {
  const { client, html } = await page('ws_invalid');
  const res = await client.post('/settings/integrations/settings', {
    ...formOf(html),
    's.apiBudget.stopAtPercent': '150',
    's.exclusions.neverLinkEmails': 'ok@example.com\nnot-an-email',
  });
  expect(res.status).toBe(422);
  expect(res.html).toMatch(/data-id="field-error" data-field="apiBudget.stopAtPercent">[^<]*100/);
  expect(res.html).toMatch(/data-id="field-error" data-field="exclusions.neverLinkEmails">Line 2: /);
  // the typed values are kept so the admin can correct them
  expect(res.html).toContain('not-an-email</textarea>');
  expect((await stored('ws_invalid')).version).toBe(0);
});

test('when the settings changed meanwhile, then a stale form is refused with a banner and changes nothing', async () => {
  const { client, html } = await page('ws_stale');
  const stale = formOf(html);
  const put = await api(svc.url, 'PUT', '/v1/workspaces/ws_stale/salesforce/settings', {
    version: 0,
    settings: { apiBudget: { stopAtPercent: 60 } },
  });
  expect(put.status).toBe(200);
  const res = await client.post('/settings/integrations/settings', {
    ...stale,
    's.apiBudget.stopAtPercent': '80',
  });
  expect(res.status).toBe(409);
  expect(res.html).toMatch(/data-id="settings-banner" data-kind="error"><h2>Not saved: someone changed/);
  const after = await stored('ws_stale');
  expect(after.version).toBe(1);
  expect(after.settings['apiBudget']?.['stopAtPercent']).toBe(60);
  // the refused page shows the current settings and version, so saving again works
  expect(formOf(res.html)['version']).toBe('1');
});

test('when the form lacks the CSRF token, then it is refused and nothing is saved', async () => {
  const { client, html } = await page('ws_csrf');
  const { _csrf: _, ...noToken } = formOf(html);
  const res = await client.post('/settings/integrations/settings', {
    ...noToken,
    's.apiBudget.stopAtPercent': '50',
  });
  expect(res.status).toBe(403);
  expect((await stored('ws_csrf')).version).toBe(0);
});

describe('the API budget beside the API usage', () => {
  test('when the last-seen usage is at the budget, then Health says the workspace is paused; under it, not', async () => {
    await svc.store.connections.save(connection('ws_budget'));
    const put = await api(svc.url, 'PUT', '/v1/workspaces/ws_budget/salesforce/settings', {
      version: 0,
      settings: { apiBudget: { stopAtPercent: 80 } },
    });
    expect(put.status).toBe(200);
    const at = new Date().toISOString();
    await svc.store.connections.recordApiUsage('ws_budget', { used: 12_000, max: 15_000, at });
    const client = await signIn(svc.url, 'ws_budget');
    const paused = (await client.get('/settings/integrations')).html;
    expect(paused).toMatch(
      /data-id="api-budget" data-paused="true"[^>]*><strong>Paused by the API budget:<\/strong> 80%/,
    );
    expect(paused).toContain('12,000 requests');

    await svc.store.connections.recordApiUsage('ws_budget', { used: 11_999, max: 15_000, at });
    const running = (await client.get('/settings/integrations')).html;
    expect(running).toMatch(
      /data-id="api-budget" data-paused="false">Budget: Salescaling stops writing at 80%/,
    );
  });
});
