/**
 * Connects a workspace the way a person does, over HTTP only: ask the service for the authorize
 * URL, open it at the authorization server (the local org's login and consent page, or its
 * auto-approve redirect), sign in and allow, follow the redirect to the service's callback, and read
 * where the service sends the browser back to. Used by the demo, the benchmarks and the tests.
 */

export interface BrowserConnectOptions {
  readonly serviceUrl: string;
  readonly apiToken: string;
  readonly workspaceId: string;
  readonly loginUrl: string;
  readonly username: string;
  readonly password: string;
  readonly returnUrl?: string;
  /** Press "Deny" on the consent page instead of "Allow". */
  readonly deny?: boolean;
}

export interface BrowserConnectResult {
  /** The URL the service finally redirected the browser to (the returnUrl with ?salesforce=…). */
  readonly finalUrl: string;
  readonly outcome: string | null;
  readonly reason: string | null;
  /** The steps taken, for a readable account. */
  readonly steps: readonly string[];
}

async function must302(res: Response, what: string): Promise<string> {
  const location = res.headers.get('location');
  if (res.status !== 302 && res.status !== 303) {
    throw new Error(`${what}: expected a redirect, got ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }
  if (!location) throw new Error(`${what}: redirect without a Location`);
  return location;
}

function hidden(html: string, name: string): string | undefined {
  const m = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`, 'i').exec(html);
  return m?.[1]
    ?.replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

export async function connectThroughBrowser(o: BrowserConnectOptions): Promise<BrowserConnectResult> {
  const steps: string[] = [];
  const returnUrl = o.returnUrl ?? 'https://app.salescaling.example/settings/salesforce';
  const start = await fetch(
    `${o.serviceUrl}/v1/workspaces/${encodeURIComponent(o.workspaceId)}/salesforce/connect`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${o.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ returnUrl, loginUrl: o.loginUrl }),
    },
  );
  if (start.status !== 201) throw new Error(`connect: ${start.status} ${await start.text()}`);
  const { authorizeUrl } = (await start.json()) as { authorizeUrl: string };
  steps.push(
    `service gave the authorize URL ${new URL(authorizeUrl).pathname} (PKCE S256, single-use state)`,
  );

  // login_hint pre-fills the username on the login page, as Salesforce's authorize endpoint documents;
  // an auto-approving local org signs that user in (tests without a browser).
  const authorizeWithHint = new URL(authorizeUrl);
  authorizeWithHint.searchParams.set('login_hint', o.username);
  const page = await fetch(authorizeWithHint, { redirect: 'manual' });
  let callback: string;
  if (page.status === 302) {
    callback = await must302(page, 'authorize');
    steps.push('authorization server approved at once (auto-approve)');
  } else {
    const html = await page.text();
    const oauthParams = hidden(html, 'oauth_params');
    if (page.status !== 200 || oauthParams === undefined)
      throw new Error(`authorize page: ${page.status} ${html.slice(0, 300)}`);
    steps.push('opened the login and consent page');
    const submit = await fetch(new URL('/services/oauth2/authorize', authorizeUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        oauth_params: oauthParams,
        username: o.username,
        // Salesforce's login form (and the local org's) posts the password as `pw`.
        pw: o.password,
        action: o.deny ? 'deny' : 'allow',
      }).toString(),
    });
    callback = await must302(submit, 'login form');
    steps.push(o.deny ? 'pressed Deny' : `signed in as ${o.username} and pressed Allow`);
  }
  steps.push(`redirected to the service's callback ${new URL(callback).pathname}`);

  const back = await fetch(callback, { redirect: 'manual' });
  const finalUrl = await must302(back, 'callback');
  const u = new URL(finalUrl);
  steps.push(`service exchanged the code and redirected back with ?${u.searchParams.toString()}`);
  return { finalUrl, outcome: u.searchParams.get('salesforce'), reason: u.searchParams.get('reason'), steps };
}
