/** A cookie-keeping client for the admin page over plain HTTP (the browser test drives a real one). */
import { api } from '../support/service.ts';

export interface PageClient {
  readonly cookie: string;
  get(path: string): Promise<{ status: number; html: string; headers: Headers }>;
  post(
    path: string,
    form: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; html: string; location: string | null }>;
  csrf(): Promise<string>;
}

/** Mints a link for `workspaceId` through the bearer API and follows it; returns the signed-in client. */
export async function signIn(baseUrl: string, workspaceId: string): Promise<PageClient> {
  const link = await api(baseUrl, 'POST', `/v1/workspaces/${workspaceId}/admin-links`);
  if (link.status !== 201) throw new Error(`admin-links: ${link.status} ${JSON.stringify(link.body)}`);
  const res = await fetch(String(link.body['url']), { redirect: 'manual' });
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  if (res.status !== 303 || !cookie) throw new Error(`sign-in: ${res.status}`);
  return pageClient(baseUrl, cookie);
}

export function pageClient(baseUrl: string, cookie: string): PageClient {
  const client: PageClient = {
    cookie,
    async get(path) {
      const res = await fetch(`${baseUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
      return { status: res.status, html: await res.text(), headers: res.headers };
    },
    async post(path, form, headers = {}) {
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      });
      return { status: res.status, html: await res.text(), location: res.headers.get('location') };
    },
    async csrf() {
      const page = await client.get('/settings/integrations');
      const m = /name="_csrf" value="([^"]+)"/.exec(page.html);
      if (!m?.[1]) throw new Error('no CSRF token on the page');
      return m[1];
    },
  };
  return client;
}
