/** The service and the local org side by side, for integration tests over HTTP. */
import {
  startLocalOrg,
  type CreatedUser,
  type LocalOrg,
  type LocalOrgOptions,
} from '../../../emulator/src/index.ts';
import { connectThroughBrowser, type BrowserConnectResult } from '../../../scripts/lib/browser-connect.ts';
import { orgSeeder } from '../../../scripts/lib/org-seed.ts';
import { eventually } from '../../../scripts/test-support/eventually.ts';
import type { ServiceOptions } from '../../src/service.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import { API_TOKEN, api, startTestService, type TestService } from './service.ts';

export const CLIENT_ID = '3MVG9serviceTestClientId000000000000';
export const CLIENT_SECRET = 'serviceTestClientSecret0000000000000000';

export interface Stack {
  readonly svc: TestService;
  readonly org: LocalOrg;
  connect(workspaceId?: string, options?: ConnectOptions): Promise<BrowserConnectResult>;
  /** The Standard User (with only `Salescaling_Integration_User`) that `connect` signs in as. */
  integrationUser(): Promise<CreatedUser>;
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
    integrationUser: () => integrationUser(org),
    async waitFor(meetingId, done, workspaceId = 'ws_1', timeoutMs = 15_000) {
      const res = await eventually(
        `meeting ${meetingId} of ${workspaceId} reaching the awaited state`,
        () => api(svc.url, 'GET', `/v1/workspaces/${workspaceId}/meetings/${meetingId}`),
        { until: (r) => r.status === 200 && done(r.body), timeoutMs },
      );
      return res.body;
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

export interface ConnectOptions {
  deny?: boolean;
  /** Sign in as this user instead of the org's integration user (e.g. one lacking a permission). */
  user?: { username: string; password: string };
}

/** The package's permission set every connecting user gets (and nothing else beyond Standard User). */
export const INTEGRATION_PERMISSION_SET = 'Salescaling_Integration_User';

const integrationUsers = new WeakMap<LocalOrg, Promise<CreatedUser>>();
/**
 * The org's integration user: a Standard User with only the package's `Salescaling_Integration_User`
 * permission set, created once per org over REST by the admin (as an admin does in Setup). Tests, the
 * demo and the benchmarks connect as this user, never as the administrator.
 */
export function integrationUser(org: LocalOrg): Promise<CreatedUser> {
  let user = integrationUsers.get(org);
  if (!user) {
    user = org.createUser({ lastName: 'Integration', permissionSets: [INTEGRATION_PERMISSION_SET] });
    integrationUsers.set(org, user);
  }
  return user;
}

/**
 * Connects a workspace of the service at `serviceUrl` to `org`, signing in as the org's integration
 * user (a Standard User with the package's permission set), or as `options.user`.
 */
export async function connectWorkspace(
  serviceUrl: string,
  org: LocalOrg,
  workspaceId = 'ws_1',
  options: ConnectOptions = {},
): Promise<BrowserConnectResult> {
  const user = options.user ?? (await integrationUser(org));
  return connectThroughBrowser({
    serviceUrl,
    apiToken: API_TOKEN,
    workspaceId,
    loginUrl: org.url,
    username: user.username,
    password: user.password,
    ...(options.deny ? { deny: true } : {}),
  });
}

/**
 * The account Acme and one contact of it; by default the external participant of the fixtures'
 * meeting (buyer@example.org), so that meeting links to them. Also the fixtures' organizer, Sam
 * Seller (seller@example.com), as a Standard User: the meeting's Event is his, not the connected
 * user's, so updates and deletes go through the org's Controlled-by-Parent rule as in a real org.
 */
export async function seedAcme(
  org: LocalOrg,
  contact: Record<string, unknown> = { LastName: 'Buyer', Email: 'buyer@example.org' },
): Promise<{ sellerId: string }> {
  const seed = orgSeeder(org);
  const acme = seed.account('Acme');
  seed.contact({ ...contact, AccountId: acme });
  const seller = await org.createUser({
    username: 'seller@example.com.localorg',
    firstName: 'Sam',
    lastName: 'Seller',
  });
  return { sellerId: seller.id };
}

/** The sync state of each meeting of workspace ws_1, as the service at `serviceUrl` reports it. */
export function meetingStates(serviceUrl: string, ids: readonly string[]): Promise<string[]> {
  return Promise.all(
    ids.map(async (id) =>
      String((await api(serviceUrl, 'GET', `/v1/workspaces/ws_1/meetings/${id}`)).body['state']),
    ),
  );
}

// The admin's REST client lives with the local org's tests' one (scripts/test-support/org-admin.ts).
export { orgAdminCall, orgAdminToken, orgDelete, orgQuery } from '../../../scripts/test-support/org-admin.ts';
