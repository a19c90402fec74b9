/**
 * What the connected user's grant allows, read from describe calls at connect time (and on demand):
 * the object permissions and field-level security the product needs, the package's custom fields on
 * Activity, whether Shared Activities is on, and whether the org's Event `Type` picklist takes
 * "Meeting". Every gap is named so the status endpoint can tell an admin what to fix.
 */
import type { Connection } from 'jsforce';
import type { OrgProfile } from '../domain/org-profile.ts';
import type { OrgCheck } from '../store/types.ts';
import type { AssociationSettings } from '../settings/association-settings.ts';

type Capability = 'createable' | 'updateable' | 'deletable' | 'queryable';

/** The permission set an admin assigns to the connecting user (force-app/main/default/permissionsets). */
export const INTEGRATION_PERMISSION_SET = 'Salescaling Integration User';

/**
 * The object permissions every operation of the product needs (CONTRACT §6; docs/admin-guide.md
 * explains each one).
 *
 * - Event and Task: create, edit and delete. Event and Task have no object permissions of their own;
 *   the user permissions "Edit Events" (EditEvent) and "Edit Tasks" (EditTask) make them createable,
 *   updateable and deletable in describe.
 * - Contact, Account, Opportunity, Lead: read AND edit. Activities are *Controlled by Parent* by
 *   default: a user who does not own an activity may edit or delete it only with edit access to the
 *   records it is related to. The meetings are owned by the organizer (a seller), not by the connected
 *   user, so updating or deleting them needs edit on the records they link to — which is why
 *   Salescaling's help page asks for read and write on these objects. The service never changes those
 *   records themselves.
 *   https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm
 * - ContentNote/ContentDocumentLink: the Meeting Summary note and its links to the Event and records.
 * - User: finding the organizer's user to own the Event.
 */
export const REQUIRED: Readonly<Record<string, readonly Capability[]>> = {
  Event: ['createable', 'updateable', 'deletable', 'queryable'],
  EventRelation: ['createable', 'deletable', 'queryable'],
  Task: ['createable', 'updateable', 'deletable', 'queryable'],
  ContentNote: ['createable', 'updateable', 'queryable'],
  ContentDocumentLink: ['createable', 'queryable'],
  Contact: ['queryable', 'updateable'],
  Account: ['queryable', 'updateable'],
  Opportunity: ['queryable', 'updateable'],
  Lead: ['queryable', 'updateable'],
  User: ['queryable'],
};

const WORD: Record<Capability, string> = {
  createable: 'create',
  updateable: 'edit',
  deletable: 'delete',
  queryable: 'read',
};

/**
 * Event and Task are not in a permission set's object permissions: their create/edit/delete come from
 * these user (system) permissions, so that is what an admin must grant when describe says no.
 */
const ACTIVITY_USER_PERMISSION: Readonly<Record<string, string>> = {
  Event: 'EditEvent',
  Task: 'EditTask',
};

/**
 * The permission set that adds what Contacts for unknown guests needs (settings `contactCreation`,
 * off by default): create on Contact. It is separate from the integration set on purpose: a workspace
 * that leaves the setting off never holds a right to create CRM records.
 */
export const CONTACT_CREATION_PERMISSION_SET = 'Salescaling Contact Creation';

/**
 * What creating a Contact (name and email, under an Account) needs beyond REQUIRED: create on Contact,
 * and the fields it writes createable (field-level security; LastName is always createable when the
 * object is). Asked at every check, required only while `contactCreation.enabled` is on.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm
 */
export function contactCreationMissing(contact: DescribeLike | null): string[] {
  if (contact === null || contact.createable !== true) return ['Contact.create'];
  const missing: string[] = [];
  for (const name of ['FirstName', 'Email', 'AccountId']) {
    const field = contact.fields.find((f) => f.name === name);
    if (field !== undefined && field.createable === false) missing.push(`Contact.${name}.create`);
  }
  return missing;
}

/**
 * The permissions the workspace lacks for what its settings ask: the ones every workspace needs, and
 * those of opt-in settings while they are on (Contacts for unknown guests).
 */
export function missingForSettings(check: OrgCheck, settings: AssociationSettings): string[] {
  return [
    ...check.missingPermissions,
    ...(settings.contactCreation.enabled ? (check.settingPermissionsMissing ?? []) : []),
  ];
}

/** The package's Activity fields (force-app/main/default/objects/Activity/fields/), by OrgProfile key. */
export const PACKAGE_FIELDS = {
  meetingId: 'Salescaling_Meeting_Id__c',
  recordingUrl: 'Salescaling_Recording_Url__c',
  summaryPreview: 'Salescaling_Summary_Preview__c',
  attendees: 'Salescaling_Attendees__c',
} as const;

/** The Event Type the product writes (CONTRACT §6). */
export const MEETING_TYPE = 'Meeting';

interface FieldLike {
  readonly name: string;
  readonly createable?: boolean;
  readonly updateable?: boolean;
  readonly restrictedPicklist?: boolean;
  readonly picklistValues?: readonly { readonly value: string; readonly active?: boolean }[];
}

interface DescribeLike {
  readonly createable?: boolean;
  readonly updateable?: boolean;
  readonly deletable?: boolean;
  readonly queryable?: boolean;
  readonly fields: readonly FieldLike[];
}

export interface OrgCheckResult {
  readonly check: OrgCheck;
  readonly sharedActivities: boolean;
  readonly packageFields: OrgProfile['packageFields'];
  /**
   * The `Type` to write on Events: "Meeting" when the org's picklist has it (or is not restricted,
   * so Salesforce stores any value); null when the picklist is restricted without it, or the field
   * is not editable for the user — then the Event is written without a Type rather than refused.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST)
   */
  readonly eventType: string | null;
}

/**
 * The Event `Type` to write, from the Event describe (null: omit it). A picklist that is not
 * restricted accepts values outside its list over the API, so "Meeting" is kept; a restricted one
 * without an active "Meeting" would refuse every meeting, so Type is left out.
 */
export function eventTypeFor(event: DescribeLike | null): string | null {
  const type = event?.fields.find((f) => f.name === 'Type');
  if (!type || type.createable === false || type.updateable === false) return null;
  if (!type.restrictedPicklist) return MEETING_TYPE;
  const values = type.picklistValues ?? [];
  return values.some((v) => v.value === MEETING_TYPE && v.active !== false) ? MEETING_TYPE : null;
}

/** The missing permissions one describe shows: `Object.read`, `Event.Field__c.edit`, `EditEvent`. */
export function missingFrom(byName: ReadonlyMap<string, DescribeLike | null>): string[] {
  const missing: string[] = [];
  for (const [name, caps] of Object.entries(REQUIRED)) {
    const d = byName.get(name) ?? null;
    const userPermission = ACTIVITY_USER_PERMISSION[name];
    for (const cap of caps) {
      if (d && d[cap] === true) continue;
      missing.push(`${name}.${WORD[cap]}`);
    }
    // Named once per object, beside the object gaps it explains.
    if (userPermission && (!d || caps.some((cap) => cap !== 'queryable' && d[cap] !== true))) {
      missing.push(userPermission);
    }
  }
  // Field-level security on the package's fields: the service writes every one on Event and Task.
  for (const object of ['Event', 'Task']) {
    const fields = byName.get(object)?.fields ?? [];
    for (const apiName of Object.values(PACKAGE_FIELDS)) {
      const field = fields.find((f) => f.name === apiName || f.name.endsWith(`__${apiName}`));
      // An absent field is reported as the package not installed (packageFieldsMissing), or as the
      // field unreadable: describe hides a field the user cannot read.
      if (!field) continue;
      if (field.createable === false || field.updateable === false)
        missing.push(`${object}.${field.name}.edit`);
    }
  }
  return missing;
}

/** What an admin does about one missing permission, in words (connection status, admin guide). */
export function explainMissing(name: string): string {
  const [object, second, third] = name.split('.');
  if (object === 'Contact' && (second === 'create' || third === 'create')) {
    const what = third === 'create' ? `create access to the field Contact.${second}` : 'create on Contact';
    return `${what}, in the ${CONTACT_CREATION_PERMISSION_SET} permission set: Contacts for unknown guests (contactCreation.enabled) creates a Contact for a guest whose domain names one Account; or turn that setting off`;
  }
  if (name === 'EditEvent' || name === 'EditTask') {
    return `the user permission "${name === 'EditEvent' ? 'Edit Events' : 'Edit Tasks'}" (${name}), in the ${INTEGRATION_PERMISSION_SET} permission set`;
  }
  if (third === 'edit') {
    return `edit access to the field ${object}.${second} (field-level security), in the ${INTEGRATION_PERMISSION_SET} permission set`;
  }
  const why =
    second === 'edit' && ['Contact', 'Account', 'Opportunity', 'Lead'].includes(object ?? '')
      ? `: with activities Controlled by Parent, editing or deleting a seller's meeting needs edit access to the records it is linked to`
      : '';
  return `${second ?? 'read'} on ${object}, in the ${INTEGRATION_PERMISSION_SET} permission set${why}`;
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

  const missingPermissions = missingFrom(byName);

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

  // Sandbox or production, as the org itself says (not guessed from its URLs):
  // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_organization.htm
  const isSandbox = await conn.query<{ IsSandbox?: unknown }>('SELECT IsSandbox FROM Organization').then(
    (r) => (typeof r.records[0]?.IsSandbox === 'boolean' ? r.records[0].IsSandbox : null),
    () => null,
  );

  return {
    check: {
      missingPermissions,
      sharedActivities,
      packageFieldsFound: found,
      packageFieldsMissing: missing,
      checkedAt: new Date().toISOString(),
      isSandbox,
      settingPermissionsMissing: contactCreationMissing(byName.get('Contact') ?? null),
    },
    sharedActivities,
    packageFields,
    eventType: eventTypeFor(byName.get('Event') ?? null),
  };
}
