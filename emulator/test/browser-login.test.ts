/**
 * A real browser (Debian's Chromium through playwright-core) clicks through the local org's login and
 * consent page: the web-server flow works for a person, not only for scripts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startLocalOrg, type LocalOrg } from '../src/index.ts';

const CHROMIUM = '/usr/bin/chromium';

let org: LocalOrg;
/** The client app's callback: a tiny server that notes where the browser was sent. */
let callbackServer: Server;
let CALLBACK: string;
const landings: URL[] = [];
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium).`);
  callbackServer = createServer((req, res) => {
    landings.push(new URL(req.url ?? '/', CALLBACK));
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('callback');
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  CALLBACK = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/oauth/callback`;
  org = await startLocalOrg({ redirectUris: [CALLBACK] });
  profile = mkdtempSync(path.join(tmpdir(), 'local-org-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await org?.stop();
  await new Promise((resolve) => callbackServer?.close(resolve));
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
