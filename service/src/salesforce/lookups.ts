/**
 * Everything the sync needs to read from the org, in as few calls as the platform allows:
 * 1. one composite call (≤ 5 queries + row reads) for the people and records a meeting may link to —
 *    (its Event query also reads the owner's Events overlapping a new meeting: eventQuery) —
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
import type { CalendarEventRecord } from '../associations/calendar-match.ts';
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
  /** Event only: its Subject and last modifier, to tell a person's edit (plan/person-edits.ts). */
  readonly subject?: string | null;
  readonly lastModifiedById?: string | null;
}

export interface MeetingLookup {
  readonly snapshot: CrmSnapshot;
  readonly event: FoundActivity | null;
  readonly task: FoundActivity | null;
  /**
   * Events of the meeting's time window that another tool may have written (calendar-match.ts):
   * looked for only for a meeting that has no Event yet and with the workspace's enrichment on.
   */
  readonly calendarEvents: readonly CalendarEventRecord[];
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
  /**
   * The Event's other contact, lead and user relations (invitees, IsParent false): a calendar tool's
   * attendees, never removed by the sync. Empty without Shared Activities.
   */
  readonly eventInvitees?: readonly RelationRow[];
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

/** Rows read per Event query: the meeting's own Events and the owner's overlapping ones. */
export const EVENT_LOOKUP_LIMIT = 100;

/**
 * The Event query of call 1. It finds the meeting's own Event (by its reference, or by the id the
 * store kept for an Event it enriched, which carries no reference without the package) and, when
 * `window` is given, the owner's Events overlapping the meeting (calendar-match.ts). Both ride in one
 * query because call 1 already holds the five queries a composite request allows. The owner filter
 * reads the Event's polymorphic Owner (User or Calendar) through the Name object, whose Email is
 * filterable (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_name.htm,
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_and_polymorph_keys.htm);
 * the connected user stands for an organizer who is no Salesforce User, as for our own Events.
 * The window asks only Events no meeting has taken (the meeting-id field empty: calendar-match.ts
 * never picks the others), and its rows sort after the meeting's own (NULLS LAST,
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm),
 * so a busy calendar never pushes the meeting's own Event past the LIMIT (which would write it twice).
 */
export function eventQuery(
  org: OrgProfile,
  meetingId: string,
  marker: string,
  enrichedId: string | null,
  window: CalendarWindow | null,
): string {
  const { field, byMeetingId } = referenceField(org, 'Event');
  const value = byMeetingId ? meetingId : marker;
  const column = identifier(field);
  const conditions = [soql`${column} = ${value}`];
  if (enrichedId !== null) conditions.push(soql`Id = ${enrichedId}`);
  if (window !== null) {
    const owner =
      window.organizer === null
        ? soql`OwnerId = ${org.connectedUserId}`
        : soql`(Owner.Email = ${window.organizer} OR OwnerId = ${org.connectedUserId})`;
    // Datetime literals are unquoted in SOQL: built from Date, never from the caller's text.
    conditions.push(`(${windowCondition(org, window.start, window.end)} AND ${owner})`);
  }
  const order = window === null ? '' : soql`${column} ASC NULLS LAST, `;
  return `${eventSelect(org)} WHERE ${conditions.join(' OR ')} ORDER BY ${order}CreatedDate ASC, Id ASC${soql` LIMIT ${EVENT_LOOKUP_LIMIT}`}`;
}

/** Untaken Events overlapping start..end (the owner condition is the caller's). */
export function windowCondition(org: OrgProfile, start: string, end: string): string {
  const column = identifier(referenceField(org, 'Event').field);
  // Datetime literals are unquoted in SOQL: built from Date, never from the caller's text.
  return `StartDateTime < ${soqlDateTime(end)} AND EndDateTime > ${soqlDateTime(start)} AND IsDeleted = false AND ${soql`${column} = null`}`;
}

/**
 * The Event fields call 1 reads, alone or in a batch (batch-lookups.ts): a person's edit
 * (Subject, LastModifiedById), a calendar candidate's shape, and what `eventRowsFor` needs to tell
 * one meeting's rows from a batch's (CreatedDate for the order, the Owner's Email for the window).
 */
export function eventSelect(org: OrgProfile): string {
  const column = identifier(referenceField(org, 'Event').field);
  return soql`SELECT Id, IsDeleted, WhoId, WhatId, Description, Subject, LastModifiedById, OwnerId, Owner.Email, CreatedDate, StartDateTime, EndDateTime, IsPrivate, IsChild, ${column}, (SELECT RelationId FROM EventRelations) FROM Event`;
}

/** The time window and organizer of a new meeting whose calendar tool's Event is looked for. */
export interface CalendarWindow {
  readonly start: string;
  readonly end: string;
  readonly organizer: string | null;
}

/**
 * Only a meeting without an Event yet looks for a calendar tool's (calendar-match.ts), and only
 * with the package: its meeting-id field is what marks an Event as enriched, so that no second
 * meeting enriches it too; without it, the tool's Location would have to be overwritten.
 */
export function calendarWindow(
  org: OrgProfile,
  meeting: Meeting | null,
  previous: { eventId: string | null } | null,
  settings: AssociationSettings | undefined,
): CalendarWindow | null {
  if (
    meeting === null ||
    settings?.calendarEventEnrichment.enabled !== true ||
    org.packageFields.meetingId === undefined ||
    (previous?.eventId ?? null) !== null
  )
    return null;
  return {
    start: meeting.startedAt,
    end: new Date(
      Math.max(Date.parse(meeting.endedAt), Date.parse(meeting.startedAt) + 60_000),
    ).toISOString(),
    organizer: normalizeEmail(meeting.organizer.email),
  };
}

/** The id of the Event the store remembers as enriched (found by id, not only by reference). */
export function enrichedIdOf(
  previous: { eventId: string | null; eventEnriched?: boolean } | null,
): string | null {
  return previous?.eventEnriched === true ? (previous.eventId ?? null) : null;
}

/** Whether a row meets the window condition of `eventQuery`, read in memory (same bounds, same owner test). */
function inWindow(row: Row, window: CalendarWindow, org: OrgProfile): boolean {
  if (row['IsDeleted'] === true || str(row, referenceField(org, 'Event').field) !== null) return false;
  const start = Date.parse(str(row, 'StartDateTime') ?? '');
  const end = Date.parse(str(row, 'EndDateTime') ?? '');
  if (!(start < Date.parse(soqlDateTime(window.end)) && end > Date.parse(soqlDateTime(window.start))))
    return false;
  if (sameSalesforceId(str(row, 'OwnerId') ?? '', org.connectedUserId)) return true;
  const owner = row['Owner'] as Row | null | undefined;
  // SOQL's `=` on an email ignores case; normalizeEmail lower-cases both sides alike.
  return (
    window.organizer !== null && owner != null && normalizeEmail(str(owner, 'Email')) === window.organizer
  );
}

/** As `eventQuery` orders its rows: (with a window) those with a reference first, then (CreatedDate, Id). */
function byCreated(field: string | null, a: Row, b: Row): number {
  const ra = field !== null && str(a, field) === null ? 1 : 0;
  const rb = field !== null && str(b, field) === null ? 1 : 0;
  if (ra !== rb) return ra - rb;
  const ca = Date.parse(str(a, 'CreatedDate') ?? '');
  const cb = Date.parse(str(b, 'CreatedDate') ?? '');
  if (ca !== cb) return ca < cb ? -1 : 1;
  const ia = str(a, 'Id') ?? '';
  const ib = str(b, 'Id') ?? '';
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/**
 * From a batch's Event rows, exactly those one meeting's own `eventQuery` would answer: its reference
 * (SOQL's `=` ignores case), the remembered enriched id, or its calendar window; in the query's
 * order and within its LIMIT.
 */
export function eventRowsFor(
  org: OrgProfile,
  meetingId: string,
  marker: string,
  enrichedId: string | null,
  window: CalendarWindow | null,
  rows: readonly Row[],
): Row[] {
  const { field, byMeetingId } = referenceField(org, 'Event');
  const value = (byMeetingId ? meetingId : marker).toLowerCase();
  return rows
    .filter(
      (r) =>
        str(r, field)?.toLowerCase() === value ||
        (enrichedId !== null && sameSalesforceId(str(r, 'Id') ?? '', enrichedId)) ||
        (window !== null && inWindow(r, window, org)),
    )
    .sort((a, b) => byCreated(window === null ? null : field, a, b))
    .slice(0, EVENT_LOOKUP_LIMIT);
}

/** A SOQL dateTime literal (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm). */
export function soqlDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not a date-time: ${iso}`);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Events of the window that are not this meeting's own, as calendar-match.ts reads them. */
function calendarEventsOf(rows: Row[], field: string, byMeetingId: boolean): CalendarEventRecord[] {
  return rows.map((r) => {
    const reference = str(r, field);
    const relations = r['EventRelations'] as { records?: unknown } | null | undefined;
    return {
      id: str(r, 'Id') ?? '',
      ownerId: str(r, 'OwnerId'),
      subject: str(r, 'Subject'),
      start: str(r, 'StartDateTime'),
      end: str(r, 'EndDateTime'),
      isPrivate: r['IsPrivate'] === true,
      isChild: r['IsChild'] === true,
      isDeleted: r['IsDeleted'] === true,
      whoId: str(r, 'WhoId'),
      whatId: str(r, 'WhatId'),
      // Without the package, Location is a person's text: only our own reference marks it as ours.
      salescalingId: byMeetingId
        ? reference
        : reference !== null && reference.startsWith('salescaling:')
          ? reference
          : null,
      relationIds: (Array.isArray(relations?.records) ? (relations.records as Row[]) : []).flatMap(
        (x) => str(x, 'RelationId') ?? [],
      ),
    };
  });
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
  enrichedId: string | null = null,
): FoundActivity | null {
  const found = rows
    .filter(
      (r) => r[field] === value || (enrichedId !== null && sameSalesforceId(str(r, 'Id') ?? '', enrichedId)),
    )
    .map((r) => ({
      id: str(r, 'Id') ?? '',
      isDeleted: r['IsDeleted'] === true,
      whoId: str(r, 'WhoId'),
      whatId: str(r, 'WhatId'),
      description: str(r, 'Description'),
      ...('Subject' in r ? { subject: str(r, 'Subject') } : {}),
      ...('LastModifiedById' in r ? { lastModifiedById: str(r, 'LastModifiedById') } : {}),
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
  previous: { eventId: string | null; taskId: string | null; eventEnriched?: boolean } | null,
  settings?: AssociationSettings,
): Promise<MeetingLookup> {
  const enrichedId = enrichedIdOf(previous);
  const window = calendarWindow(org, meeting, previous, settings);
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
      url: queryUrl(eventQuery(org, meetingId, marker, enrichedId, window), true),
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
  const eventRef = referenceField(org, 'Event');
  const eventValue = eventRef.byMeetingId ? meetingId : marker;
  const ownRow = (r: Row): boolean =>
    r[eventRef.field] === eventValue ||
    (enrichedId !== null && sameSalesforceId(str(r, 'Id') ?? '', enrichedId));
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
  } else if (eventRows.some(ownRow)) {
    // Written before its ids were kept (a crash after the write): find the Task the same way.
    taskRows = records((await composite(conn, counter, [tasksQuery])).get('tasks'), 'tasks');
  } else taskRows = [];
  return assembleLookup(org, meetingId, marker, previous, window, {
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
  previous: { eventId: string | null; taskId: string | null; eventEnriched?: boolean } | null,
  window: CalendarWindow | null,
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
  const eventValue = eventRef.byMeetingId ? meetingId : marker;
  const enrichedId = enrichedIdOf(previous);
  const ownRow = (r: Row): boolean =>
    r[eventRef.field] === eventValue ||
    (enrichedId !== null && sameSalesforceId(str(r, 'Id') ?? '', enrichedId));
  return {
    snapshot,
    calendarEvents:
      window === null
        ? []
        : calendarEventsOf(
            rows.events.filter((r) => !ownRow(r) && inWindow(r, window, org)),
            eventRef.field,
            eventRef.byMeetingId,
          ),
    event: pickActivity(rows.events, previous?.eventId ?? null, eventRef.field, eventValue, enrichedId),
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
  const relations = (found: readonly Row[] | undefined, parentOnly: boolean | 'invitees'): RelationRow[] =>
    (found ?? [])
      .filter(
        (r) =>
          r['IsWhat'] !== true &&
          (parentOnly === 'invitees' ? r['IsParent'] !== true : !parentOnly || r['IsParent'] === true),
      )
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
    eventInvitees: relations(rows.eventRelations, 'invitees'),
    taskRelations: relations(rows.taskRelations, false),
    note,
  };
}
