/**
 * No secret in plain text where someone could read it later: the database files (the main file and
 * SQLite's write-ahead log), and every HTTP answer the service gives. The logs have their own test
 * (test/http/logs.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { testKey } from '../support/keys.ts';
import { API_TOKEN, WEBHOOK_SECRET, api, sendWebhook } from '../support/service.ts';
import { CLIENT_SECRET, seedAcme, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(60_000);

describe('secrets at rest and in answers', () => {
  let stack: Stack;
  afterAll(async () => {
    await stack?.dispose();
  });

  it('when a workspace connects, a token is refreshed and meetings sync, then neither the database nor any answer holds a secret', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    await seedAcme(stack.org);
    const answers: string[] = [];
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await api(stack.svc.url, method, path, body);
      answers.push(JSON.stringify(res.body), JSON.stringify([...res.headers]));
      return res;
    };
    await call('POST', '/v1/workspaces/ws_1/salesforce/connect', {
      returnUrl: 'https://app.example/x',
      loginUrl: stack.org.url,
    });
    const connected = await stack.connect();
    answers.push(connected.finalUrl);
    const first = await stack.svc.store.connections.get('ws_1');

    await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_s1' })));
    await stack.waitFor('m_s1', (m) => m['state'] === 'synced');
    stack.org.expireTokens(); // the next sync refreshes the access token
    await sendWebhook(stack.svc.url, processedEvent(meeting({ id: 'm_s2' })));
    await stack.waitFor('m_s2', (m) => m['state'] === 'synced');
    const second = await stack.svc.store.connections.get('ws_1');
    expect(second?.accessToken).not.toBe(first?.accessToken);

    await call('GET', '/v1/workspaces/ws_1/salesforce');
    await call('GET', '/v1/workspaces/ws_1/salesforce?recheck=true');
    await call('GET', '/v1/workspaces/ws_1/meetings/m_s2');
    await call('POST', '/v1/workspaces/ws_1/associations/suggest', {
      participants: [{ email: 'buyer@example.org' }],
    });
    await call('GET', '/v1/workspaces/ws_1/associations/search?q=Acme');
    answers.push(await (await fetch(`${stack.svc.url}/metrics`)).text());
    answers.push(await (await fetch(`${stack.svc.url}/openapi.json`)).text());

    const secrets: Record<string, string> = {
      'first access token': first?.accessToken ?? 'missing',
      'second access token': second?.accessToken ?? 'missing',
      'refresh token': second?.refreshToken ?? 'missing',
      'client secret': CLIENT_SECRET,
      'webhook secret': WEBHOOK_SECRET,
      'api token': API_TOKEN,
      'encryption key (base64)': testKey.toString('base64'),
      'encryption key (hex)': testKey.toString('hex'),
    };
    // the access token's session part, after the org id and the "!", is the secret part
    for (const name of ['first access token', 'second access token']) {
      const token = secrets[name] ?? '';
      if (token.includes('!')) secrets[`${name} (session part)`] = token.split('!')[1] ?? token;
    }

    const files = readdirSync(stack.svc.dir).filter((f) => f.startsWith('db.sqlite'));
    expect(files).toContain('db.sqlite');
    const db = files.map((f) => readFileSync(join(stack.svc.dir, f)).toString('latin1')).join('\n');
    const text = answers.join('\n');
    for (const [name, value] of Object.entries(secrets)) {
      expect([name, db.includes(value)]).toEqual([name, false]);
      expect([name, text.includes(value)]).toEqual([name, false]);
    }
  });
});
