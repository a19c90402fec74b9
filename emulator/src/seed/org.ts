/**
 * The rows every new local org starts with, besides its security model (./security.ts): the System
 * Administrator profile, the admin and three sellers (one inactive), and the Organization row. The
 * demo's CRM data, added on request, is ./demo.ts.
 * Organization: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_organization.htm
 */
import type { Org } from '../org/org.ts';
import type { FieldValue } from '../schema/types.ts';

export interface SeedUser {
  FirstName: string;
  LastName: string;
  Email: string;
  Username: string;
  IsActive: boolean;
}

/** The admin's profile and the seeded users; returns the admin's id. */
export function seedUsers(org: Org, adminUsername: string, adminProfileId: string): string {
  const now = org.now();
  // The admin's profile exists before any user points at it.
  org.store.put('Profile', {
    Id: adminProfileId,
    Name: 'System Administrator',
    UserType: 'Standard',
    Description: null,
    CreatedDate: now,
    CreatedById: null,
    LastModifiedDate: now,
    LastModifiedById: null,
    SystemModstamp: now,
  });
  const schema = org.requireSchema('User');
  const users: SeedUser[] = [
    {
      FirstName: 'Ada',
      LastName: 'Admin',
      Email: adminUsername.includes('@') ? adminUsername.replace(/\.local(org)?$/, '') : 'admin@example.com',
      Username: adminUsername,
      IsActive: true,
    },
    {
      FirstName: 'Sam',
      LastName: 'Seller',
      Email: 'sam.seller@example.com',
      Username: 'sam.seller@example.com.localorg',
      IsActive: true,
    },
    {
      FirstName: 'Rita',
      LastName: 'Rep',
      Email: 'rita.rep@example.com',
      Username: 'rita.rep@example.com.localorg',
      IsActive: true,
    },
    {
      FirstName: 'Otto',
      LastName: 'Former',
      Email: 'otto.former@example.com',
      Username: 'otto.former@example.com.localorg',
      IsActive: false,
    },
  ];
  let adminId = '';
  for (const u of users) {
    const id = org.insertRecord(
      schema,
      new Map<string, FieldValue>([
        ['FirstName', u.FirstName],
        ['LastName', u.LastName],
        ['Email', u.Email],
        ['Username', u.Username],
        ['Alias', (u.FirstName.slice(0, 1) + u.LastName.slice(0, 4)).toLowerCase()],
        ['TimeZoneSidKey', 'America/Los_Angeles'],
        ['LocaleSidKey', 'en_US'],
        ['LanguageLocaleKey', 'en_US'],
        ['EmailEncodingKey', 'UTF-8'],
        ['ProfileId', adminProfileId],
        ['UserType', 'Standard'],
      ]),
      { checkRequired: false },
    );
    if (!u.IsActive) org.store.put('User', { ...org.store.get('User', id)!, IsActive: false });
    if (!adminId) adminId = id;
  }
  // Rows written before the admin existed name it as creator.
  for (const u of org.store.table('User').values()) {
    org.store.put('User', { ...u, CreatedById: adminId, LastModifiedById: adminId });
  }
  return adminId;
}

/** The Organization row, and the admin as its creator and the admin profile's. */
export function seedOrganization(org: Org): void {
  const now = org.now();
  const profile = org.store.get('Profile', org.profileId);
  if (profile)
    org.store.put('Profile', { ...profile, CreatedById: org.userId, LastModifiedById: org.userId });
  org.store.put('Organization', {
    Id: org.orgId,
    Name: 'Local Org',
    Division: null,
    OrganizationType: 'Developer Edition',
    InstanceName: 'LOCAL',
    IsSandbox: false,
    TrialExpirationDate: null,
    NamespacePrefix: null,
    DefaultLocaleSidKey: 'en_US',
    LanguageLocaleKey: 'en_US',
    TimeZoneSidKey: 'America/Los_Angeles',
    CreatedDate: now,
    CreatedById: org.userId,
    LastModifiedDate: now,
    LastModifiedById: org.userId,
    SystemModstamp: now,
  });
}

/** The seeded sellers are Standard Users; only the admin administers the org. */
export function sellersAsStandardUsers(org: Org, standardProfileId: string): void {
  for (const u of org.store.table('User').values()) {
    if (u.Id !== org.userId) org.store.put('User', { ...u, ProfileId: standardProfileId });
  }
}
