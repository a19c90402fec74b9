/**
 * The one REST client of the tests for a local org, and its administrator: what the service's tests
 * and the local org's own tests call to set an org up and to read what it holds afterwards, as an
 * admin would through the API (never through the org's internals, so a test checks the org the way
 * a customer's admin sees it). Users and permission sets come from the org's own `createUser` (the
 * same REST calls, emulator/src/security/users.ts); CRM records from `org-seed.ts`.
 */
import { passwordGrantToken, type LocalOrg } from '../../emulator/src/index.ts';

/** The REST API's root at the package's API version (`sourceApiVersion` in sfdx-project.json). */
export const V = '/services/data/v66.0';

/** A parsed response body; tests check its shape with matchers, so it stays loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface OrgResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Where an org answers and who may sign in as its admin (a `LocalOrg` is one). */
export type OrgAddress = Pick<LocalOrg, 'url' | 'username' | 'password' | 'clientId' | 'clientSecret'>;

/** A REST client bound to one org and token; `path` is absolute (`${V}/sobjects/...`). */
export function client(org: Pick<LocalOrg, 'url'>, token: string) {
  return async function call<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<OrgResponse<T>> {
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

const adminTokens = new WeakMap<OrgAddress, Promise<string>>();
/** An access token of the org's admin (password grant), one per org. */
export function orgAdminToken(org: OrgAddress): Promise<string> {
  let token = adminTokens.get(org);
  if (!token) {
    token = passwordGrantToken(org);
    // a refused sign-in is not cached: the next caller asks again
    token.catch(() => adminTokens.delete(org));
    adminTokens.set(org, token);
  }
  return token;
}

/** A REST client signed in as the org's admin. */
export async function adminClient(org: OrgAddress): Promise<Call> {
  return client(org, await orgAdminToken(org));
}

/**
 * Calls the org's REST API as its admin (`path` below `/services/data/v66.0`); returns the JSON body,
 * throws with the org's answer when it is not a success.
 */
export async function orgAdminCall<T = unknown>(
  org: OrgAddress,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await (await adminClient(org))<T>(method, `${V}${path}`, body);
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${method} ${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** Runs SOQL as the org's admin (what the org holds, not what the service says). */
export async function orgQuery<T = Record<string, unknown>>(org: OrgAddress, soql: string): Promise<T[]> {
  return (await orgAdminCall<{ records: T[] }>(org, 'GET', `/query?q=${encodeURIComponent(soql)}`)).records;
}

/** Deletes a record as the org's admin would in Salesforce (through the REST API). */
export async function orgDelete(org: OrgAddress, objectName: string, id: string): Promise<void> {
  await orgAdminCall(org, 'DELETE', `/sobjects/${objectName}/${id}`);
}
