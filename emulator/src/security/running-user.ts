/**
 * The user a request runs as: their permissions, their record access, and the views of the schema and
 * the data they are allowed to see. One is built per API request. "Fields that are not visible to a
 * given user are not returned in a query() or describeSObjects() call … data that is outside of the
 * logged-in user's sharing model is not returned"
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/obj_ref_data_access.htm).
 */
import type { QueryDataSource } from '../query/data-source.ts';
import type { ObjectSchema, StoredRecord } from '../schema/types.ts';
import { type PermissionSource, UserPermissions } from './permissions.ts';
import { ACCESS_LEVELS, RecordAccess, READ, type SharingDefaults, type SharingLookup } from './sharing.ts';

export interface SecuredStore extends PermissionSource, SharingLookup, QueryDataSource {
  allSchemas(): ObjectSchema[];
}

/**
 * Each user's view of each object, kept with the permissions it is computed from: the org keeps a
 * user's UserPermissions until a security row changes (org.ts #permissionsOf), and the org's settings
 * replace a schema, never change it, so a view holds while both are the same objects. Every API
 * request runs as a new RunningUser; without this each one filtered every field of every object it
 * touched again (a sixth of a lone meeting's look-up and graph calls).
 */
const VIEWS = new WeakMap<UserPermissions, WeakMap<ObjectSchema, ObjectSchema | null>>();

/** Objects UserRecordAccess answers for (those with a sharing setting). */
const RECORD_ACCESS_OBJECTS = ['Account', 'Contact', 'Lead', 'Opportunity', 'Event', 'Task'];

export class RunningUser {
  readonly userId: string;
  readonly perms: UserPermissions;
  readonly access: RecordAccess;
  readonly #store: SecuredStore;
  readonly #owd: SharingDefaults;
  readonly #schemas: WeakMap<ObjectSchema, ObjectSchema | null>;

  constructor(store: SecuredStore, userId: string, owd: SharingDefaults, perms?: UserPermissions) {
    this.userId = userId;
    this.#store = store;
    this.#owd = owd;
    this.perms = perms ?? new UserPermissions(store, userId);
    this.access = new RecordAccess(this.perms, owd, store);
    let views = VIEWS.get(this.perms);
    if (!views) {
      views = new WeakMap();
      VIEWS.set(this.perms, views);
    }
    this.#schemas = views;
  }

  /** Whether nothing is filtered for this user ("Modify All Data"). */
  get unrestricted(): boolean {
    return this.perms.modifyAllData;
  }

  /**
   * The object as this user's describe shows it: undefined without read access to the object (it then
   * does not exist for them, in describe and SOQL alike), fields without read access removed, and
   * createable/updateable/deletable as their permissions allow.
   */
  schema(base: ObjectSchema | undefined): ObjectSchema | undefined {
    if (!base) return undefined;
    if (this.unrestricted) return base;
    const cached = this.#schemas.get(base);
    if (cached !== undefined) return cached ?? undefined;
    const obj = this.perms.object(base.name);
    let out: ObjectSchema | null = null;
    if (obj.read) {
      const fields = base.fields
        .filter((f) => this.perms.field(base.name, f.name).read)
        .map((f) => {
          const fls = this.perms.field(base.name, f.name);
          return {
            ...f,
            createable: f.createable && fls.edit && obj.create,
            updateable: f.updateable && fls.edit && obj.edit,
          };
        });
      out = {
        ...base,
        fields,
        childRelationships: base.childRelationships.filter((c) => this.perms.object(c.childSObject).read),
        createable: base.createable && obj.create,
        updateable: base.updateable && obj.edit,
        deletable: base.deletable && obj.delete,
      };
    }
    this.#schemas.set(base, out);
    return out ?? undefined;
  }

  canRead(objectName: string, record: StoredRecord): boolean {
    return this.unrestricted || this.access.level(objectName, record) >= READ;
  }

  /** The query engine's view of the org for this user: what they cannot see does not exist. */
  dataSource(): QueryDataSource {
    const store = this.#store;
    // UserRecordAccess is computed for the running user, not stored: no index or stored row answers it.
    const computed = (objectName: string) => store.schema(objectName)?.name === 'UserRecordAccess';
    if (this.unrestricted) {
      return {
        userId: this.userId,
        schema: (name) => store.schema(name),
        records: (objectName, options) =>
          computed(objectName) ? this.#recordAccessRows() : store.records(objectName, options),
        byId: (id) => store.byId(id),
        indexed: (objectName, field, keys, options) =>
          computed(objectName) ? undefined : store.indexed?.(objectName, field, keys, options),
        candidates: (objectName, plan, options) =>
          computed(objectName) ? undefined : store.candidates?.(objectName, plan, options),
      };
    }
    const schemaOf = (name: string) => this.schema(store.schema(name));
    /** The user's schema of a stored object (undefined: hidden from them, or computed). */
    const storedSchema = (name: string) => (computed(name) ? undefined : schemaOf(name));
    return {
      userId: this.userId,
      schema: schemaOf,
      records: (objectName, options) => this.#visibleRecords(schemaOf(objectName), options),
      // The same rows as #visibleRecords, the check left to the query to run after its WHERE.
      recordsToCheck: (objectName, options) => {
        const schema = storedSchema(objectName);
        if (!schema) return undefined;
        return {
          records: store.records(schema.name, options),
          canRead: (r) => this.canRead(schema.name, r),
        };
      },
      byId: (id) => {
        const found = store.byId(id);
        if (!found || !schemaOf(found.objectName)) return undefined;
        return this.canRead(found.objectName, found.record) ? found : undefined;
      },
      // The index's rows, less those the user cannot read: the rows and order #visibleRecords gives.
      indexed: (objectName, field, keys, options) => {
        const schema = storedSchema(objectName);
        if (!schema) return undefined;
        return store
          .indexed?.(schema.name, field, keys, options)
          ?.filter((r) => this.canRead(schema.name, r));
      },
      // Likewise for an index plan's rows (query/index-plan.ts).
      candidates: (objectName, plan, options) => {
        const schema = storedSchema(objectName);
        if (!schema) return undefined;
        return store.candidates?.(schema.name, plan, options)?.filter((r) => this.canRead(schema.name, r));
      },
    };
  }

  *#visibleRecords(
    schema: ObjectSchema | undefined,
    options: { includeDeleted: boolean },
  ): Iterable<StoredRecord> {
    if (!schema) return;
    if (schema.name === 'UserRecordAccess') {
      yield* this.#recordAccessRows();
      return;
    }
    for (const r of this.#store.records(schema.name, options)) if (this.canRead(schema.name, r)) yield r;
  }

  /**
   * UserRecordAccess rows for every active user and every record of the objects with sharing settings
   * (filtered afterwards by the query's WHERE, which must name UserId and RecordId).
   */
  *#recordAccessRows(): Iterable<StoredRecord> {
    const users = [...this.#store.table('User').values()].filter((u) => u.IsActive === true);
    for (const u of users) {
      const other = u.Id === this.userId ? this : new RunningUser(this.#store, u.Id as string, this.#owd);
      for (const objectName of RECORD_ACCESS_OBJECTS) {
        for (const r of this.#store.records(objectName, { includeDeleted: false })) {
          yield recordAccessRow(u.Id as string, r.Id as string, other.access.level(objectName, r));
        }
      }
    }
  }
}

export function recordAccessRow(userId: string, recordId: string, level: number): StoredRecord {
  return {
    Id: recordId,
    IsDeleted: false,
    UserId: userId,
    RecordId: recordId,
    HasReadAccess: level >= 1,
    HasEditAccess: level >= 2,
    HasDeleteAccess: level >= 3,
    HasTransferAccess: level >= 4,
    HasAllAccess: level >= 4,
    MaxAccessLevel: ACCESS_LEVELS[level] ?? 'None',
  };
}
