/**
 * Record access from organization-wide defaults, ownership and the activity rules.
 * OWD levels: https://help.salesforce.com/s/articleView?id=sf.sharing_model_fields.htm
 * Controlled by Parent for contacts and activities:
 * https://help.salesforce.com/s/articleView?id=sf.security_sharing_owd_about.htm
 * Access levels are those of UserRecordAccess.MaxAccessLevel:
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userrecordaccess.htm
 */
import type { StoredRecord } from '../schema/types.ts';
import { PERMISSIONED_OBJECTS, type UserPermissions } from './permissions.ts';

export type SharingModel = 'Private' | 'Read' | 'ReadWrite' | 'ControlledByParent';

/** The objects with an organization-wide default; `Activity` covers Event and Task. */
export const SHARING_OBJECTS = ['Account', 'Contact', 'Opportunity', 'Lead', 'Activity'] as const;
export type SharingObject = (typeof SHARING_OBJECTS)[number];
export type SharingDefaults = Record<SharingObject, SharingModel>;

/** The models each object accepts (Controlled by Parent is offered for contacts and activities only). */
export const ALLOWED_MODELS: Record<SharingObject, readonly SharingModel[]> = {
  Account: ['Private', 'Read', 'ReadWrite'],
  Contact: ['Private', 'Read', 'ReadWrite', 'ControlledByParent'],
  Opportunity: ['Private', 'Read', 'ReadWrite'],
  Lead: ['Private', 'Read', 'ReadWrite'],
  Activity: ['Private', 'ControlledByParent'],
};

/**
 * A new org's defaults (Help, "Default Organization-Wide Access Levels"); activities default to
 * Controlled by Parent as the issue and Salescaling's help page describe.
 */
export const DEFAULT_SHARING: SharingDefaults = {
  Account: 'ReadWrite',
  Contact: 'ControlledByParent',
  Opportunity: 'Read',
  Lead: 'ReadWrite',
  Activity: 'ControlledByParent',
};

/** None < Read < Edit < Delete < All, as MaxAccessLevel orders them (Transfer is not modelled). */
export const ACCESS_LEVELS = ['None', 'Read', 'Edit', 'Delete', 'All'] as const;
export type AccessLevel = 0 | 1 | 2 | 3 | 4;
export const NONE = 0;
export const READ = 1;
export const EDIT = 2;
export const DELETE = 3;
export const ALL = 4;

export interface SharingLookup {
  byId(id: string): { objectName: string; record: StoredRecord } | undefined;
  /**
   * The live rows of a table whose `field` holds exactly `value` (an activity's relation rows), from
   * the field's index; undefined when the field has no index.
   */
  rowsWithValue(
    tableName: string,
    field: string,
    value: unknown,
    options: { includeDeleted: boolean },
  ): StoredRecord[] | undefined;
  /** Stored rows of a table, deleted included (the scan when a field has no index). */
  table(objectName: string): Map<string, StoredRecord>;
  /** Changes with every stored row written or undone: what was computed before may no longer hold. */
  readonly writeVersion: number;
}

const ACTIVITIES = new Set(['Event', 'Task']);
const ACTIVITY_CHILDREN: Record<string, { parent: 'Event' | 'Task'; field: string }> = {
  EventRelation: { parent: 'Event', field: 'EventId' },
  EventWhoRelation: { parent: 'Event', field: 'EventId' },
  TaskRelation: { parent: 'Task', field: 'TaskId' },
  TaskWhoRelation: { parent: 'Task', field: 'TaskId' },
};

/**
 * One user's access to records, for one API request. Levels are memoised, since one query's row checks
 * ask again and again about the same parents (an Event's Who and What, a Contact's Account), but only
 * while nothing is written: any write may change an owner, a parent or a relation, so the memo is
 * dropped as soon as the store's write version moves (a query's reads share it, a graph's nodes do
 * not).
 */
export class RecordAccess {
  readonly #perms: UserPermissions;
  readonly #owd: SharingDefaults;
  readonly #lookup: SharingLookup;
  /** Record id → level, for the records computed since the store's write version `#version`. */
  readonly #cache = new Map<string, AccessLevel>();
  /** Id as asked (any case, 15 or 18 characters) → its record (null: none), for the same writes. */
  readonly #byAskedId = new Map<string, { objectName: string; record: StoredRecord } | null>();
  #version: number;

  constructor(perms: UserPermissions, owd: SharingDefaults, lookup: SharingLookup) {
    this.#perms = perms;
    this.#owd = owd;
    this.#lookup = lookup;
    this.#version = lookup.writeVersion;
  }

  /** Drops what a write since the last call may have changed. */
  #fresh(): void {
    const version = this.#lookup.writeVersion;
    if (version === this.#version) return;
    this.#version = version;
    this.#cache.clear();
    this.#byAskedId.clear();
  }

  /** The user's access to a record, capped by the object permissions. */
  level(objectName: string, record: StoredRecord): AccessLevel {
    this.#fresh();
    return this.#level(objectName, record);
  }

  #level(objectName: string, record: StoredRecord): AccessLevel {
    const id = record.Id as string | undefined;
    if (id) {
      const cached = this.#cache.get(id);
      if (cached !== undefined) return cached;
    }
    // A cycle (an activity whose parent lookup comes back to it) reads as no access.
    if (id) this.#cache.set(id, NONE);
    const level = this.#compute(objectName, record);
    if (id) this.#cache.set(id, level);
    return level;
  }

  levelOfId(id: unknown): AccessLevel {
    this.#fresh();
    return this.#levelOfId(id);
  }

  #levelOfId(id: unknown): AccessLevel {
    if (typeof id !== 'string') return NONE;
    const found = this.#located(id);
    return found && found.record.IsDeleted !== true ? this.#level(found.objectName, found.record) : NONE;
  }

  /** The record an id names (deleted included), looked up once per id between writes. */
  #located(id: string): { objectName: string; record: StoredRecord } | undefined {
    let found = this.#byAskedId.get(id);
    if (found === undefined) {
      found = this.#lookup.byId(id) ?? null;
      this.#byAskedId.set(id, found);
    }
    return found ?? undefined;
  }

  /** The live relation rows of an activity. */
  #relationsOf(objectName: 'Event' | 'Task', id: string): StoredRecord[] {
    const table = `${objectName}Relation`;
    const parentField = `${objectName}Id`;
    return (
      this.#lookup.rowsWithValue(table, parentField, id, { includeDeleted: false }) ??
      [...this.#lookup.table(table).values()].filter((r) => r.IsDeleted !== true && r[parentField] === id)
    );
  }

  #compute(objectName: string, record: StoredRecord): AccessLevel {
    const obj = this.#perms.object(objectName);
    if (!obj.read) return NONE;
    if (obj.modifyAll) return ALL;
    const child = ACTIVITY_CHILDREN[objectName];
    if (child) return this.#levelOfId(record[child.field]);
    if (objectName === 'OpportunityContactRole') return this.#levelOfId(record.OpportunityId);
    let level: AccessLevel;
    if (PERMISSIONED_OBJECTS.has(objectName) || ACTIVITIES.has(objectName)) {
      level = this.#shared(objectName, record);
      if (obj.viewAll) level = Math.max(level, READ) as AccessLevel;
    } else if (typeof record.OwnerId === 'string') {
      // Notes and documents: the owner has everything; others read (links decide visibility in a real org).
      level = record.OwnerId === this.#perms.userId ? ALL : READ;
    } else {
      level = obj.delete ? DELETE : obj.edit ? EDIT : READ;
    }
    // Object permissions cap what sharing grants (no edit permission, no edit access).
    if (!obj.edit) level = Math.min(level, READ) as AccessLevel;
    else if (!obj.delete && level >= DELETE) level = EDIT;
    return level;
  }

  #shared(objectName: string, record: StoredRecord): AccessLevel {
    if (record.OwnerId === this.#perms.userId) return ALL;
    const model = this.#owd[ACTIVITIES.has(objectName) ? 'Activity' : (objectName as SharingObject)];
    switch (model) {
      case 'Private':
        return NONE;
      case 'Read':
        return READ;
      case 'ReadWrite':
        return EDIT;
      case 'ControlledByParent':
        return ACTIVITIES.has(objectName)
          ? this.#activityFromParents(objectName as 'Event' | 'Task', record)
          : // A contact follows its account; a private contact (no account) is its owner's alone.
            (Math.min(this.#levelOfId(record.AccountId), EDIT) as AccessLevel);
    }
  }

  /**
   * Controlled by Parent: a user who does not own an activity reads it when they can read a record it
   * is related to, and edits or deletes it only with edit access to the records it is related to
   * (its Who and What).
   */
  #activityFromParents(objectName: 'Event' | 'Task', record: StoredRecord): AccessLevel {
    // Who and What first: edit on every one of them is delete on the activity, and read on one of
    // them is read, without the relation rows (the levels are memoised, so the order changes nothing).
    let primaries = 0;
    let allEdit = true;
    let anyRead = false;
    for (const id of [record.WhoId, record.WhatId]) {
      if (typeof id !== 'string') continue;
      primaries++;
      const level = this.#levelOfId(id);
      if (level < EDIT) allEdit = false;
      if (level >= READ) anyRead = true;
    }
    if (primaries > 0 && allEdit) return DELETE;
    if (anyRead) return READ;
    for (const r of this.#relationsOf(objectName, record.Id as string)) {
      if (typeof r.RelationId !== 'string') continue;
      const rel = this.#located(r.RelationId);
      // Invitees (users) are not parents; contacts, leads and What records are.
      if (rel && rel.objectName !== 'User' && this.#levelOfId(r.RelationId) >= READ) return READ;
    }
    return NONE;
  }
}
