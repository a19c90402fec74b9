/**
 * A real browser (the Chromium `npm ci` brings, through playwright-core and scripts/lib/chromium.ts) clicks through the local org's login and
 * consent page: the web-server flow works for a person, not only for scripts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { startLocalOrg, type LocalOrg } from '../src/index.ts';

let org: LocalOrg;
/** The client app's callback: a tiny server that notes where the browser was sent. */
let callbackServer: Server;
let CALLBACK: string;
const landings: URL[] = [];
let browser: BrowserContext;

beforeAll(async () => {
  // The browser first: when it is missing the suite fails at once with its one-line reason.
  browser = await launchChromium();
  callbackServer = createServer((req, res) => {
    landings.push(new URL(req.url ?? '/', CALLBACK));
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('callback');
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  CALLBACK = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/oauth/callback`;
  org = await startLocalOrg({ redirectUris: [CALLBACK] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await org?.stop();
  // Only a server that started can be waited for (an optional call would leave the promise pending).
  if (callbackServer) await new Promise((resolve) => callbackServer.close(resolve));
});

/** Opens the authorize page, signs in and presses a button; returns where the browser was sent. */
async function clickThrough(button: 'Allow' | 'Deny', password = org.password): Promise<URL> {
  const page = await browser.newPage();
  const before = landings.length;
  const url = new URL(`${org.url}/services/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: org.clientId,
    redirect_uri: CALLBACK,
    state: 's-42',
    scope: 'api refresh_token',
  }).toString();
  await page.goto(url.toString());
  await page.getByLabel('Username').fill(org.username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: button }).click();
  await page.waitForLoadState('load');
  const text = await page.textContent('body');
  await page.close();
  const landed = landings[before];
  if (!landed) throw new Error(`the browser stayed on the login page: ${text ?? ''}`);
  return landed;
}

describe('the login and consent page in a browser', () => {
  it('when a person signs in and allows, then the browser lands on the callback with a code that works', async () => {
    const landed = await clickThrough('Allow');
    expect(landed.searchParams.get('state')).toBe('s-42');
    const code = landed.searchParams.get('code')!;
    const token = await fetch(`${org.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: org.clientId,
        client_secret: org.clientSecret,
        redirect_uri: CALLBACK,
      }),
    });
    expect(token.status).toBe(200);
  }, 30_000);

  it('when a person denies, then the callback gets access_denied', async () => {
    const landed = await clickThrough('Deny');
    expect(landed.searchParams.get('error')).toBe('access_denied');
  }, 30_000);

  it('when the password is wrong, then the page says so and nothing is granted', async () => {
    await expect(clickThrough('Allow', 'wrong')).rejects.toThrow(/check your username and password/);
  }, 30_000);
});
