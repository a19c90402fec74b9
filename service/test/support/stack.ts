/** The service and the local org side by side, for integration tests over HTTP. */
import { startLocalOrg, type LocalOrg, type LocalOrgOptions } from '../../../emulator/src/index.ts';
import { connectThroughBrowser, type BrowserConnectResult } from '../../demo/browser-connect.ts';
import type { ServiceOptions } from '../../src/service.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import { API_TOKEN, api, startTestService, type TestService } from './service.ts';

export const CLIENT_ID = '3MVG9serviceTestClientId000000000000';
export const CLIENT_SECRET = 'serviceTestClientSecret0000000000000000';

export interface Stack {
  readonly svc: TestService;
  readonly org: LocalOrg;
  connect(workspaceId?: string, options?: { deny?: boolean }): Promise<BrowserConnectResult>;
  /** Polls the meeting until `done` says so (or the time is up); returns its last status. */
  waitFor(
    meetingId: string,
    done: (m: Record<string, unknown>) => boolean,
    workspaceId?: string,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  dispose(): Promise<void>;
}

export async function startStack(
  options: {
    org?: Omit<LocalOrgOptions, 'clientId' | 'clientSecret' | 'redirectUris'>;
    env?: Record<string, string>;
    service?: Omit<ServiceOptions, 'config'>;
  } = {},
): Promise<Stack> {
  const svc = await startTestService(
    { SALESFORCE_CLIENT_ID: CLIENT_ID, SALESFORCE_CLIENT_SECRET: CLIENT_SECRET, ...options.env },
    { syncMeeting, ...options.service },
  );
  let org: LocalOrg;
  try {
    org = await startOrgFor(svc.publicUrl, options.org);
  } catch (err) {
    await svc.dispose();
    throw err;
  }
  return {
    svc,
    org,
    connect: (workspaceId = 'ws_1', o = {}) => connectWorkspace(svc.url, org, workspaceId, o),
    async waitFor(meetingId, done, workspaceId = 'ws_1', timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      let last: Record<string, unknown> = {};
      while (Date.now() < until) {
        const res = await api(svc.url, 'GET', `/v1/workspaces/${workspaceId}/meetings/${meetingId}`);
        last = res.body;
        if (res.status === 200 && done(last)) return last;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`meeting ${meetingId} did not get there in time; last status: ${JSON.stringify(last)}`);
    },
    async dispose() {
      await svc.dispose();
      await org.stop();
    },
  };
}

/**
 * A local org whose OAuth app sends the browser back to the service at `publicUrl`; the client id and
 * secret are the ones `startStack` configures unless the caller's service was given others.
 */
export function startOrgFor(
  publicUrl: string,
  options: Omit<LocalOrgOptions, 'redirectUris'> = {},
): Promise<LocalOrg> {
  return startLocalOrg({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    ...options,
    redirectUris: [`${publicUrl}/oauth/salesforce/callback`],
  });
}

/** Connects a workspace of the service at `serviceUrl` to `org`, logging in as the org's admin. */
export function connectWorkspace(
  serviceUrl: string,
  org: LocalOrg,
  workspaceId = 'ws_1',
  options: { deny?: boolean } = {},
): Promise<BrowserConnectResult> {
  return connectThroughBrowser({
    serviceUrl,
    apiToken: API_TOKEN,
    workspaceId,
    loginUrl: org.url,
    username: org.username,
    password: org.password,
    ...(options.deny ? { deny: true } : {}),
  });
}

/**
 * The account Acme and one contact of it; by default the external participant of the fixtures'
 * meeting (buyer@example.org), so that meeting links to them.
 */
export function seedAcme(
  org: LocalOrg,
  contact: Record<string, unknown> = { LastName: 'Buyer', Email: 'buyer@example.org' },
): void {
  const [acme] = org.seed('Account', [{ Name: 'Acme' }]);
  org.seed('Contact', [{ ...contact, AccountId: acme }]);
}

/** The sync state of each meeting of workspace ws_1, as the service at `serviceUrl` reports it. */
export function meetingStates(serviceUrl: string, ids: readonly string[]): Promise<string[]> {
  return Promise.all(
    ids.map(async (id) =>
      String((await api(serviceUrl, 'GET', `/v1/workspaces/ws_1/meetings/${id}`)).body['state']),
    ),
  );
}

/** Runs SOQL against the local org as its admin (what the org holds, not what the service says). */
export async function orgQuery<T = Record<string, unknown>>(org: LocalOrg, soql: string): Promise<T[]> {
  const token = await orgAdminToken(org);
  const res = await fetch(`${org.url}/services/data/v66.0/query?q=${encodeURIComponent(soql)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`query failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { records: T[] }).records;
}

const adminTokens = new WeakMap<LocalOrg, string>();
/** An access token of the org's admin (password grant), for tests that set the org up over REST. */
export async function orgAdminToken(org: LocalOrg): Promise<string> {
  const cached = adminTokens.get(org);
  if (cached) return cached;
  const res = await fetch(`${org.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: org.clientId,
      client_secret: org.clientSecret,
      username: org.username,
      password: org.password,
    }).toString(),
  });
  const body = (await res.json()) as { access_token: string };
  adminTokens.set(org, body.access_token);
  return body.access_token;
}

/** Deletes a record as the org's admin would in Salesforce (through the REST API). */
export async function orgDelete(org: LocalOrg, objectName: string, id: string): Promise<void> {
  const token = await orgAdminToken(org);
  const res = await fetch(`${org.url}/services/data/v66.0/sobjects/${objectName}/${id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 204) throw new Error(`delete failed: ${res.status} ${await res.text()}`);
}
