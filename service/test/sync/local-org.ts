/** Starts a local org for sync tests, logs jsforce in, and seeds CRM records the way a customer org holds them. */
import { Connection, OAuth2 } from 'jsforce';
import { startLocalOrg } from '../../../emulator/src/index.ts';
import type { Knobs, LocalOrg } from '../../../emulator/src/index.ts';
import { PACKAGE_FIELDS } from '../../src/salesforce/org-check.ts';
import type { OrgProfile } from '../../src/sync/types.ts';

export interface TestOrg {
  readonly org: LocalOrg;
  readonly conn: Connection;
  readonly profile: OrgProfile;
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
  const conn = new Connection({
    oauth2: new OAuth2({
      loginUrl: org.url,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      redirectUri: 'http://localhost:1717/OauthRedirect',
    }),
    version: '66.0',
  });
  await conn.login(org.username, org.password);
  const settings = org.knobs();
  const profile: OrgProfile = {
    orgId: org.orgId,
    connectedUserId: org.userId,
    sharedActivities: settings.sharedActivities,
    packageFields: settings.packageInstalled ? PACKAGE_FIELDS : {},
  };
  const profileId = (
    await conn.query<{ ProfileId: string }>(`SELECT ProfileId FROM User WHERE Id = '${org.userId}'`)
  ).records[0]?.ProfileId;
  const one = (object: string, record: Record<string, unknown>): string => {
    const [id] = org.seed(object, [record]);
    if (id === undefined) throw new Error(`seeding ${object} returned no id`);
    return id;
  };
  return {
    org,
    conn,
    profile,
    stop: () => org.stop(),
    seedAccount: (name) => one('Account', { Name: name }),
    seedContact: (lastName, email, accountId) =>
      one('Contact', { LastName: lastName, Email: email, AccountId: accountId }),
    seedLead: (lastName, email) =>
      one('Lead', { LastName: lastName, Company: `${lastName} Ltd`, Email: email }),
    seedOpportunity: (name, accountId) =>
      one('Opportunity', {
        Name: name,
        StageName: 'Prospecting',
        CloseDate: '2026-12-31',
        AccountId: accountId,
      }),
    seedUser: (lastName, email, isActive = true) => {
      sequence += 1;
      return one('User', {
        Username: `user${sequence}.${Date.now()}@salescaling.localorg`,
        LastName: lastName,
        Alias: `u${sequence}`.slice(0, 8),
        Email: email,
        IsActive: isActive,
        TimeZoneSidKey: 'Europe/Paris',
        LocaleSidKey: 'en_US',
        LanguageLocaleKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        ProfileId: profileId,
      });
    },
    callsDuring: async (run) => {
      const before = org.counters()['total'] ?? 0;
      const result = await run();
      return { result, calls: (org.counters()['total'] ?? 0) - before };
    },
  };
}
