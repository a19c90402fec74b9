/** Small helpers for tests that talk to a local org over HTTP, as any client would. */
import { passwordGrantToken, startLocalOrg, type LocalOrg, type LocalOrgOptions } from '../../src/index.ts';

export const V = '/services/data/v66.0';

/** A parsed response body; tests check its shape with matchers, so it stays loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Response<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Logs in with the username-password flow and returns the access token. */
export async function passwordToken(org: LocalOrg): Promise<string> {
  return passwordGrantToken(org);
}

/** A REST client bound to one org and token. */
export function client(org: LocalOrg, token: string) {
  return async function call<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response<T>> {
    const res = await fetch(`${org.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

export type Call = ReturnType<typeof client>;

/** Starts a local org and logs in to it with the password grant: the set-up most REST tests share. */
export async function startLoggedIn(
  options: LocalOrgOptions = {},
): Promise<{ org: LocalOrg; token: string; call: Call }> {
  const org = await startLocalOrg(options);
  const token = await passwordToken(org);
  return { org, token, call: client(org, token) };
}
