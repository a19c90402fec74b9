/**
 * The one way the demo and the tests put CRM records and sellers into a local org: `org.seed` (the
 * org's rules apply, its API counters do not move, so a test that counts the service's calls counts
 * only those), with the fields Salesforce requires filled in once here rather than in every caller.
 * Users who sign in (the integration user, viewers) are created over REST by the org's `createUser`.
 */
import type { LocalOrg } from '../../emulator/src/index.ts';

export type SeedFields = Record<string, unknown>;

/** A user record as Setup's "New User" requires it (profile, alias, locale, time zone, encoding). */
export interface UserSeed {
  lastName: string;
  firstName?: string;
  email: string;
  /** Defaults to the email: unique across Salesforce, as usernames must be. */
  username?: string;
  alias?: string;
  /** The profile's Id (`SELECT Id FROM Profile WHERE Name = 'Standard User'`). */
  profileId: string | undefined;
  isActive?: boolean;
}

export interface OrgSeeder {
  /** Inserts one record; returns its id. */
  one(objectName: string, record: SeedFields): string;
  account(name: string, fields?: SeedFields): string;
  contact(fields: SeedFields): string;
  lead(lastName: string, email: string, fields?: SeedFields): string;
  /** An open Opportunity (Prospecting, closing at the end of 2026) unless `fields` says otherwise. */
  opportunity(name: string, accountId: string | null, fields?: SeedFields): string;
  user(user: UserSeed): string;
}

/** The fields of a `User` record for `user` (also for callers that seed several users at once). */
export function userRecord(user: UserSeed): SeedFields {
  return {
    ProfileId: user.profileId,
    ...(user.firstName === undefined ? {} : { FirstName: user.firstName }),
    LastName: user.lastName,
    Email: user.email,
    Username: user.username ?? user.email,
    Alias: (user.alias ?? user.lastName.replace(/[^A-Za-z0-9]/g, '').toLowerCase()).slice(0, 8) || 'user',
    IsActive: user.isActive ?? true,
    TimeZoneSidKey: 'Europe/Paris',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
  };
}

export function orgSeeder(org: Pick<LocalOrg, 'seed'>): OrgSeeder {
  const one = (objectName: string, record: SeedFields): string => {
    const [id] = org.seed(objectName, [record]);
    if (id === undefined) throw new Error(`seeding ${objectName} returned no id`);
    return id;
  };
  return {
    one,
    account: (name, fields = {}) => one('Account', { Name: name, ...fields }),
    contact: (fields) => one('Contact', fields),
    lead: (lastName, email, fields = {}) =>
      one('Lead', { LastName: lastName, Company: `${lastName} Ltd`, Email: email, ...fields }),
    opportunity: (name, accountId, fields = {}) =>
      one('Opportunity', {
        Name: name,
        StageName: 'Prospecting',
        CloseDate: '2026-12-31',
        AccountId: accountId,
        ...fields,
      }),
    user: (user) => one('User', userRecord(user)),
  };
}
