/**
 * Event and Task rules: timing fields, the derived AccountId, Who/What restrictions, and the relation
 * rows (EventRelation, TaskRelation) Shared Activities keeps for every related contact, lead and record.
 * Event: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm
 * EventRelation: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventattendee.htm
 * TaskRelation: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_taskrelation.htm
 */
import { ApiError, requiredFieldsMissing } from '../errors.ts';
import type { ObjectSchema, StoredRecord } from '../schema/types.ts';
import type { ObjectRules, RulesModule } from './object-rules.ts';
import type { Org, OrgSettings } from './org.ts';
import type { MutableRecord, Store } from './store.ts';
import { formatDateTime, parseDateTime } from './values.ts';

const MAX_CONTACTS = 50;
const MAX_EVENT_MINUTES = 14 * 24 * 60;
const WHO_TYPES = new Set(['Contact', 'Lead']);
const WHAT_TYPES = new Set(['Account', 'Opportunity']);
const INVITEE_TYPES = new Set(['Contact', 'Lead', 'User']);

type Kind = 'Event' | 'Task';
const RELATION: Record<Kind, { table: string; parent: string }> = {
  Event: { table: 'EventRelation', parent: 'EventId' },
  Task: { table: 'TaskRelation', parent: 'TaskId' },
};

const integrity = (message: string, fields: string[]): ApiError =>
  new ApiError('FIELD_INTEGRITY_EXCEPTION', message, fields);

function typeOf(org: Org, id: unknown): string | undefined {
  return typeof id === 'string' ? org.objectOfId(id) : undefined;
}

/** The account a relation's record belongs to (the relation's AccountId). */
function accountOf(org: Org, id: unknown): string | null {
  const found = org.live(typeof id === 'string' ? id : null);
  if (!found) return null;
  if (found.objectName === 'Account') return found.record.Id as string;
  if (found.objectName === 'Contact' || found.objectName === 'Opportunity')
    return (found.record.AccountId as string | null) ?? null;
  return null;
}

/** AccountId: the What's account (Account, Opportunity), else the Who contact's account, else null. */
function deriveAccountId(org: Org, record: MutableRecord): void {
  const what = org.live(record.WhatId as string | null);
  const who = org.live(record.WhoId as string | null);
  let accountId: unknown = null;
  if (what?.objectName === 'Account') accountId = what.record.Id;
  else if (what?.objectName === 'Opportunity') accountId = what.record.AccountId ?? null;
  else if (who?.objectName === 'Contact') accountId = who.record.AccountId ?? null;
  record.AccountId = (accountId as string | null) ?? null;
}

function checkWhoWhat(org: Org, record: MutableRecord): void {
  const whoType = typeOf(org, record.WhoId);
  if (whoType === 'Lead' && record.WhatId) {
    // A lead can't be related to another record (https://help.salesforce.com/s/articleView?id=sf.activities_fields.htm).
    throw integrity('Related To ID: You can’t relate a lead to another record.', ['WhatId']);
  }
}

function eventTiming(record: MutableRecord, previous: StoredRecord | undefined, changed: Set<string>): void {
  const has = (f: string): boolean => changed.has(f) && record[f] !== null;
  // StartDateTime and ActivityDateTime are one value; whichever was written wins.
  if (has('StartDateTime')) record.ActivityDateTime = record.StartDateTime ?? null;
  else if (has('ActivityDateTime')) record.StartDateTime = record.ActivityDateTime ?? null;
  if (record.IsAllDayEvent === true) {
    if (!record.StartDateTime && record.ActivityDate)
      record.StartDateTime = `${String(record.ActivityDate)}T00:00:00.000+0000`;
    if (!record.StartDateTime) throw requiredFieldsMissing(['ActivityDate']);
    record.ActivityDateTime = record.StartDateTime;
    // "If both fields are null, the duration defaults to one day" (Event.EndDateTime); a field the
    // request left out is as null as one it sent as null.
    if (record.DurationInMinutes == null && record.EndDateTime == null) {
      record.DurationInMinutes = 1440;
      changed.add('DurationInMinutes');
    }
  }
  const start = record.StartDateTime ? parseDateTime(String(record.StartDateTime)) : undefined;
  if (start === undefined) {
    throw requiredFieldsMissing(['StartDateTime']);
  }
  const endGiven = has('EndDateTime');
  const durationGiven = has('DurationInMinutes');
  let minutes: number | undefined;
  if (endGiven) {
    const end = parseDateTime(String(record.EndDateTime))!;
    if (end < start) throw integrity('End Date Time: End time can’t be before start time.', ['EndDateTime']);
    minutes = Math.round((end - start) / 60000);
    if (durationGiven && record.DurationInMinutes !== minutes) {
      throw integrity('Duration: Duration doesn’t match the start and end times.', ['DurationInMinutes']);
    }
  } else if (durationGiven) {
    minutes = Number(record.DurationInMinutes);
  } else if (previous && record.DurationInMinutes !== null) {
    // Moving the start keeps the duration, as the calendar does.
    minutes = Number(record.DurationInMinutes);
  } else if (record.EndDateTime) {
    minutes = Math.round((parseDateTime(String(record.EndDateTime))! - start) / 60000);
  }
  if (minutes === undefined) {
    throw requiredFieldsMissing(['DurationInMinutes']);
  }
  if (minutes < 0) throw integrity('Duration: Duration must be positive.', ['DurationInMinutes']);
  if (minutes > MAX_EVENT_MINUTES)
    throw integrity('Event duration can’t exceed 14 days.', ['DurationInMinutes']);
  record.StartDateTime = formatDateTime(start);
  record.ActivityDateTime = record.StartDateTime;
  record.DurationInMinutes = minutes;
  record.EndDateTime = formatDateTime(start + minutes * 60000);
  record.ActivityDate = record.StartDateTime.slice(0, 10);
  record.EndDate = String(record.EndDateTime).slice(0, 10);
}

function relations(org: Org, kind: Kind, parentId: unknown): MutableRecord[] {
  const { table, parent } = RELATION[kind];
  // The parent lookup's index keeps this independent of how many relation rows the org holds.
  return (
    org.store.rowsWithValue(table, parent, parentId, { includeDeleted: false }) ??
    [...org.store.table(table).values()].filter((r) => r[parent] === parentId && r.IsDeleted !== true)
  );
}

function isParentRelation(kind: Kind, r: StoredRecord): boolean {
  return kind === 'Task' || r.IsParent === true;
}

/** Writes a relation row directly (the Who/What sync must not re-run the relation rules). */
function putRelation(org: Org, kind: Kind, fields: MutableRecord): void {
  const { table } = RELATION[kind];
  // A new row as any insert starts it (EventRelation's Status defaults to New), stored as it is.
  const record: MutableRecord = { ...org.newRow(org.requireSchema(table)), ...fields };
  record.AccountId = accountOf(org, record.RelationId);
  org.store.put(table, record);
}

function recount(org: Org, kind: Kind, parentId: string): void {
  const row = org.store.get(kind, parentId);
  if (!row || row.IsDeleted === true) return;
  const parents = org.settings.sharedActivities
    ? relations(org, kind, parentId).filter((r) => isParentRelation(kind, r))
    : [];
  const whoCount = org.settings.sharedActivities
    ? parents.filter((r) => WHO_TYPES.has(typeOf(org, r.RelationId) ?? '')).length
    : row.WhoId
      ? 1
      : 0;
  const whatCount = row.WhatId ? 1 : 0;
  if (row.WhoCount !== whoCount || row.WhatCount !== whatCount) {
    org.store.put(kind, { ...row, WhoCount: whoCount, WhatCount: whatCount });
  }
}

/** Keeps the relation rows for WhoId and WhatId in step with the activity (Shared Activities only). */
function syncRelations(org: Org, kind: Kind, record: StoredRecord, previous: StoredRecord | undefined): void {
  if (!org.settings.sharedActivities) return;
  const { table, parent } = RELATION[kind];
  const rows = relations(org, kind, record.Id);
  for (const slot of ['WhoId', 'WhatId'] as const) {
    const before = previous?.[slot] ?? null;
    const after = record[slot] ?? null;
    if (before === after) continue;
    if (before) {
      const old = rows.find((r) => r.RelationId === before);
      if (old) {
        if (kind === 'Event' && old.IsInvitee === true) org.store.put(table, { ...old, IsParent: false });
        else org.store.put(table, { ...old, IsDeleted: true, SystemModstamp: org.now() });
      }
    }
    if (after) {
      const existing = rows.find((r) => r.RelationId === after && r.IsDeleted !== true);
      if (existing) {
        if (kind === 'Event' && existing.IsParent !== true)
          org.store.put(table, { ...existing, IsParent: true });
      } else {
        const isWhat = slot === 'WhatId';
        putRelation(org, kind, {
          [parent]: record.Id as string,
          RelationId: after as string,
          IsWhat: isWhat,
          ...(kind === 'Event' ? { IsParent: true, IsInvitee: false } : {}),
        });
      }
    }
  }
}

function activity(kind: Kind): ObjectRules {
  return {
    beforeWrite(org, record, previous, changed) {
      if (kind === 'Event') eventTiming(record, previous, changed);
      else {
        record.IsClosed = record.Status === 'Completed';
        record.IsHighPriority = record.Priority === 'High';
        if (record.IsClosed && !record.CompletedDateTime) record.CompletedDateTime = org.now();
        if (!record.IsClosed) record.CompletedDateTime = null;
      }
      checkWhoWhat(org, record);
      if (kind === 'Event' && record.IsPrivate === true) {
        const linked =
          record.WhoId ||
          record.WhatId ||
          (previous && relations(org, kind, record.Id).some((r) => r.IsParent === true));
        if (linked) throw integrity('You can’t associate a private event with other records.', ['IsPrivate']);
      }
      if (
        org.settings.sharedActivities &&
        changed.has('WhoId') &&
        typeOf(org, record.WhoId) === 'Lead' &&
        previous
      ) {
        const others = relations(org, kind, record.Id).filter(
          (r) =>
            isParentRelation(kind, r) &&
            WHO_TYPES.has(typeOf(org, r.RelationId) ?? '') &&
            r.RelationId !== previous.WhoId,
        );
        if (others.length)
          throw integrity('Name ID: You can’t relate a lead to an activity that has contacts.', ['WhoId']);
      }
      deriveAccountId(org, record);
    },
    afterWrite(org, record, previous) {
      syncRelations(org, kind, record, previous);
      recount(org, kind, record.Id as string);
    },
  };
}

function relationRules(kind: Kind): ObjectRules {
  const { parent } = RELATION[kind];
  return {
    beforeWrite(org, record, previous, changed) {
      if (previous) {
        // Only EventRelation is updatable: its flags may change, within the rules that apply on insert.
        const act = org.live(record[parent] as string);
        if (!act || kind !== 'Event') return;
        const t = typeOf(org, record.RelationId) ?? '';
        checkEventFlags(org, record, previous, t);
        if (record.IsParent === true && previous.IsParent !== true) {
          const others = relations(org, kind, act.record.Id).filter((r) => r.Id !== record.Id);
          checkParent(org, kind, act.record, record, t, others);
        }
        return;
      }
      const act = org.live(record[parent] as string);
      if (!act) throw new ApiError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [parent]);
      const t = typeOf(org, record.RelationId) ?? '';
      const shared = org.settings.sharedActivities;
      if (kind === 'Event') {
        const flagsGiven = changed.has('IsInvitee') || changed.has('IsParent');
        if (!flagsGiven) {
          // A relation inserted without flags is an invitee (IsInvitee defaults to true), unless it is a
          // record that can't be invited (an account or opportunity), which can only be a parent.
          record.IsInvitee = !WHAT_TYPES.has(t);
          if (shared) record.IsParent = WHAT_TYPES.has(t);
        }
        if (!shared && !INVITEE_TYPES.has(t)) {
          throw integrity('Relation ID: id value of incorrect type: ' + String(record.RelationId), [
            'RelationId',
          ]);
        }
        checkEventFlags(org, record, undefined, t);
      }
      if (shared) record.IsWhat = WHAT_TYPES.has(t);
      record.AccountId = accountOf(org, record.RelationId);
      const rows = relations(org, kind, act.record.Id);
      const duplicate = rows.find((r) => r.RelationId === record.RelationId);
      if (duplicate) {
        throw new ApiError(
          'DUPLICATE_VALUE',
          `duplicate value found: RelationId duplicates value on record with id: ${String(duplicate.Id)}`,
          ['RelationId'],
        );
      }
      if (!isParentRelation(kind, record)) return;
      checkParent(org, kind, act.record, record, t, rows);
    },
    afterWrite(org, record, previous) {
      const actId = record[parent] as string;
      const row = org.store.get(kind, actId);
      if (previous && previous.IsParent === true && record.IsParent !== true && row) {
        // No longer a parent: the Who moves to the next related contact, as on delete.
        demote(org, kind, record);
      }
      const becameParent = isParentRelation(kind, record) && (!previous || previous.IsParent !== true);
      if (becameParent && row) {
        const t = typeOf(org, record.RelationId) ?? '';
        const update: MutableRecord = { ...row };
        if (WHO_TYPES.has(t) && !row.WhoId) update.WhoId = record.RelationId as string;
        if (WHAT_TYPES.has(t) && !row.WhatId) update.WhatId = record.RelationId as string;
        if (update.WhoId !== row.WhoId || update.WhatId !== row.WhatId) {
          deriveAccountId(org, update);
          org.store.put(kind, update);
        }
      }
      recount(org, kind, actId);
    },
    beforeDelete(org, record) {
      demote(org, kind, record);
    },
  };
}

/** A relation stops being a parent (deleted, or IsParent cleared): promote the next Who, clear the What. */
function demote(org: Org, kind: Kind, record: StoredRecord): void {
  const { parent } = RELATION[kind];
  const actId = record[parent] as string;
  const row = org.store.get(kind, actId);
  if (!row || row.IsDeleted === true) return;
  const update: MutableRecord = { ...row };
  const otherWhos = relations(org, kind, actId).filter(
    (r) => r.Id !== record.Id && isParentRelation(kind, r) && WHO_TYPES.has(typeOf(org, r.RelationId) ?? ''),
  );
  // The next related contact, if any, becomes the Who (EventWhoIds promotion).
  if (row.WhoId === record.RelationId)
    update.WhoId = (otherWhos[0]?.RelationId as string | undefined) ?? null;
  if (row.WhatId === record.RelationId) update.WhatId = null;
  deriveAccountId(org, update);
  org.store.put(kind, { ...update, WhoCount: otherWhos.length, WhatCount: update.WhatId ? 1 : 0 });
}

/**
 * EventRelation's flags, on insert and update alike: only people can be invitees, a relation is an
 * invitee or a parent (with Shared Activities), and a user never becomes a parent.
 */
function checkEventFlags(
  org: Org,
  record: StoredRecord,
  previous: StoredRecord | undefined,
  t: string,
): void {
  if (record.IsInvitee === true && !INVITEE_TYPES.has(t)) {
    throw integrity('Relation ID: Only users, contacts and leads can be invitees.', ['RelationId']);
  }
  if (org.settings.sharedActivities && record.IsInvitee !== true && record.IsParent !== true) {
    throw integrity('An event relation must be an invitee, a parent, or both.', ['IsInvitee', 'IsParent']);
  }
  if (record.IsParent === true && previous?.IsParent !== true && t === 'User') {
    throw integrity('Relation ID: A user can’t be related to an event as its parent.', ['RelationId']);
  }
}

/** The limits on an activity's parent relations (who and what), checked when a relation becomes one. */
function checkParent(
  org: Org,
  kind: Kind,
  act: StoredRecord,
  record: StoredRecord,
  t: string,
  rows: StoredRecord[],
): void {
  const shared = org.settings.sharedActivities;
  if (kind === 'Event' && act.IsPrivate === true) {
    throw integrity('You can’t associate a private event with other records.', ['RelationId']);
  }
  const whoParents = rows.filter(
    (r) => isParentRelation(kind, r) && WHO_TYPES.has(typeOf(org, r.RelationId) ?? ''),
  );
  if (WHAT_TYPES.has(t)) {
    if (act.WhatId && act.WhatId !== record.RelationId) {
      throw integrity('Related To ID: An activity can be related to only one record.', ['RelationId']);
    }
    if (whoParents.some((r) => typeOf(org, r.RelationId) === 'Lead')) {
      throw integrity('Related To ID: You can’t relate a lead to another record.', ['RelationId']);
    }
  } else if (t === 'Lead') {
    if (whoParents.length)
      throw integrity('Relation ID: An activity can be related to only one lead and no contacts.', [
        'RelationId',
      ]);
    if (act.WhatId)
      throw integrity('Related To ID: You can’t relate a lead to another record.', ['RelationId']);
  } else if (t === 'Contact') {
    if (whoParents.some((r) => typeOf(org, r.RelationId) === 'Lead')) {
      throw integrity('Relation ID: An activity can be related to only one lead and no contacts.', [
        'RelationId',
      ]);
    }
    if (!shared && whoParents.length >= 1) {
      throw integrity(
        'Relation ID: Without Shared Activities an activity can be related to only one contact.',
        ['RelationId'],
      );
    }
    if (whoParents.length >= MAX_CONTACTS) {
      throw integrity(`Relation ID: An activity can be related to up to ${MAX_CONTACTS} contacts.`, [
        'RelationId',
      ]);
    }
  }
}

/**
 * Without Shared Activities, EventRelation holds invitees only (no IsParent/IsWhat), and TaskRelation
 * and the Who-relation views do not exist
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventattendee.htm).
 */
function withoutSharedActivities(schemas: ObjectSchema[], settings: OrgSettings): ObjectSchema[] {
  if (settings.sharedActivities) return schemas;
  const absent = new Set(['TaskRelation', 'EventWhoRelation', 'TaskWhoRelation']);
  return schemas
    .filter((s) => !absent.has(s.name))
    .map((s) => ({
      ...s,
      fields:
        s.name === 'EventRelation'
          ? s.fields.filter((f) => f.name !== 'IsParent' && f.name !== 'IsWhat')
          : s.fields,
      childRelationships: s.childRelationships.filter((c) => !absent.has(c.childSObject)),
    }));
}

function* whoView(
  store: Store,
  table: string,
  parentField: string,
  includeDeleted: boolean,
): Iterable<StoredRecord> {
  for (const r of store.table(table).values()) {
    if (!includeDeleted && r.IsDeleted === true) continue;
    if (r.IsWhat === true) continue;
    const rel = store.byId(String(r.RelationId));
    if (!rel || (rel.objectName !== 'Contact' && rel.objectName !== 'Lead')) continue;
    if (table === 'EventRelation' && r.IsParent !== true) continue;
    yield {
      Id: r.Id as string,
      IsDeleted: r.IsDeleted as boolean,
      [parentField]: r[parentField] as string,
      RelationId: r.RelationId as string,
      AccountId: (r.AccountId as string | null) ?? null,
      Type: rel.objectName,
      CreatedDate: r.CreatedDate as string,
      CreatedById: r.CreatedById as string,
      LastModifiedDate: r.LastModifiedDate as string,
      LastModifiedById: r.LastModifiedById as string,
      SystemModstamp: r.SystemModstamp as string,
    };
  }
}

export function activityRules(): RulesModule {
  return {
    objects: {
      Event: activity('Event'),
      Task: activity('Task'),
      EventRelation: relationRules('Event'),
      TaskRelation: relationRules('Task'),
      EventWhoRelation: { view: (store, del) => whoView(store, 'EventRelation', 'EventId', del) },
      TaskWhoRelation: { view: (store, del) => whoView(store, 'TaskRelation', 'TaskId', del) },
    },
    shapeSchemas: withoutSharedActivities,
  };
}
