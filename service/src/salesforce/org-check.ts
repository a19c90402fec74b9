/**
 * What the connected user's grant allows, read from describe calls at connect time (and on demand):
 * the object permissions the product needs, the package's custom fields on Activity, and whether
 * Shared Activities is on. Every gap is named so the status endpoint can tell an admin what to fix.
 */
import type { Connection } from 'jsforce';
import type { OrgProfile } from '../sync/types.ts';
import type { OrgCheck } from '../store/types.ts';

type Capability = 'createable' | 'updateable' | 'deletable' | 'queryable';

/**
 * The object permissions the product needs (CONTRACT §6): it writes activities and notes, and only reads
 * CRM records. Relating an Event, Task or note to a Contact, Account or Opportunity needs read access to
 * that record, not edit, so read is all the permission set grants and all this asks for.
 */
export const REQUIRED: Readonly<Record<string, readonly Capability[]>> = {
  Event: ['createable', 'updateable', 'deletable', 'queryable'],
  EventRelation: ['createable', 'deletable', 'queryable'],
  Task: ['createable', 'updateable', 'deletable', 'queryable'],
  ContentNote: ['createable', 'updateable', 'queryable'],
  ContentDocumentLink: ['createable', 'queryable'],
  Contact: ['queryable'],
  Account: ['queryable'],
  Opportunity: ['queryable'],
  Lead: ['queryable'],
  User: ['queryable'],
};

const WORD: Record<Capability, string> = {
  createable: 'create',
  updateable: 'update',
  deletable: 'delete',
  queryable: 'read',
};

/** The package's Activity fields (force-app/main/default/objects/Activity/fields/), by OrgProfile key. */
export const PACKAGE_FIELDS = {
  meetingId: 'Salescaling_Meeting_Id__c',
  recordingUrl: 'Salescaling_Recording_Url__c',
  summaryPreview: 'Salescaling_Summary_Preview__c',
  attendees: 'Salescaling_Attendees__c',
} as const;

interface DescribeLike {
  readonly createable?: boolean;
  readonly updateable?: boolean;
  readonly deletable?: boolean;
  readonly queryable?: boolean;
  readonly fields: readonly { readonly name: string }[];
}

export interface OrgCheckResult {
  readonly check: OrgCheck;
  readonly sharedActivities: boolean;
  readonly packageFields: OrgProfile['packageFields'];
}

export async function checkOrg(conn: Connection): Promise<OrgCheckResult> {
  const names = Object.keys(REQUIRED);
  const described = await Promise.all(
    names.map((name) =>
      conn
        .sobject(name)
        .describe()
        .then(
          (d) => d as unknown as DescribeLike,
          // Not visible to this user (or not in this org): every permission on it is missing.
          () => null,
        ),
    ),
  );
  const byName = new Map(names.map((n, i) => [n, described[i] ?? null]));

  const missingPermissions: string[] = [];
  for (const [name, caps] of Object.entries(REQUIRED)) {
    const d = byName.get(name);
    for (const cap of caps) if (!d || d[cap] !== true) missingPermissions.push(`${name}.${WORD[cap]}`);
  }

  // With Shared Activities an EventRelation can be a parent relation (IsParent/IsWhat); without it,
  // EventRelation holds invitees only and those fields are absent.
  // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventrelation.htm
  const relationFields = new Set(byName.get('EventRelation')?.fields.map((f) => f.name) ?? []);
  const sharedActivities = relationFields.has('IsParent');

  // Activity custom fields show on Event (and Task); a managed install prefixes them with a namespace.
  const eventFields = byName.get('Event')?.fields.map((f) => f.name) ?? [];
  const packageFields: { -readonly [K in keyof OrgProfile['packageFields']]: string } = {};
  const found: string[] = [];
  const missing: string[] = [];
  for (const [key, apiName] of Object.entries(PACKAGE_FIELDS) as [keyof typeof PACKAGE_FIELDS, string][]) {
    const hit = eventFields.find((f) => f === apiName || f.endsWith(`__${apiName}`));
    if (hit) {
      packageFields[key] = hit;
      found.push(hit);
    } else {
      missing.push(apiName);
    }
  }

  return {
    check: {
      missingPermissions,
      sharedActivities,
      packageFieldsFound: found,
      packageFieldsMissing: missing,
      checkedAt: new Date().toISOString(),
    },
    sharedActivities,
    packageFields,
  };
}
