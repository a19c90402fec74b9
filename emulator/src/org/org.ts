/**
 * The org: schemas, records and the rules Salesforce applies when records are written. Every write
 * of the REST API (sObject rows, collections, composite, tree) goes through create/update/remove here.
 */
import { randomBytes } from 'node:crypto';
import { ApiError, notFound, requiredFieldsMissing } from '../errors.ts';
import { IdFactory, keyPrefixOf, to18 } from '../ids.ts';
import { standardObjects } from '../schema/objects.ts';
import { readPackageFields, type PackageField } from '../schema/package-fields.ts';
import { securityObjects } from '../schema/security-objects.ts';
import { seedOrganization, seedUsers, sellersAsStandardUsers } from '../seed/org.ts';
import { seedSecurity } from '../seed/security.ts';
import {
  checkDelete,
  checkEdit,
  checkFieldAccess,
  checkLookups,
  checkNewRow,
  checkObject,
} from '../security/guard.ts';
import { readPackagePermissionSets } from '../security/package-permission-sets.ts';
import { hashPassword, verifyPassword } from '../security/passwords.ts';
import { UserPermissions } from '../security/permissions.ts';
import { securityRules } from '../security/rules.ts';
import { RunningUser } from '../security/running-user.ts';
import { DEFAULT_SHARING, type SharingDefaults } from '../security/sharing.ts';
import type { FieldSchema, FieldValue, ObjectSchema, StoredRecord } from '../schema/types.ts';
import { activityRules } from './activities.ts';
import { contentRules } from './content.ts';
import { crmRules } from './crm.ts';
import { customerRules, type CustomerRules } from './customer-rules.ts';
import { combineRules, shapeSchemas, type ObjectRules, type RulesModule } from './object-rules.ts';
import { Store, type MutableRecord } from './store.ts';
import { coerce, formatDateTime } from './values.ts';

export interface OrgSettings {
  sharedActivities: boolean;
  packageInstalled: boolean;
  /** Organization-wide sharing defaults per object (Activity covers Event and Task). */
  sharing?: SharingDefaults;
  /** The customer's validation rules, required fields and picklists on Event and Task (none if absent). */
  customerRules?: CustomerRules;
}

export class Org {
  readonly store: Store;
  readonly orgId: string;
  readonly userId: string;
  readonly profileId: string;
  settings: OrgSettings;
  /** When the describe results last changed (start-up, or a knob that changes objects or fields). */
  schemasChangedAt = 0;
  /** When the org was created; the earliest date the replication resources cover. */
  readonly createdAt = Date.now();
  readonly #packageFields: PackageField[];
  /** The modules of object rules, in the order they run: each object's own, then the customer's configuration. */
  readonly #modules: readonly RulesModule[] = [
    crmRules(),
    activityRules(),
    contentRules(),
    securityRules(),
    customerRules(),
  ];
  readonly #rules: Map<string, ObjectRules>;
  /** The user the current API request runs as; undefined for the org's own work (seed, control). */
  #running: RunningUser | undefined;
  readonly #permissions = new Map<string, { version: number; perms: UserPermissions }>();
  /** The Standard User profile's id. */
  readonly standardProfileId: string;
  #fieldMaps = new Map<string, Map<string, FieldSchema>>();
  /**
   * Each schema's new row before its audit fields (empty fields, checkboxes false, picklist defaults),
   * made once per schema: its values are immutable, and a rebuilt schema is a new key.
   */
  readonly #emptyRows = new WeakMap<ObjectSchema, MutableRecord>();
  /** The fields an insert must fill, per schema (a schema is replaced, never changed). */
  readonly #requiredOnCreate = new WeakMap<ObjectSchema, readonly string[]>();

  constructor(options: {
    settings: OrgSettings;
    adminUsername: string;
    projectRoot?: string;
    data?: { tables: Record<string, MutableRecord[]>; blobs?: Record<string, string> };
  }) {
    this.store = new Store(new IdFactory('5g'));
    this.profileId = this.store.ids.next('00e');
    this.settings = { ...options.settings };
    this.#packageFields = readPackageFields(options.projectRoot);
    this.#rules = combineRules(this.#modules);
    for (const [name, rules] of this.#rules) {
      if (rules.view) this.store.setView(name, rules.view);
      if (rules.alias) this.store.setAlias(name, rules.alias.as, rules.alias.project);
    }
    this.rebuildSchemas();
    if (options.data) {
      this.store.load(options.data);
      const org = [...this.store.table('Organization').values()][0];
      const admin = [...this.store.table('User').values()].find((u) => u.Username === options.adminUsername);
      this.orgId = (org?.Id as string | undefined) ?? this.store.ids.next('00D');
      this.userId =
        (admin?.Id as string | undefined) ?? seedUsers(this, options.adminUsername, this.profileId);
    } else {
      this.orgId = this.store.ids.next('00D');
      this.userId = seedUsers(this, options.adminUsername, this.profileId);
      seedOrganization(this);
    }
    this.store.userId = this.userId;
    const profiles = seedSecurity(this, this.profileId, readPackagePermissionSets(options.projectRoot));
    this.standardProfileId = profiles.standard;
    if (!options.data) sellersAsStandardUsers(this, profiles.standard);
    this.store.runningUserSource = () => this.#running?.dataSource();
  }

  /**
   * Runs `fn` as a user: their permissions, sharing and field-level security apply to every API read
   * and write inside it, and rows they create are theirs.
   */
  runAs<T>(userId: string, fn: () => T): T {
    const outer = this.#running;
    this.#running = new RunningUser(this.store, userId, this.sharing, this.#permissionsOf(userId));
    try {
      return fn();
    } finally {
      this.#running = outer;
    }
  }

  /** A user's permissions, computed once per change of the security rows. */
  #permissionsOf(userId: string): UserPermissions {
    const cached = this.#permissions.get(userId);
    if (cached && cached.version === this.store.securityVersion) return cached.perms;
    if (this.#permissions.size > 1000) this.#permissions.clear();
    const perms = new UserPermissions(this.store, userId);
    this.#permissions.set(userId, { version: this.store.securityVersion, perms });
    return perms;
  }

  /** The running user, when the current request is restricted (not an administrator). */
  get restrictedUser(): RunningUser | undefined {
    return this.#running && !this.#running.unrestricted ? this.#running : undefined;
  }

  /** The id of the user the current request runs as (the admin outside requests). */
  get currentUserId(): string {
    return this.#running?.userId ?? this.userId;
  }

  /** Whether the user is frozen (UserLogin.IsFrozen): they cannot sign in. */
  isFrozen(userId: string): boolean {
    for (const l of this.store.table('UserLogin').values())
      if (l.UserId === userId) return l.IsFrozen === true;
    return false;
  }

  /** Whether the running user has "API Enabled". */
  apiEnabled(): boolean {
    return this.#running?.perms.has('ApiEnabled') ?? true;
  }

  get sharing(): SharingDefaults {
    return this.settings.sharing ?? DEFAULT_SHARING;
  }

  /** The object as the running user's API sees it: NOT_FOUND when they cannot read it. */
  apiSchema(type: string): ObjectSchema {
    const s = this.requireSchema(type);
    const user = this.restrictedUser;
    if (!user) return s;
    const visible = user.schema(s);
    if (!visible) throw notFound();
    return visible;
  }

  /** Every object the running user can read, as they see it. */
  apiSchemas(): ObjectSchema[] {
    const user = this.restrictedUser;
    const all = this.store.allSchemas();
    if (!user) return all;
    return all.map((s) => user.schema(s)).filter((s): s is ObjectSchema => s !== undefined);
  }

  /** A record the running user can read, or NOT_FOUND (a record they cannot see does not exist for them). */
  assertReadable(objectName: string, record: StoredRecord): void {
    const user = this.restrictedUser;
    if (user && !user.canRead(objectName, record)) throw notFound();
  }

  /** Sets a user's password (stored as a salted scrypt hash, never in clear). */
  setPassword(userId: string, password: string): void {
    this.store.setBlob(`password:${userId}`, hashPassword(password));
  }

  hasPassword(userId: string): boolean {
    return this.store.blob(`password:${userId}`) !== undefined;
  }

  /** The user with this username and password, or undefined. */
  userByPassword(username: string, password: string): StoredRecord | undefined {
    const lower = username.toLowerCase();
    const user = [...this.store.table('User').values()].find(
      (u) => String(u.Username ?? '').toLowerCase() === lower,
    );
    const hash = user ? this.store.blob(`password:${user.Id as string}`) : undefined;
    return user && hash && verifyPassword(password, hash) ? user : undefined;
  }

  /** The package fields the org knows (installed or not). */
  get packageFields(): readonly PackageField[] {
    return this.#packageFields;
  }

  /** Recomputes every describe from the settings: the package adds fields, the rules modules shape the rest (Shared Activities). */
  rebuildSchemas(): void {
    // Whole seconds: If-Modified-Since compares HTTP dates, which carry no milliseconds.
    this.schemasChangedAt = Math.floor(Date.now() / 1000) * 1000;
    let schemas = [...standardObjects(), ...securityObjects()];
    if (this.settings.packageInstalled) {
      schemas = schemas.map((s) => {
        const extra = this.#packageFields.filter((p) => p.objectName === s.name).map((p) => p.schema);
        return extra.length ? { ...s, fields: [...s.fields, ...extra] } : s;
      });
    }
    schemas = shapeSchemas(this.#modules, schemas, this.settings);
    this.store.setSchemas(schemas);
    // Keyed by the lower-case name and by the name as spelled: request bodies spell names as the
    // describe does, so most look-ups need no lower-casing (no two fields differ only by case).
    this.#fieldMaps = new Map(
      schemas.map((s) => [
        s.name,
        new Map(s.fields.flatMap((f) => [[f.name.toLowerCase(), f] as const, [f.name, f] as const])),
      ]),
    );
  }

  setSettings(partial: Partial<OrgSettings>): void {
    const before = JSON.stringify(this.settings);
    this.settings = { ...this.settings, ...partial };
    if (JSON.stringify(this.settings) !== before) this.rebuildSchemas();
  }

  schema(type: string): ObjectSchema | undefined {
    return this.store.schema(type);
  }

  /** The schema, or NOT_FOUND as Salesforce answers for an unknown sObject in a URL. */
  requireSchema(type: string): ObjectSchema {
    const s = this.store.schema(type);
    if (!s) throw notFound();
    return s;
  }

  field(objectName: string, fieldName: string): FieldSchema | undefined {
    const fields = this.#fieldMaps.get(objectName);
    return fields?.get(fieldName) ?? fields?.get(fieldName.toLowerCase());
  }

  /** The object an id belongs to by its key prefix (ContentNote ids are ContentDocument ids). */
  objectOfId(id: string): string | undefined {
    const found = this.store.byId(id);
    if (found) return found.objectName;
    const prefix = keyPrefixOf(id);
    return this.store.allSchemas().find((s) => s.keyPrefix === prefix)?.name;
  }

  /** A live (not deleted) record by id, or undefined. */
  live(id: string | null | undefined): { objectName: string; record: StoredRecord } | undefined {
    if (!id) return undefined;
    const found = this.store.byId(id);
    return found && found.record.IsDeleted !== true ? found : undefined;
  }

  now(): string {
    return formatDateTime(Date.now());
  }

  /** Validates and converts a request body's fields to canonical names and stored values. */
  #input(
    schema: ObjectSchema,
    body: Record<string, unknown>,
    mode: 'create' | 'update',
  ): Map<string, FieldValue> {
    const out = new Map<string, FieldValue>();
    const notWritable: string[] = [];
    for (const [key, value] of Object.entries(body)) {
      if (key === 'attributes') continue;
      const f = this.field(schema.name, key);
      if (!f) {
        throw new ApiError('INVALID_FIELD', `No such column '${key}' on sobject of type ${schema.name}`);
      }
      if (f.name === 'Id' && mode === 'update') continue;
      const writable = mode === 'create' ? f.createable : f.updateable;
      if (!writable) {
        notWritable.push(f.name);
        continue;
      }
      if (value !== null && typeof value === 'object' && f.type !== 'address') {
        throw new ApiError(
          'JSON_PARSER_ERROR',
          `Cannot deserialize instance of ${f.type} from START_OBJECT value { or request may be missing a required field`,
        );
      }
      out.set(f.name, coerce(f, value));
    }
    if (notWritable.length) {
      throw new ApiError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        notWritable,
      );
    }
    return out;
  }

  #checkReferences(schema: ObjectSchema, record: MutableRecord, changed: Set<string>): void {
    for (const name of changed) {
      const f = this.field(schema.name, name);
      const v = record[name];
      if (!f || f.type !== 'reference' || typeof v !== 'string') continue;
      const target = this.objectOfId(v);
      const allowed = f.referenceTo ?? [];
      // Objects the org does not model (Profile, ContentVersion) are not checked.
      if (!allowed.some((name) => this.schema(name))) continue;
      const ok =
        target !== undefined &&
        (allowed.includes(target) || allowed.includes(this.store.aliasOf(target) ?? ''));
      if (!ok) {
        throw new ApiError('FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${v}`, [
          f.name,
        ]);
      }
      const found = this.store.byId(v);
      if (!found) throw new ApiError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [f.name]);
      if (found.record.IsDeleted === true)
        throw new ApiError('ENTITY_IS_DELETED', 'entity is deleted', [f.name]);
    }
  }

  /**
   * An inactive user cannot be made a record's owner
   * (INACTIVE_OWNER_OR_USER: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm).
   */
  #checkOwner(schema: ObjectSchema, input: Map<string, FieldValue>): void {
    const owner = input.get('OwnerId');
    if (typeof owner !== 'string') return;
    const found = this.store.byId(owner);
    if (found?.objectName === 'User' && found.record.IsActive !== true) {
      throw new ApiError(
        'INACTIVE_OWNER_OR_USER',
        `operation performed with inactive user [${found.record.Id as string}] as owner of [${schema.name.toLowerCase()}]`,
        ['OwnerId'],
      );
    }
  }

  /**
   * Salesforce's required-field check, after the before-save rules and before the validation rules
   * (https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_triggers_order_of_execution.htm):
   * an insert fills every required field it could set; an update empties none it writes and leaves
   * none blank that the object requires on every save (the customer's required fields).
   */
  #checkRequired(
    schema: ObjectSchema,
    record: MutableRecord,
    previous: StoredRecord | undefined,
    changed: ReadonlySet<string>,
  ): void {
    const isNull = (v: FieldValue | undefined): boolean => v === null || v === undefined;
    if (!previous) {
      let required = this.#requiredOnCreate.get(schema);
      if (!required) {
        required = schema.fields
          .filter((f) => !f.nillable && f.createable && !f.defaultedOnCreate && f.type !== 'boolean')
          .map((f) => f.name);
        this.#requiredOnCreate.set(schema, required);
      }
      const missing = required.filter((name) => isNull(record[name]));
      if (missing.length) throw requiredFieldsMissing(missing);
      return;
    }
    const blank = (v: FieldValue | undefined): boolean =>
      isNull(v) || (typeof v === 'string' && v.trim() === '');
    const alwaysMissing = (this.#rules.get(schema.name)?.requiredFields?.(this) ?? [])
      .map((name) => this.field(schema.name, name))
      .filter((f): f is FieldSchema => f !== undefined && blank(record[f.name]))
      .map((f) => f.name);
    if (alwaysMissing.length) throw requiredFieldsMissing(alwaysMissing);
    for (const name of changed) {
      const f = this.field(schema.name, name);
      if (f && !f.nillable && f.type !== 'boolean' && isNull(record[name]))
        throw requiredFieldsMissing([f.name]);
    }
  }

  #checkUnique(schema: ObjectSchema, record: MutableRecord, changed: Set<string>): void {
    for (const name of changed) {
      const f = this.field(schema.name, name);
      const v = record[name];
      if (!f?.unique || v === null || v === undefined) continue;
      // Unique values are compared case-insensitively unless the field is case-sensitive: "ABC" and
      // "abc" are then two values (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/custom_fields.htm).
      // Uniqueness holds per object: an Activity field's Event values and Task values are apart.
      const fold = (x: unknown): string =>
        f.caseSensitive === true ? String(x ?? '') : String(x ?? '').toLowerCase();
      const norm = fold(v);
      for (const other of this.store.records(schema.name, { includeDeleted: false })) {
        if (
          other.Id !== record.Id &&
          other[name] !== null &&
          other[name] !== undefined &&
          fold(other[name]) === norm
        ) {
          throw new ApiError(
            'DUPLICATE_VALUE',
            `duplicate value found: ${f.name} duplicates value on record with id: ${String(other.Id)}`,
            [f.name],
          );
        }
      }
    }
  }

  create(type: string, body: Record<string, unknown>): string {
    const schema = this.requireSchema(type);
    if (!schema.createable) {
      throw new ApiError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${schema.name}`);
    }
    return this.insertRecord(schema, this.#requestInput(schema, body, undefined));
  }

  /**
   * A request body as the values to write, once the running user may write them: object and field
   * permissions, then the values themselves, the owner, and the rows the user may edit or link to.
   */
  #requestInput(
    schema: ObjectSchema,
    body: Record<string, unknown>,
    previous: StoredRecord | undefined,
  ): Map<string, FieldValue> {
    const user = this.restrictedUser;
    if (user) {
      checkObject(user, schema, previous ? 'edit' : 'create');
      checkFieldAccess(user, schema, body, (n) => this.field(schema.name, n));
    }
    const input = this.#input(schema, body, previous ? 'update' : 'create');
    this.#checkOwner(schema, input);
    if (user) {
      if (previous) checkEdit(user, schema, previous, input.keys());
      else checkNewRow(user, schema, Object.fromEntries(input));
      checkLookups(
        user,
        schema,
        input,
        (n) => this.field(schema.name, n),
        (id) => !!this.live(id),
      );
    }
    return input;
  }

  /**
   * A new row as Salesforce starts one: every field empty (checkboxes false), picklist defaults, the
   * audit fields, the running user as creator and owner, then the object's own defaults.
   */
  newRow(schema: ObjectSchema): MutableRecord {
    const now = this.now();
    let empty = this.#emptyRows.get(schema);
    if (!empty) {
      empty = {};
      for (const f of schema.fields) empty[f.name] = f.type === 'boolean' ? false : null;
      for (const f of schema.fields) {
        const def = f.picklistValues?.find((p) => p.defaultValue);
        if (def && f.defaultedOnCreate) empty[f.name] = def.value;
      }
      this.#emptyRows.set(schema, empty);
    }
    const record: MutableRecord = { ...empty };
    const me = this.currentUserId;
    record.Id = this.store.ids.next(schema.keyPrefix ?? '000');
    record.IsDeleted = false;
    record.CreatedDate = now;
    record.CreatedById = me;
    record.LastModifiedDate = now;
    record.LastModifiedById = me;
    record.SystemModstamp = now;
    if ('OwnerId' in record) record.OwnerId = me;
    Object.assign(record, this.#rules.get(schema.name)?.defaults);
    return record;
  }

  /** Inserts already-validated values (used by rules creating related rows, and by seed). */
  insertRecord(
    schema: ObjectSchema,
    input: Map<string, FieldValue>,
    options: { checkRequired?: boolean } = {},
  ): string {
    const record = this.newRow(schema);
    for (const [k, v] of input) record[k] = v;
    this.#save(schema, record, undefined, new Set(input.keys()), options);
    return record.Id as string;
  }

  /**
   * The write pipeline every insert and update takes, whatever the object: references, the object's
   * before-save rules (derived fields, refusals), required fields, validation rules, unique values,
   * then the row is stored and the after-save rules write related rows.
   */
  #save(
    schema: ObjectSchema,
    record: MutableRecord,
    previous: StoredRecord | undefined,
    changed: Set<string>,
    options: { checkRequired?: boolean } = {},
  ): void {
    this.#checkReferences(schema, record, changed);
    const rules = this.#rules.get(schema.name);
    rules?.beforeWrite?.(this, record, previous, changed);
    if (options.checkRequired !== false) this.#checkRequired(schema, record, previous, changed);
    rules?.validate?.(this, record, previous, changed);
    this.#checkUnique(schema, record, changed);
    this.store.put(schema.name, record);
    rules?.afterWrite?.(this, record, previous, changed);
  }

  /** The stored row of `type` with this id, or Salesforce's error for a missing or deleted one. */
  requireRecord(schema: ObjectSchema, id: string): MutableRecord {
    const id18 = to18(id);
    if (!id18) {
      throw new ApiError('MALFORMED_ID', `${schema.label} ID: id value of incorrect type: ${id}`, ['Id']);
    }
    const found = this.store.locate(id18);
    // A row may also answer as another object under the same id (a ContentNote is a ContentDocument).
    const sameObject =
      found && (found.objectName === schema.name || this.store.aliasOf(found.objectName) === schema.name);
    if (!found || !sameObject) {
      if (keyPrefixOf(id18) !== schema.keyPrefix) {
        throw new ApiError('MALFORMED_ID', `${schema.label} ID: id value of incorrect type: ${id}`, ['Id']);
      }
      throw notFound();
    }
    if (found.record.IsDeleted === true) throw new ApiError('ENTITY_IS_DELETED', 'entity is deleted', []);
    return found.record as MutableRecord;
  }

  update(type: string, id: string, body: Record<string, unknown>): void {
    const schema = this.requireSchema(type);
    if (!schema.updateable) {
      throw new ApiError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${schema.name}`);
    }
    const previous = this.requireRecord(schema, id);
    this.updateRecord(schema, previous, this.#requestInput(schema, body, previous));
  }

  updateRecord(schema: ObjectSchema, previous: StoredRecord, input: Map<string, FieldValue>): void {
    const now = this.now();
    const record: MutableRecord = {
      ...previous,
      ...Object.fromEntries(input),
      LastModifiedDate: now,
      LastModifiedById: this.currentUserId,
      SystemModstamp: now,
    };
    this.#save(schema, record, previous, new Set(input.keys()));
  }

  /** Sends a record (and what Salesforce deletes with it) to the recycle bin. */
  remove(type: string | undefined, id: string): void {
    const objectName = type ?? this.objectOfId(id);
    const schema = objectName ? this.schema(objectName) : undefined;
    if (!schema) {
      throw new ApiError('MALFORMED_ID', `malformed id ${id}`, []);
    }
    if (!schema.deletable) {
      throw new ApiError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be deleted: ${schema.name}`);
    }
    const record = this.requireRecord(schema, id);
    const user = this.restrictedUser;
    if (user) {
      checkObject(user, schema, 'delete');
      checkDelete(user, schema, record);
    }
    // The row leaves the table that stores it (deleting a ContentDocument deletes its ContentNote).
    const stored = this.store.locate(record.Id as string)?.objectName ?? schema.name;
    this.deleteRecord(this.requireSchema(stored), record);
  }

  deleteRecord(schema: ObjectSchema, record: StoredRecord): void {
    if (record.IsDeleted === true) return;
    this.#rules.get(schema.name)?.beforeDelete?.(this, record);
    const now = this.now();
    this.store.put(schema.name, { ...record, IsDeleted: true, SystemModstamp: now, LastModifiedDate: now });
    // Children Salesforce deletes with their parent (contacts, opportunities and activities of an
    // account; relations of an event) follow it into the recycle bin.
    for (const rel of schema.childRelationships) {
      if (!rel.cascadeDelete) continue;
      const childSchema = this.schema(rel.childSObject);
      if (!childSchema || this.store.isView(childSchema.name)) continue;
      for (const c of [...this.store.records(childSchema.name, { includeDeleted: false })]) {
        if (c[rel.field] === record.Id) this.deleteRecord(childSchema, c);
      }
    }
  }

  upsert(
    type: string,
    fieldName: string,
    value: string,
    body: Record<string, unknown>,
  ): { id: string; created: boolean } {
    const schema = this.requireSchema(type);
    const f = this.field(schema.name, fieldName);
    if (!f || (!f.externalId && f.name !== 'Id')) {
      throw notFound();
    }
    if (f.name === 'Id') {
      const existing = to18(value) ? this.store.locate(value) : undefined;
      if (existing && existing.objectName === schema.name && existing.record.IsDeleted !== true) {
        this.update(schema.name, value, body);
        return { id: existing.record.Id as string, created: false };
      }
      return { id: this.create(schema.name, body), created: true };
    }
    const norm = value.toLowerCase();
    const matches = [...this.store.records(schema.name, { includeDeleted: false })].filter(
      (r) => String(r[f.name] ?? '').toLowerCase() === norm,
    );
    if (matches.length > 1) {
      throw new ApiError(
        'MULTIPLE_CHOICES',
        `The value '${value}' for field '${f.name}' matches multiple records`,
        undefined,
        300,
      );
    }
    const match = matches[0];
    const bodyWithKey = { ...body };
    for (const k of Object.keys(bodyWithKey))
      if (k.toLowerCase() === f.name.toLowerCase()) delete bodyWithKey[k];
    if (match) {
      this.update(schema.name, match.Id as string, bodyWithKey);
      return { id: match.Id as string, created: false };
    }
    return { id: this.create(schema.name, { ...bodyWithKey, [f.name]: value }), created: true };
  }

  /** A fresh random secret (tokens, codes). */
  static secret(bytes = 32): string {
    return randomBytes(bytes).toString('base64url');
  }
}
