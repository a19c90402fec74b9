/**
 * What a user may do, from their profile's own permission set and the permission sets assigned to
 * them (a user's permissions are the union of both, as on the platform:
 * https://help.salesforce.com/s/articleView?id=sf.perm_sets_overview.htm). Object permissions come from
 * ObjectPermissions, field-level security from FieldPermissions, system permissions from the
 * PermissionSet's `Permissions<Name>` fields.
 */
import type { StoredRecord } from '../schema/types.ts';
import { SYSTEM_PERMISSIONS, type SystemPermission } from '../schema/security-objects.ts';

/** The part of the store the permission model reads. */
export interface PermissionSource {
  get(objectName: string, id18: string): StoredRecord | undefined;
  table(objectName: string): Map<string, StoredRecord>;
}

export interface ObjectAccess {
  create: boolean;
  read: boolean;
  edit: boolean;
  delete: boolean;
  viewAll: boolean;
  modifyAll: boolean;
}

export interface FieldAccess {
  read: boolean;
  edit: boolean;
}

/** Objects whose access an ObjectPermissions row grants (CRED, View All, Modify All). */
export const PERMISSIONED_OBJECTS = new Set(['Account', 'Contact', 'Lead', 'Opportunity']);

const NONE: ObjectAccess = {
  create: false,
  read: false,
  edit: false,
  delete: false,
  viewAll: false,
  modifyAll: false,
};
const ALL: ObjectAccess = {
  create: true,
  read: true,
  edit: true,
  delete: true,
  viewAll: true,
  modifyAll: true,
};

export class UserPermissions {
  readonly userId: string;
  readonly active: boolean;
  readonly system: ReadonlySet<SystemPermission>;
  readonly #objects = new Map<string, ObjectAccess>();
  readonly #fields = new Map<string, FieldAccess>();
  /** object()'s answers: this user's permission rows are read once, at construction, so they hold. */
  readonly #objectAccess = new Map<string, ObjectAccess>();

  constructor(source: PermissionSource, userId: string) {
    this.userId = userId;
    const user = source.get('User', userId);
    this.active = user?.IsActive === true;
    const setIds = new Set<string>();
    const profileId = user?.ProfileId;
    for (const ps of source.table('PermissionSet').values()) {
      if (ps.IsOwnedByProfile === true && ps.ProfileId === profileId) setIds.add(ps.Id as string);
    }
    for (const a of source.table('PermissionSetAssignment').values()) {
      if (a.IsDeleted !== true && a.AssigneeId === userId) setIds.add(a.PermissionSetId as string);
    }
    const system = new Set<SystemPermission>();
    for (const id of setIds) {
      const ps = source.get('PermissionSet', id);
      if (!ps || ps.IsDeleted === true) {
        setIds.delete(id);
        continue;
      }
      for (const p of SYSTEM_PERMISSIONS) if (ps[`Permissions${p}`] === true) system.add(p);
    }
    this.system = system;
    for (const op of source.table('ObjectPermissions').values()) {
      if (op.IsDeleted === true || !setIds.has(op.ParentId as string)) continue;
      const name = String(op.SobjectType);
      const prev = this.#objects.get(name) ?? { ...NONE };
      this.#objects.set(name, {
        create: prev.create || op.PermissionsCreate === true,
        read: prev.read || op.PermissionsRead === true,
        edit: prev.edit || op.PermissionsEdit === true,
        delete: prev.delete || op.PermissionsDelete === true,
        viewAll: prev.viewAll || op.PermissionsViewAllRecords === true,
        modifyAll: prev.modifyAll || op.PermissionsModifyAllRecords === true,
      });
    }
    for (const fp of source.table('FieldPermissions').values()) {
      if (fp.IsDeleted === true || !setIds.has(fp.ParentId as string)) continue;
      const key = String(fp.Field).toLowerCase();
      const prev = this.#fields.get(key) ?? { read: false, edit: false };
      this.#fields.set(key, {
        read: prev.read || fp.PermissionsRead === true || fp.PermissionsEdit === true,
        edit: prev.edit || fp.PermissionsEdit === true,
      });
    }
  }

  has(p: SystemPermission): boolean {
    return this.system.has(p);
  }

  /** "Modify All Data": every object, field and record (the System Administrator profile has it). */
  get modifyAllData(): boolean {
    return this.system.has('ModifyAllData');
  }

  /**
   * The object-level access. Account, Contact, Lead and Opportunity follow ObjectPermissions; activities
   * need "Edit Events"/"Edit Tasks" to be written and are readable by every user (subject to sharing);
   * their relation rows follow them; setup objects follow the setup permissions.
   * https://help.salesforce.com/s/articleView?id=sf.users_profiles_object_perms.htm
   */
  object(name: string): ObjectAccess {
    let access = this.#objectAccess.get(name);
    if (!access) {
      access = Object.freeze(this.#objectOf(name));
      this.#objectAccess.set(name, access);
    }
    return access;
  }

  #objectOf(name: string): ObjectAccess {
    if (this.modifyAllData) return ALL;
    const viewAllData = this.has('ViewAllData');
    const withData = (a: ObjectAccess): ObjectAccess =>
      viewAllData ? { ...a, read: true, viewAll: true } : a;
    if (PERMISSIONED_OBJECTS.has(name)) {
      const a = this.#objects.get(name) ?? NONE;
      // View All / Modify All imply read (and Modify All edit and delete).
      const modifyAll = a.modifyAll;
      return withData({
        create: a.create,
        read: a.read || a.viewAll || modifyAll,
        edit: a.edit || modifyAll,
        delete: a.delete || modifyAll,
        viewAll: a.viewAll || modifyAll,
        modifyAll,
      });
    }
    switch (name) {
      case 'Event':
      case 'EventRelation':
      case 'EventWhoRelation':
      case 'Task':
      case 'TaskRelation':
      case 'TaskWhoRelation': {
        const edit = this.has(name.startsWith('Event') ? 'EditEvent' : 'EditTask');
        return withData({ create: edit, read: true, edit, delete: edit, viewAll: false, modifyAll: false });
      }
      case 'OpportunityContactRole': {
        // Contact roles follow the opportunity: read with it, written with edit on it.
        const opp = this.object('Opportunity');
        return withData({
          create: opp.edit,
          read: opp.read,
          edit: opp.edit,
          delete: opp.edit,
          viewAll: opp.viewAll,
          modifyAll: opp.modifyAll,
        });
      }
      case 'User': {
        const manage = this.has('ManageUsers');
        return withData({
          create: manage,
          read: true,
          edit: manage,
          delete: false,
          viewAll: manage,
          modifyAll: manage,
        });
      }
      case 'Profile':
      case 'Organization':
      case 'UserRecordAccess':
        return { ...NONE, read: true };
      case 'PermissionSet':
      case 'ObjectPermissions':
      case 'FieldPermissions': {
        const manage = this.has('ManageProfilesPermissionsets');
        const read = manage || this.has('ViewSetup');
        return { create: manage, read, edit: manage, delete: manage, viewAll: read, modifyAll: manage };
      }
      case 'UserLogin': {
        // "To access this object, you need the ManageUsers permission."
        const manage = this.has('ManageUsers');
        return {
          create: false,
          read: manage,
          edit: manage,
          delete: false,
          viewAll: manage,
          modifyAll: manage,
        };
      }
      case 'PermissionSetAssignment': {
        // "Only users who have View Setup and Configuration, Assign Permission Sets or Manage Users can
        // access this object" (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm).
        const assign = this.has('AssignPermissionSets') || this.has('ManageUsers');
        const read = assign || this.has('ViewSetup');
        return { create: assign, read, edit: false, delete: assign, viewAll: read, modifyAll: assign };
      }
      default:
        // Notes, documents and their links: every user creates and reads their own.
        return { create: true, read: true, edit: true, delete: true, viewAll: false, modifyAll: false };
    }
  }

  /**
   * Field-level security. Custom fields are unreadable unless a permission set grants them (the
   * package's fields are installed "for admins only"); standard fields follow the describe.
   * https://help.salesforce.com/s/articleView?id=sf.admin_fls.htm
   */
  field(objectName: string, fieldName: string): FieldAccess {
    if (this.modifyAllData) return { read: true, edit: true };
    if (!fieldName.endsWith('__c')) return { read: true, edit: true };
    return this.#fields.get(`${objectName}.${fieldName}`.toLowerCase()) ?? { read: false, edit: false };
  }
}
