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
    org = await startLocalOrg({
      ...options.org,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${svc.publicUrl}/oauth/salesforce/callback`],
    });
  } catch (err) {
    await svc.dispose();
    throw err;
  }
  return {
    svc,
    org,
    connect: (workspaceId = 'ws_1', o = {}) =>
      connectThroughBrowser({
        serviceUrl: svc.url,
        apiToken: API_TOKEN,
        workspaceId,
        loginUrl: org.url,
        username: org.username,
        password: org.password,
        ...(o.deny ? { deny: true } : {}),
      }),
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
async function orgAdminToken(org: LocalOrg): Promise<string> {
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
