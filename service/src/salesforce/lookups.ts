/**
 * Everything the sync needs to read from the org, in as few calls as the platform allows:
 * 1. one composite call (≤ 5 queries + row reads) for the people and records a meeting may link to —
 *    Users, Contacts (queryAll: hand-picked ids that sit in the recycle bin are reported `deleted`),
 *    Leads, the hand-picked Account and Opportunity — and for what this meeting already wrote
 *    (Event and Task by the meeting's reference, queryAll so a person's deletion is seen);
 * 2. only when something was already written: one composite call for its relations and note links.
 * The workspace's opportunity rule adds one query to call 1 (rule-lookups.ts). A composite request
 * holds at most 5 queries, so the Task is read by its id when the store knows it, and for a meeting
 * never written it is only searched for when its Event turns up (a crash after the write).
 * Query and QueryAll: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
 */
import type { Connection } from 'jsforce';
import type {
  ContactRecord,
  CrmSnapshot,
  LeadRecord,
  PickedRecord,
  UserRecord,
} from '../associations/snapshot.ts';
import { normalizeEmail, sameSalesforceId } from '../associations/emails.ts';
import { externalParticipants, pickedContactIds, userLookupEmails } from '../associations/participants.ts';
import type { Meeting } from '../meetings/schema.ts';
import type { OrgProfile } from '../domain/org-profile.ts';
import type { AssociationSettings } from '../settings/association-settings.ts';
import type { CallCounter, SubResponse, Subrequest } from './composite.ts';
import {
  COMPOSITE_MAX_QUERIES,
  composite,
  queryUrl,
  segment,
  subError,
  subrequestError,
} from './composite.ts';
import { opportunityQueryFor, parseOpportunities } from './rule-lookups.ts';
import { identifier, soql } from './soql.ts';

/** An Event or Task this meeting wrote earlier, as found in the org. */
export interface FoundActivity {
  readonly id: string;
  readonly isDeleted: boolean;
  readonly whoId: string | null;
  readonly whatId: string | null;
  readonly description: string | null;
}

export interface MeetingLookup {
  readonly snapshot: CrmSnapshot;
  readonly event: FoundActivity | null;
  readonly task: FoundActivity | null;
}

export interface RelationRow {
  readonly id: string;
  readonly relationId: string;
}

export interface NoteLinkRow {
  readonly id: string;
  readonly noteId: string;
  readonly linkedEntityId: string;
}

export interface ExistingDetail {
  /** Contact/lead relations of the Event (IsParent, not the WhatId); empty without Shared Activities. */
  readonly eventRelations: readonly RelationRow[];
  readonly taskRelations: readonly RelationRow[];
  /** The summary note, when it still exists, with its links to the Event and records. */
  readonly note: { readonly id: string; readonly links: readonly NoteLinkRow[] } | null;
}

export type Row = Record<string, unknown>;

export function records(response: SubResponse | undefined, referenceId: string): Row[] {
  const error = subError(response);
  if (error !== null) throw subrequestError(referenceId, response);
  const body = response?.body as { records?: unknown } | undefined;
  return Array.isArray(body?.records) ? (body.records as Row[]) : [];
}

export const str = (row: Row, key: string): string | null => {
  const v = row[key];
  return typeof v === 'string' ? v : null;
};

/**
 * How the Event and the task are found again. With the package: its meeting-id field. Without it:
 * the meeting's reference (plan/marker.ts) in a standard, filterable text field the product otherwise
 * leaves alone — Event.Location and Task.CallObject
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm).
 */
export function referenceField(
  org: OrgProfile,
  kind: 'Event' | 'Task',
): { field: string; byMeetingId: boolean } {
  if (org.packageFields.meetingId !== undefined)
    return { field: org.packageFields.meetingId, byMeetingId: true };
  return { field: kind === 'Event' ? 'Location' : 'CallObject', byMeetingId: false };
}

export function activityQuery(
  org: OrgProfile,
  kind: 'Event' | 'Task',
  meetingId: string,
  marker: string,
): string {
  const { field, byMeetingId } = referenceField(org, kind);
  const value = byMeetingId ? meetingId : marker;
  const object = identifier(kind);
  const column = identifier(field);
  return soql`SELECT Id, IsDeleted, WhoId, WhatId, Description, ${column} FROM ${object} WHERE ${column} = ${value} ORDER BY CreatedDate ASC, Id ASC LIMIT 50`;
}

/**
 * The live record first (the one the sync keeps using), else the oldest deleted one. SOQL's `=` on a
 * text field ignores case (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm)
 * while Salescaling ids are case-sensitive: only rows holding exactly this meeting's value count, so
 * `MTG_1` never takes `mtg_1`'s records (issue 14 item 2).
 */
function pickActivity(
  rows: readonly Row[],
  previousId: string | null,
  field: string,
  value: string,
): FoundActivity | null {
  const found = rows
    .filter((r) => r[field] === value)
    .map((r) => ({
      id: str(r, 'Id') ?? '',
      isDeleted: r['IsDeleted'] === true,
      whoId: str(r, 'WhoId'),
      whatId: str(r, 'WhatId'),
      description: str(r, 'Description'),
    }));
  const live = found.filter((f) => !f.isDeleted);
  const preferred = previousId === null ? undefined : live.find((f) => sameSalesforceId(f.id, previousId));
  return preferred ?? live[0] ?? found[0] ?? null;
}

/**
 * The Task read by its id. In the recycle bin (ENTITY_IS_DELETED) it reads as a deleted row, as the
 * queryAll search would show it; neither visible nor in the recycle bin (NOT_FOUND: hidden by
 * sharing, or purged) reads as no row, which the sync reports as not accessible rather than deleted.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
function taskRow(response: SubResponse | undefined, id: string, field: string, value: string): Row[] {
  const error = subError(response);
  if (error === null) return [(response?.body ?? {}) as Row];
  if (error.errorCode === 'ENTITY_IS_DELETED') return [{ Id: id, IsDeleted: true, [field]: value }];
  if (error.errorCode === 'NOT_FOUND') return [];
  throw subrequestError(`task ${id}`, response);
}

export function picked(response: SubResponse | undefined, id: string, referenceId: string): PickedRecord {
  const error = subError(response);
  if (error === null) {
    const body = (response?.body ?? {}) as Row;
    return { id: str(body, 'Id') ?? id, state: 'found', accountId: str(body, 'AccountId') };
  }
  if (error.errorCode === 'ENTITY_IS_DELETED') return { id, state: 'deleted' };
  if (
    ['NOT_FOUND', 'MALFORMED_ID', 'INVALID_ID_FIELD', 'INVALID_CROSS_REFERENCE_KEY'].includes(error.errorCode)
  ) {
    return { id, state: 'not_found' };
  }
  throw subrequestError(referenceId, response);
}

/**
 * Call 1. For a delete (`meeting` null) only the written records are looked up.
 */
export async function lookUpMeeting(
  conn: Connection,
  counter: CallCounter,
  org: OrgProfile,
  meetingId: string,
  marker: string,
  meeting: Meeting | null,
  previous: { eventId: string | null; taskId: string | null } | null,
  settings?: AssociationSettings,
): Promise<MeetingLookup> {
  const tasksQuery: Subrequest = {
    method: 'GET',
    referenceId: 'tasks',
    url: queryUrl(activityQuery(org, 'Task', meetingId, marker), true),
  };
  const knownTaskId = previous?.taskId ?? null;
  const neverWritten = (previous?.eventId ?? null) === null && knownTaskId === null;
  const subs: Subrequest[] = [
    {
      method: 'GET',
      referenceId: 'events',
      url: queryUrl(activityQuery(org, 'Event', meetingId, marker), true),
    },
  ];
  if (knownTaskId !== null) {
    subs.push({
      method: 'GET',
      referenceId: 'task',
      // with the reference field, which pickActivity matches case-sensitively
      url: `/sobjects/Task/${segment(knownTaskId)}?fields=Id,IsDeleted,WhoId,WhatId,Description,${referenceField(org, 'Task').field}`,
    });
  } else if (!neverWritten) subs.push(tasksQuery);
  const emails = meeting === null ? [] : externalParticipants(meeting).emails;
  const userEmails = meeting === null ? [] : userLookupEmails(meeting);
  const pickedContacts = meeting === null ? [] : pickedContactIds(meeting).ids;
  const accountId = meeting?.associations?.accountId;
  const opportunityId = meeting?.associations?.opportunityId;
  if (userEmails.length > 0) {
    subs.push({
      method: 'GET',
      referenceId: 'users',
      url: queryUrl(soql`SELECT Id, Email, IsActive FROM User WHERE Email IN ${userEmails}`),
    });
  }
  if (emails.length > 0 || pickedContacts.length > 0) {
    const where =
      emails.length > 0 && pickedContacts.length > 0
        ? soql`Email IN ${emails} OR Id IN ${pickedContacts}`
        : emails.length > 0
          ? soql`Email IN ${emails}`
          : soql`Id IN ${pickedContacts}`;
    subs.push({
      method: 'GET',
      referenceId: 'contacts',
      url: queryUrl(
        `SELECT Id, Email, AccountId, LastModifiedDate, IsDeleted FROM Contact WHERE ${where}`,
        true,
      ),
    });
  }
  if (emails.length > 0) {
    subs.push({
      method: 'GET',
      referenceId: 'leads',
      url: queryUrl(
        soql`SELECT Id, Email, LastModifiedDate FROM Lead WHERE Email IN ${emails} AND IsConverted = false`,
      ),
    });
  }
  // Row reads, not queries: they do not count against the composite's five queries.
  if (accountId !== undefined) {
    subs.push({
      method: 'GET',
      referenceId: 'account',
      url: `/sobjects/Account/${segment(accountId)}?fields=Id`,
    });
  }
  if (opportunityId !== undefined) {
    subs.push({
      method: 'GET',
      referenceId: 'opportunity',
      url: `/sobjects/Opportunity/${segment(opportunityId)}?fields=Id,AccountId`,
    });
  }

  const opportunityQuery =
    meeting === null || settings === undefined ? null : opportunityQueryFor(meeting, settings);
  const queries = subs.filter((sub) => sub.url.startsWith('/query')).length;
  if (opportunityQuery !== null && queries < COMPOSITE_MAX_QUERIES) {
    subs.push({ method: 'GET', referenceId: 'ruleOpportunities', url: queryUrl(opportunityQuery) });
  }

  const responses = await composite(conn, counter, subs);
  const eventRows = records(responses.get('events'), 'events');
  let taskRows: Row[];
  if (responses.has('task')) {
    const ref = referenceField(org, 'Task');
    taskRows = taskRow(
      responses.get('task'),
      knownTaskId ?? '',
      ref.field,
      ref.byMeetingId ? meetingId : marker,
    );
  } else if (responses.has('tasks')) {
    taskRows = records(responses.get('tasks'), 'tasks');
  } else if (eventRows.length > 0) {
    // Written before its ids were kept (a crash after the write): find the Task the same way.
    taskRows = records((await composite(conn, counter, [tasksQuery])).get('tasks'), 'tasks');
  } else taskRows = [];
  return assembleLookup(org, meetingId, marker, previous, {
    events: eventRows,
    tasks: taskRows,
    users: responses.has('users') ? records(responses.get('users'), 'users') : [],
    contacts: responses.has('contacts') ? records(responses.get('contacts'), 'contacts') : [],
    leads: responses.has('leads') ? records(responses.get('leads'), 'leads') : [],
    ...(responses.has('ruleOpportunities')
      ? { opportunities: records(responses.get('ruleOpportunities'), 'ruleOpportunities') }
      : {}),
    ...(accountId === undefined ? {} : { account: picked(responses.get('account'), accountId, 'account') }),
    ...(opportunityId === undefined
      ? {}
      : { opportunity: picked(responses.get('opportunity'), opportunityId, 'opportunity') }),
  });
}

/** The rows one meeting's look-up found, from its own call or filtered from a batch's (batch-lookups.ts). */
export interface LookupRows {
  readonly events: readonly Row[];
  readonly tasks: readonly Row[];
  readonly users: readonly Row[];
  readonly contacts: readonly Row[];
  readonly leads: readonly Row[];
  /** The opportunity rule's open Opportunities; absent when not looked up. */
  readonly opportunities?: readonly Row[];
  readonly account?: PickedRecord;
  readonly opportunity?: PickedRecord;
}

/** What one meeting found, from its rows: the lone and the batched look-up share this. */
export function assembleLookup(
  org: OrgProfile,
  meetingId: string,
  marker: string,
  previous: { eventId: string | null; taskId: string | null } | null,
  rows: LookupRows,
): MeetingLookup {
  const users: UserRecord[] = rows.users.map((r) => ({
    id: str(r, 'Id') ?? '',
    email: str(r, 'Email') ?? '',
    isActive: r['IsActive'] === true,
  }));
  const contacts: ContactRecord[] = rows.contacts.map((r) => ({
    id: str(r, 'Id') ?? '',
    email: normalizeEmail(str(r, 'Email')),
    accountId: str(r, 'AccountId'),
    lastModified: str(r, 'LastModifiedDate') ?? '',
    isDeleted: r['IsDeleted'] === true,
  }));
  const leads: LeadRecord[] = rows.leads.map((r) => ({
    id: str(r, 'Id') ?? '',
    email: normalizeEmail(str(r, 'Email')),
    lastModified: str(r, 'LastModifiedDate') ?? '',
  }));
  const snapshot: CrmSnapshot = {
    users,
    contacts,
    leads,
    sharedActivities: org.sharedActivities,
    ...(rows.opportunities === undefined
      ? {}
      : { opportunities: parseOpportunities([...rows.opportunities]) }),
    ...(rows.account === undefined ? {} : { account: rows.account }),
    ...(rows.opportunity === undefined ? {} : { opportunity: rows.opportunity }),
  };
  const eventRef = referenceField(org, 'Event');
  const taskRef = referenceField(org, 'Task');
  return {
    snapshot,
    event: pickActivity(
      rows.events,
      previous?.eventId ?? null,
      eventRef.field,
      eventRef.byMeetingId ? meetingId : marker,
    ),
    task: pickActivity(
      rows.tasks,
      previous?.taskId ?? null,
      taskRef.field,
      taskRef.byMeetingId ? meetingId : marker,
    ),
  };
}

/**
 * Call 2, only for a meeting already written: the Event's and task's relations and the note's links.
 * ContentDocumentLink must be filtered by ContentDocumentId or LinkedEntityId
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentdocumentlink.htm).
 * Without a known note id, the note is the document linked to the Event (several: the one linked to
 * most of the meeting's records, then the lowest id).
 */
export async function lookUpExisting(
  conn: Connection,
  counter: CallCounter,
  org: OrgProfile,
  eventId: string | null,
  taskId: string | null,
  knownNoteId: string | null,
  candidateLinkIds: readonly string[],
): Promise<ExistingDetail> {
  const subs: Subrequest[] = [];
  if (org.sharedActivities && eventId !== null) {
    subs.push({
      method: 'GET',
      referenceId: 'eventRelations',
      url: queryUrl(
        soql`SELECT Id, RelationId, IsParent, IsWhat FROM EventRelation WHERE EventId = ${eventId}`,
      ),
    });
  }
  if (org.sharedActivities && taskId !== null) {
    subs.push({
      method: 'GET',
      referenceId: 'taskRelations',
      url: queryUrl(soql`SELECT Id, RelationId, IsWhat FROM TaskRelation WHERE TaskId = ${taskId}`),
    });
  }
  if (knownNoteId !== null) {
    subs.push({
      method: 'GET',
      referenceId: 'noteLinks',
      url: queryUrl(
        soql`SELECT Id, ContentDocumentId, LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = ${knownNoteId}`,
      ),
    });
  } else if (eventId !== null) {
    const ids = [...new Set([eventId, ...candidateLinkIds])];
    subs.push({
      method: 'GET',
      referenceId: 'entityLinks',
      url: queryUrl(
        soql`SELECT Id, ContentDocumentId, LinkedEntityId FROM ContentDocumentLink WHERE LinkedEntityId IN ${ids}`,
      ),
    });
  }
  if (subs.length === 0) return { eventRelations: [], taskRelations: [], note: null };
  const responses = await composite(conn, counter, subs);
  const rowsOf = (ref: string): Row[] | undefined =>
    responses.has(ref) ? records(responses.get(ref), ref) : undefined;
  return assembleExisting(eventId, knownNoteId, {
    eventRelations: rowsOf('eventRelations'),
    taskRelations: rowsOf('taskRelations'),
    noteLinks: rowsOf('noteLinks'),
    entityLinks: rowsOf('entityLinks'),
  });
}

/** The relations and note links one meeting's records hold (undefined: not asked). */
export interface ExistingRows {
  readonly eventRelations: readonly Row[] | undefined;
  readonly taskRelations: readonly Row[] | undefined;
  readonly noteLinks: readonly Row[] | undefined;
  readonly entityLinks: readonly Row[] | undefined;
}

/** One meeting's existing detail from its rows: the lone and the batched look-up share this. */
export function assembleExisting(
  eventId: string | null,
  knownNoteId: string | null,
  rows: ExistingRows,
): ExistingDetail {
  const relations = (found: readonly Row[] | undefined, parentOnly: boolean): RelationRow[] =>
    (found ?? [])
      .filter((r) => r['IsWhat'] !== true && (!parentOnly || r['IsParent'] === true))
      .map((r) => ({ id: str(r, 'Id') ?? '', relationId: str(r, 'RelationId') ?? '' }));
  const toLinks = (found: readonly Row[]): NoteLinkRow[] =>
    found.map((r) => ({
      id: str(r, 'Id') ?? '',
      noteId: str(r, 'ContentDocumentId') ?? '',
      linkedEntityId: str(r, 'LinkedEntityId') ?? '',
    }));

  let note: ExistingDetail['note'] = null;
  if (rows.noteLinks !== undefined) {
    const links = toLinks(rows.noteLinks);
    // A living document always keeps at least its owner's link; none means it was deleted.
    if (knownNoteId !== null && links.length > 0) note = { id: links[0]?.noteId ?? knownNoteId, links };
  } else if (rows.entityLinks !== undefined && eventId !== null) {
    const links = toLinks(rows.entityLinks);
    const onEvent = [
      ...new Set(links.filter((l) => sameSalesforceId(l.linkedEntityId, eventId)).map((l) => l.noteId)),
    ];
    const score = (id: string): number => links.filter((l) => l.noteId === id).length;
    onEvent.sort((a, b) => score(b) - score(a) || (a < b ? -1 : a > b ? 1 : 0));
    const id = onEvent[0];
    if (id !== undefined) note = { id, links: links.filter((l) => l.noteId === id) };
  }
  return {
    eventRelations: relations(rows.eventRelations, true),
    taskRelations: relations(rows.taskRelations, false),
    note,
  };
}
