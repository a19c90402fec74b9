/**
 * Starts a local org for sync tests, logs jsforce in as the integration user (a Standard User with only
 * the package's Salescaling_Integration_User permission set, never the admin), and seeds CRM records
 * the way a customer org holds them (as the admin, visible to that user under the default sharing).
 */
import { passwordConnection, type Connection } from '../../src/salesforce/connection.ts';
import { startLocalOrg } from '../../../emulator/src/index.ts';
import { orgSeeder } from '../../../scripts/lib/org-seed.ts';
import { integrationUser } from './stack.ts';
import type { Knobs, LocalOrg } from '../../../emulator/src/index.ts';
import { PACKAGE_FIELDS } from '../../src/salesforce/org-check.ts';
import type { OrgProfile } from '../../src/domain/org-profile.ts';

export interface TestOrg {
  readonly org: LocalOrg;
  readonly conn: Connection;
  readonly profile: OrgProfile;
  /** The connected user's id (the integration user). */
  readonly userId: string;
  stop(): Promise<void>;
  seedAccount(name: string): string;
  seedContact(lastName: string, email: string | null, accountId: string | null): string;
  seedLead(lastName: string, email: string): string;
  seedOpportunity(name: string, accountId: string): string;
  seedUser(lastName: string, email: string, isActive?: boolean): string;
  /** API calls spent while `run` ran, by the org's own counters. */
  callsDuring<T>(run: () => Promise<T>): Promise<{ result: T; calls: number }>;
}

let sequence = 0;

export async function startTestOrg(knobs: Partial<Knobs> = {}): Promise<TestOrg> {
  const org = await startLocalOrg({ knobs });
  const user = await integrationUser(org);
  const conn = await passwordConnection({
    loginUrl: org.url,
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    redirectUri: 'http://localhost:1717/OauthRedirect',
    username: user.username,
    password: user.password,
    apiVersion: '66.0',
  });
  const settings = org.knobs();
  const profile: OrgProfile = {
    orgId: org.orgId,
    connectedUserId: user.id,
    sharedActivities: settings.sharedActivities,
    packageFields: settings.packageInstalled ? PACKAGE_FIELDS : {},
  };
  const profileId = (
    await conn.query<{ ProfileId: string }>(`SELECT ProfileId FROM User WHERE Id = '${user.id}'`)
  ).records[0]?.ProfileId;
  const seed = orgSeeder(org);
  return {
    org,
    conn,
    profile,
    userId: user.id,
    stop: () => org.stop(),
    seedAccount: (name) => seed.account(name),
    // A contact without an Account is private to its owner (Contact is Controlled by Parent), so
    // the connected user owns those, as the contacts an integration would see in a real org.
    seedContact: (lastName, email, accountId) =>
      seed.contact({
        LastName: lastName,
        Email: email,
        AccountId: accountId,
        ...(accountId === null ? { OwnerId: user.id } : {}),
      }),
    seedLead: (lastName, email) => seed.lead(lastName, email),
    seedOpportunity: (name, accountId) => seed.opportunity(name, accountId),
    seedUser: (lastName, email, isActive = true) => {
      sequence += 1;
      return seed.user({
        username: `user${sequence}.${Date.now()}@salescaling.localorg`,
        lastName,
        alias: `u${sequence}`,
        email,
        isActive,
        profileId,
      });
    },
    callsDuring: async (run) => {
      const before = org.counters()['total'] ?? 0;
      const result = await run();
      return { result, calls: (org.counters()['total'] ?? 0) - before };
    },
  };
}
