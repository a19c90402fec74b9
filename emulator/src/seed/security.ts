/**
 * The security rows every org starts with: the System Administrator and Standard User profiles with
 * the permission sets they own, and the package's permission sets read from force-app.
 * Standard profiles' permissions: https://help.salesforce.com/s/articleView?id=sf.standard_profiles.htm
 * (Standard User: create, read, edit and delete on accounts, contacts, leads and opportunities, without
 * View All / Modify All, and without "View All Data" / "Modify All Data").
 */
import type { Org } from '../org/org.ts';
import { SYSTEM_PERMISSIONS } from '../schema/security-objects.ts';
import type { FieldValue } from '../schema/types.ts';
import type { PackagePermissionSet } from '../security/package-permission-sets.ts';
import { PERMISSIONED_OBJECTS } from '../security/permissions.ts';
import { ensureUserLogin } from '../security/rules.ts';

export const ADMIN_PROFILE = 'System Administrator';
export const STANDARD_PROFILE = 'Standard User';
/** A profile with no object permissions, to which permission sets add what a user needs. */
export const MINIMUM_PROFILE = 'Minimum Access - Salesforce';

const STANDARD_USER_SYSTEM = ['ApiEnabled', 'EditEvent', 'EditTask'];

function insert(org: Org, objectName: string, fields: Record<string, FieldValue>): string {
  return org.insertRecord(org.requireSchema(objectName), new Map(Object.entries(fields)), {
    checkRequired: false,
  });
}

function byName(org: Org, objectName: string, name: string): string | undefined {
  for (const r of org.store.table(objectName).values()) if (r.Name === name) return r.Id as string;
  return undefined;
}

function permissionFlags(enabled: readonly string[]): Record<string, boolean> {
  return Object.fromEntries(SYSTEM_PERMISSIONS.map((p) => [`Permissions${p}`, enabled.includes(p)]));
}

function objectPermission(
  org: Org,
  parentId: string,
  object: string,
  p: { create: boolean; read: boolean; edit: boolean; delete: boolean; viewAll: boolean; modifyAll: boolean },
): void {
  insert(org, 'ObjectPermissions', {
    ParentId: parentId,
    SobjectType: object,
    PermissionsCreate: p.create,
    PermissionsRead: p.read,
    PermissionsEdit: p.edit,
    PermissionsDelete: p.delete,
    PermissionsViewAllRecords: p.viewAll,
    PermissionsModifyAllRecords: p.modifyAll,
  });
}

/** A profile and the permission set it owns (IsOwnedByProfile), created once. */
function ensureProfile(
  org: Org,
  name: string,
  existingId: string | undefined,
  system: readonly string[],
  objects: { viewAll: boolean; modifyAll: boolean } | undefined,
): string {
  const profileId =
    existingId ??
    byName(org, 'Profile', name) ??
    insert(org, 'Profile', { Name: name, UserType: 'Standard' });
  const owned = [...org.store.table('PermissionSet').values()].some(
    (ps) => ps.IsOwnedByProfile === true && ps.ProfileId === profileId,
  );
  if (owned) return profileId;
  // Profile-owned permission sets carry an internal name in a real org; the label is the profile's.
  const psId = insert(org, 'PermissionSet', {
    Name: `X00e${profileId.slice(3, 15)}`,
    Label: name,
    IsOwnedByProfile: true,
    ProfileId: profileId,
    ...permissionFlags(system),
  });
  if (objects) {
    for (const object of PERMISSIONED_OBJECTS) {
      objectPermission(org, psId, object, { create: true, read: true, edit: true, delete: true, ...objects });
    }
  }
  return profileId;
}

/** Creates a permission set with its object and field permissions; returns its id. */
export function createPermissionSet(org: Org, ps: PackagePermissionSet): string {
  const id = insert(org, 'PermissionSet', {
    Name: ps.name,
    Label: ps.label,
    Description: ps.description,
    ...permissionFlags(ps.system),
  });
  for (const o of ps.objects) objectPermission(org, id, o.object, o);
  for (const f of ps.fields) {
    insert(org, 'FieldPermissions', {
      ParentId: id,
      SobjectType: f.field.split('.')[0] ?? '',
      Field: f.field,
      PermissionsRead: f.read || f.edit,
      PermissionsEdit: f.edit,
    });
  }
  return id;
}

/** Seeds (idempotently) the two profiles and the package's permission sets; returns the profile ids. */
export function seedSecurity(
  org: Org,
  adminProfileId: string,
  packageSets: readonly PackagePermissionSet[],
): { admin: string; standard: string } {
  const admin = ensureProfile(org, ADMIN_PROFILE, adminProfileId, SYSTEM_PERMISSIONS, {
    viewAll: true,
    modifyAll: true,
  });
  const standard = ensureProfile(org, STANDARD_PROFILE, undefined, STANDARD_USER_SYSTEM, {
    viewAll: false,
    modifyAll: false,
  });
  ensureProfile(org, MINIMUM_PROFILE, undefined, ['ApiEnabled'], undefined);
  for (const ps of packageSets) if (!byName(org, 'PermissionSet', ps.name)) createPermissionSet(org, ps);
  for (const u of [...org.store.table('User').values()]) ensureUserLogin(org, u.Id as string);
  return { admin, standard };
}
