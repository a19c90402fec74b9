/**
 * The look-ups of many meetings of one org, shared: each question the lone look-up (lookups.ts) asks
 * per meeting is asked once for the batch with `IN` lists of every meeting's values, and each meeting
 * then gets exactly the rows its own query would have returned (filtered by the same values, in the
 * same order), assembled by the same functions (`assembleLookup`, `assembleExisting`, `withRuleRows`).
 * So a meeting's decision is the same alone or in a batch; only the number of calls differs.
 *
 * Limits that shape the calls:
 * - a composite request carries up to 25 subrequests, at most 5 of them queries
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm);
 * - a query is a GET whose URL Salesforce caps at 16,384 bytes (the REST API's URI limit,
 *   https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm),
 *   so an `IN` list is cut into chunks whose encoded query stays well below it;
 * - a query answers at most 2,000 rows per batch; the rest is read from `nextRecordsUrl`
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm).
 */
import type { Connection } from 'jsforce';
import { normalizeEmail } from '../associations/emails.ts';
import { externalParticipants, pickedContactIds, userLookupEmails } from '../associations/participants.ts';
import type { CrmSnapshot, PickedRecord } from '../associations/snapshot.ts';
import type { Meeting } from '../meetings/schema.ts';
import type { AssociationSettings } from '../settings/association-settings.ts';
import type { OrgProfile } from '../domain/org-profile.ts';
import {
  COMPOSITE_MAX_QUERIES,
  COMPOSITE_MAX_SUBREQUESTS,
  composite,
  getMore,
  inParallel,
  queryUrl,
  segment,
  type CallCounter,
  type SubResponse,
  type Subrequest,
} from './composite.ts';
import {
  assembleExisting,
  assembleLookup,
  calendarWindow,
  enrichedIdOf,
  eventRowsFor,
  eventSelect,
  windowCondition,
  picked,
  records,
  referenceField,
  str,
  type ExistingDetail,
  type MeetingLookup,
  type Row,
} from './lookups.ts';
import { opportunityQueryFor, ruleQueries, withRuleRows, type RuleQuery } from './rule-lookups.ts';
import { identifier, quote, soql } from './soql.ts';

/** The encoded query URL a chunk may reach: below the 16,384-byte URI cap with room for `/services/data/vNN.N`. */
export const MAX_QUERY_URL = 15_000;
/** Values per `IN` list at most, whatever their length. */
export const MAX_IN_VALUES = 500;

const isQuery = (s: Subrequest): boolean => /^\/query(All)?\//.test(s.url);

/**
 * Runs subrequests in as few composite calls as the limits allow, `parallel` calls at once (the
 * batch's share of the org's concurrent requests), every query's rows read to the end.
 */
export async function runShared(
  conn: Connection,
  counter: CallCounter,
  subs: readonly Subrequest[],
  parallel = 1,
): Promise<Map<string, SubResponse>> {
  const calls: Subrequest[][] = [];
  let current: Subrequest[] = [];
  let queries = 0;
  for (const sub of subs) {
    const q = isQuery(sub) ? 1 : 0;
    if (current.length >= COMPOSITE_MAX_SUBREQUESTS || queries + q > COMPOSITE_MAX_QUERIES) {
      calls.push(current);
      current = [];
      queries = 0;
    }
    current.push(sub);
    queries += q;
  }
  if (current.length > 0) calls.push(current);
  const answers: Map<string, SubResponse>[] = [];
  // A refused call fails the look-up as a whole: the calls not yet sent are not sent.
  await inParallel(calls, parallel, async (call, i) => {
    const responses = await composite(conn, counter, call);
    const read = new Map<string, SubResponse>();
    for (const sub of call) {
      const response = responses.get(sub.referenceId);
      read.set(
        sub.referenceId,
        isQuery(sub) && response !== undefined ? await readToEnd(conn, counter, response) : response!,
      );
    }
    answers[i] = read;
  });
  // In the calls' order, whatever order they were answered in.
  return new Map(answers.flatMap((a) => [...a]));
}

/** A query's answer with every row, following `nextRecordsUrl` (one call per further 2,000 rows). */
async function readToEnd(
  conn: Connection,
  counter: CallCounter,
  response: SubResponse,
): Promise<SubResponse> {
  if (response.httpStatusCode >= 400) return response;
  const body = response.body as { records?: Row[]; nextRecordsUrl?: string; done?: boolean } | null;
  let next = body?.done === false ? body.nextRecordsUrl : undefined;
  if (next === undefined) return response;
  const all = [...(body?.records ?? [])];
  while (next !== undefined) {
    type Page = { records?: Row[]; nextRecordsUrl?: string; done?: boolean };
    const more: Page = await getMore<{ records?: Row[]; nextRecordsUrl?: string; done?: boolean }>(
      conn,
      counter,
      next,
    );
    all.push(...(more.records ?? []));
    next = more.done === false ? more.nextRecordsUrl : undefined;
  }
  return { httpStatusCode: response.httpStatusCode, body: { ...body, records: all, done: true } };
}

/**
 * Cuts `values` into `IN` lists whose query, built by `build`, stays within the URL budget. Linear in
 * the values: a list's encoded URL grows by each value's encoded `, 'value'`, so the length is
 * counted as values are added, and only each finished chunk is built (and checked: a `build` whose
 * length is not that sum is cut in halves until it fits).
 */
export function chunkIn(
  values: readonly string[],
  build: (chunk: readonly string[]) => string,
  all = false,
): string[] {
  if (values.length === 0) return [];
  const urlOf = (chunk: readonly string[]): number => queryUrl(build(chunk), all).length;
  // `(a, b)` minus `(a)`: what one more value adds, the separator included.
  const separator = encodeURIComponent(', ').length;
  const cost = (value: string): number => separator + encodeURIComponent(quote(value)).length;
  const queries: string[] = [];
  const emit = (chunk: readonly string[]): void => {
    const text = build(chunk);
    if (chunk.length > 1 && queryUrl(text, all).length > MAX_QUERY_URL) {
      const half = Math.ceil(chunk.length / 2);
      emit(chunk.slice(0, half));
      emit(chunk.slice(half));
    } else queries.push(text);
  };
  let chunk: string[] = [values[0]!];
  let length = urlOf(chunk);
  for (const value of values.slice(1)) {
    const added = cost(value);
    if (chunk.length + 1 > MAX_IN_VALUES || length + added > MAX_QUERY_URL) {
      emit(chunk);
      chunk = [value];
      length = urlOf(chunk);
    } else {
      chunk.push(value);
      length += added;
    }
  }
  emit(chunk);
  return queries;
}

/**
 * A batch's rows looked up per meeting by keys (emails, ids) instead of filtering every row for every
 * meeting: the same rows, each once, in the same order as `rows.filter` would give them.
 */
class RowIndex {
  readonly #groups = new Map<string, Row[]>();
  readonly #position = new Map<Row, number>();

  constructor(rows: readonly Row[], keysOf: (row: Row) => readonly (string | null)[]) {
    rows.forEach((row, i) => {
      this.#position.set(row, i);
      for (const key of new Set(keysOf(row))) {
        if (key === null) continue;
        const group = this.#groups.get(key);
        if (group === undefined) this.#groups.set(key, [row]);
        else group.push(row);
      }
    });
  }

  rows(keys: Iterable<string | null>): Row[] {
    const chosen = new Set<Row>();
    for (const key of keys) if (key !== null) for (const row of this.#groups.get(key) ?? []) chosen.add(row);
    return [...chosen].sort((a, b) => this.#position.get(a)! - this.#position.get(b)!);
  }
}

/** A Salesforce id's case-sensitive 15-character key (associations/emails.ts `sameSalesforceId`). */
const id15 = (id: string | null): string | null => (id === null ? null : id.slice(0, 15));

/** One meeting's part of a batch look-up. `meeting` null: a deletion (only the written records). */
export interface LookupRequest {
  readonly meetingId: string;
  readonly marker: string;
  readonly meeting: Meeting | null;
  readonly previous: { eventId: string | null; taskId: string | null; eventEnriched?: boolean } | null;
}

/** Rows of several chunk queries of one kind, each row once. */
function union(responses: Map<string, SubResponse>, refs: readonly string[]): Row[] {
  const seen = new Set<string>();
  const out: Row[] = [];
  for (const ref of refs) {
    for (const row of records(responses.get(ref), ref)) {
      const id = str(row, 'Id');
      if (id !== null) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      out.push(row);
    }
  }
  return out;
}

/** Whether the lone look-up would carry the opportunity rule's query (lookups.ts: only with room). */
function loneAsksOpportunities(r: LookupRequest, settings: AssociationSettings | undefined): boolean {
  if (r.meeting === null || settings === undefined || opportunityQueryFor(r.meeting, settings) === null)
    return false;
  const knownTask = (r.previous?.taskId ?? null) !== null;
  const neverWritten = (r.previous?.eventId ?? null) === null && !knownTask;
  const emails = externalParticipants(r.meeting).emails;
  const queries =
    1 +
    (!knownTask && !neverWritten ? 1 : 0) +
    (userLookupEmails(r.meeting).length > 0 ? 1 : 0) +
    (emails.length > 0 || pickedContactIds(r.meeting).ids.length > 0 ? 1 : 0) +
    (emails.length > 0 ? 1 : 0);
  return queries < COMPOSITE_MAX_QUERIES;
}

/** (CloseDate, Id) ascending, as the opportunity rule's query orders them. */
function byCloseDate(a: Row, b: Row): number {
  const ca = str(a, 'CloseDate') ?? '';
  const cb = str(b, 'CloseDate') ?? '';
  if (ca !== cb) return ca < cb ? -1 : 1;
  const ia = str(a, 'Id') ?? '';
  const ib = str(b, 'Id') ?? '';
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/**
 * Call 1 of lookups.ts for a batch of meetings of one org: the Events and Tasks they wrote, the Users,
 * Contacts and Leads their emails name, the records picked by hand, and the opportunity rule's open
 * Opportunities. Every meeting's answer is what `lookUpMeeting` would have found for it.
 */
export async function lookUpMeetings(
  conn: Connection,
  counter: CallCounter,
  org: OrgProfile,
  requests: readonly LookupRequest[],
  settings?: AssociationSettings,
  parallel = 1,
): Promise<Map<string, MeetingLookup>> {
  const subs: Subrequest[] = [];
  const refs = new Map<string, string[]>();
  const add = (kind: string, queries: readonly string[], all: boolean): void => {
    const list = refs.get(kind) ?? [];
    for (const q of queries) {
      const referenceId = `${kind}${list.length}`;
      list.push(referenceId);
      subs.push({ method: 'GET', referenceId, url: queryUrl(q, all) });
    }
    refs.set(kind, list);
  };
  const distinct = (values: Iterable<string>): string[] => [...new Set(values)];

  const activityQueries = (kind: 'Event' | 'Task', of: readonly LookupRequest[]): string[] => {
    const { field, byMeetingId } = referenceField(org, kind);
    const values = distinct(of.map((r) => (byMeetingId ? r.meetingId : r.marker)));
    const object = identifier(kind);
    const column = identifier(field);
    // Events with every field the lone eventQuery reads (a person's edit, a calendar candidate).
    const select =
      kind === 'Event'
        ? `${eventSelect(org)} `
        : soql`SELECT Id, IsDeleted, WhoId, WhatId, Description, ${column} FROM ${object} `;
    return chunkIn(
      values,
      (chunk) => select + soql`WHERE ${column} IN ${chunk} ORDER BY CreatedDate ASC, Id ASC`,
      true,
    );
  };
  // As alone, a meeting never written looks for its Task only when its Event turns up (below).
  const neverWritten = (r: LookupRequest): boolean =>
    (r.previous?.eventId ?? null) === null && (r.previous?.taskId ?? null) === null;
  add('Event', activityQueries('Event', requests), true);
  // The lone eventQuery's other two conditions, asked once for the batch; eventRowsFor then gives
  // each meeting exactly the rows its own query would have (its window, its owner, its LIMIT).
  // An enriched Event is found by its remembered id too.
  const enrichedIds = distinct(requests.flatMap((r) => enrichedIdOf(r.previous) ?? []));
  add(
    'Event',
    chunkIn(enrichedIds, (c) => `${eventSelect(org)} ` + soql`WHERE Id IN ${c}`, true),
    true,
  );
  // The calendar windows: one query over the span of every window, for every organizer (the
  // connected user stands for an organizer who is no Salesforce User, as alone).
  const windows = new Map(
    requests.map((r) => [r.meetingId, calendarWindow(org, r.meeting, r.previous, settings)] as const),
  );
  const open = [...windows.values()].filter((w) => w !== null);
  if (open.length > 0) {
    const start = Math.min(...open.map((w) => Date.parse(w.start)));
    const end = Math.max(...open.map((w) => Date.parse(w.end)));
    const span = windowCondition(org, new Date(start).toISOString(), new Date(end).toISOString());
    const organizers = distinct(open.flatMap((w) => w.organizer ?? []));
    const mine = soql`OwnerId = ${org.connectedUserId}`;
    add(
      'Event',
      organizers.length === 0
        ? [`${eventSelect(org)} WHERE ${span} AND ${mine}`]
        : chunkIn(
            organizers,
            (c) => `${eventSelect(org)} WHERE ${span} AND (` + soql`Owner.Email IN ${c}` + ` OR ${mine})`,
          ),
      false,
    );
  }
  add(
    'Task',
    activityQueries(
      'Task',
      requests.filter((r) => !neverWritten(r)),
    ),
    true,
  );
  const upserts = requests.filter((r): r is LookupRequest & { meeting: Meeting } => r.meeting !== null);
  const userEmails = distinct(upserts.flatMap((r) => userLookupEmails(r.meeting)));
  const emails = distinct(upserts.flatMap((r) => externalParticipants(r.meeting).emails));
  const contactIds = distinct(upserts.flatMap((r) => pickedContactIds(r.meeting).ids));
  add(
    'users',
    chunkIn(userEmails, (c) => soql`SELECT Id, Email, IsActive FROM User WHERE Email IN ${c}`),
    false,
  );
  const contactFields = 'SELECT Id, Email, AccountId, LastModifiedDate, IsDeleted FROM Contact WHERE ';
  add(
    'contacts',
    chunkIn(emails, (c) => contactFields + soql`Email IN ${c}`, true),
    true,
  );
  add(
    'contacts',
    chunkIn(contactIds, (c) => contactFields + soql`Id IN ${c}`, true),
    true,
  );
  add(
    'leads',
    chunkIn(
      emails,
      (c) => soql`SELECT Id, Email, LastModifiedDate FROM Lead WHERE Email IN ${c} AND IsConverted = false`,
    ),
    false,
  );
  // The opportunity rule's Opportunities: of the hand-picked Accounts, or of the Accounts of the
  // participants' Contacts (a semi-join, as the lone query; SOQL allows no semi-join under OR).
  const withRule = upserts.filter((r) => loneAsksOpportunities(r, settings));
  const ruleAccounts = distinct(withRule.flatMap((r) => r.meeting.associations?.accountId ?? []));
  const bySemiJoin = withRule.filter((r) => r.meeting.associations?.accountId === undefined);
  const opportunitySelect =
    'SELECT Id, AccountId, CloseDate, IsClosed, (SELECT ContactId FROM OpportunityContactRoles) FROM Opportunity WHERE IsClosed = false AND ';
  const order = ' ORDER BY CloseDate ASC, Id ASC';
  add(
    'opportunities',
    chunkIn(ruleAccounts, (c) => opportunitySelect + soql`AccountId IN ${c}` + order),
    false,
  );
  add(
    'opportunities',
    chunkIn(
      distinct(bySemiJoin.flatMap((r) => externalParticipants(r.meeting).emails)),
      (c) =>
        opportunitySelect + soql`AccountId IN (SELECT AccountId FROM Contact WHERE Email IN ${c})` + order,
    ),
    false,
  );
  add(
    'opportunities',
    chunkIn(
      distinct(bySemiJoin.flatMap((r) => pickedContactIds(r.meeting).ids)),
      (c) => opportunitySelect + soql`AccountId IN (SELECT AccountId FROM Contact WHERE Id IN ${c})` + order,
    ),
    false,
  );
  // Hand-picked Account and Opportunity: row reads (not queries), so a deleted or unknown id is told
  // apart exactly as alone.
  const pickedAccounts = distinct(upserts.flatMap((r) => r.meeting.associations?.accountId ?? []));
  const pickedOpportunities = distinct(upserts.flatMap((r) => r.meeting.associations?.opportunityId ?? []));
  pickedAccounts.forEach((id, i) =>
    subs.push({
      method: 'GET',
      referenceId: `account${i}`,
      url: `/sobjects/Account/${segment(id)}?fields=Id`,
    }),
  );
  pickedOpportunities.forEach((id, i) =>
    subs.push({
      method: 'GET',
      referenceId: `opportunity${i}`,
      url: `/sobjects/Opportunity/${segment(id)}?fields=Id,AccountId`,
    }),
  );

  const responses = await runShared(conn, counter, subs, parallel);
  const rowsOf = (kind: string): Row[] => union(responses, refs.get(kind) ?? []);
  const events = rowsOf('Event');
  const tasks = rowsOf('Task');
  // Written before its ids were kept (a crash after the write): its Task is found the same way.
  const eventRef = referenceField(org, 'Event');
  const found = new Set(events.map((e) => e[eventRef.field]));
  const late = requests.filter(
    (r) => neverWritten(r) && found.has(eventRef.byMeetingId ? r.meetingId : r.marker),
  );
  if (late.length > 0) {
    const lateSubs: Subrequest[] = activityQueries('Task', late).map((q, i) => ({
      method: 'GET',
      referenceId: `lateTask${i}`,
      url: queryUrl(q, true),
    }));
    const more = await runShared(conn, counter, lateSubs, parallel);
    tasks.push(
      ...union(
        more,
        lateSubs.map((sub) => sub.referenceId),
      ),
    );
  }
  const users = rowsOf('users');
  const contacts = rowsOf('contacts');
  const leads = rowsOf('leads');
  const opportunities = rowsOf('opportunities').sort(byCloseDate);
  const pickedAccount = new Map<string, PickedRecord>(
    pickedAccounts.map((id, i) => [id, picked(responses.get(`account${i}`), id, 'account')]),
  );
  const pickedOpportunity = new Map<string, PickedRecord>(
    pickedOpportunities.map((id, i) => [id, picked(responses.get(`opportunity${i}`), id, 'opportunity')]),
  );

  // Each meeting's rows: by its emails and ids in an index of the batch's rows (a filter of every
  // row for every meeting was quadratic in the batch), in the order its own query would give them.
  const email = (row: Row): string | null => {
    const e = normalizeEmail(str(row, 'Email'));
    return e === null ? null : `e:${e}`;
  };
  const idKey = (id: string | null): string | null => (id === null ? null : `i:${id15(id)}`);
  const contactIndex = new RowIndex(contacts, (c) => [email(c), idKey(str(c, 'Id'))]);
  const userIndex = new RowIndex(users, (u) => [email(u)]);
  const leadIndex = new RowIndex(leads, (l) => [email(l)]);
  const opportunityIndex = new RowIndex(opportunities, (o) => [idKey(str(o, 'AccountId'))]);
  // An Event is a meeting's by its reference (SOQL's `=` ignores case), by its enriched id, or, with
  // no reference, as a calendar candidate of its window: eventRowsFor then picks and orders exactly.
  const eventIndex = new RowIndex(events, (e) => {
    const reference = str(e, eventRef.field);
    return [reference === null ? 'window' : `r:${reference.toLowerCase()}`, idKey(str(e, 'Id'))];
  });
  const out = new Map<string, MeetingLookup>();
  for (const r of requests) {
    const meeting = r.meeting;
    const own = meeting === null ? [] : externalParticipants(meeting).emails;
    const ownEmails = new Set(own);
    const ownUsers = new Set(meeting === null ? [] : userLookupEmails(meeting));
    const ownIds = meeting === null ? [] : pickedContactIds(meeting).ids;
    const emailKeys = (set: Set<string>): string[] => [...set].map((e) => `e:${e}`);
    const myContacts = contactIndex.rows([...emailKeys(ownEmails), ...ownIds.map(idKey)]);
    let myOpportunities: Row[] | undefined;
    if (meeting !== null && withRule.includes(r as LookupRequest & { meeting: Meeting })) {
      const pickedId = meeting.associations?.accountId;
      const accounts =
        pickedId !== undefined
          ? [pickedId]
          : myContacts.flatMap((c) => (c['IsDeleted'] === true ? [] : (str(c, 'AccountId') ?? [])));
      myOpportunities = opportunityIndex.rows(accounts.map(idKey)).slice(0, 200);
    }
    const accountId = meeting?.associations?.accountId;
    const opportunityId = meeting?.associations?.opportunityId;
    const window = windows.get(r.meetingId) ?? null;
    const enrichedId = enrichedIdOf(r.previous);
    const reference = (eventRef.byMeetingId ? r.meetingId : r.marker).toLowerCase();
    const candidates = eventIndex.rows([
      `r:${reference}`,
      idKey(enrichedId),
      window === null ? null : 'window',
    ]);
    out.set(
      r.meetingId,
      assembleLookup(org, r.meetingId, r.marker, r.previous, window, {
        events: eventRowsFor(org, r.meetingId, r.marker, enrichedId, window, candidates),
        tasks,
        users: own.length + ownUsers.size === 0 ? [] : userIndex.rows(emailKeys(ownUsers)),
        contacts: myContacts,
        leads: leadIndex.rows(emailKeys(ownEmails)),
        ...(myOpportunities === undefined ? {} : { opportunities: myOpportunities }),
        ...(accountId === undefined ? {} : { account: pickedAccount.get(accountId)! }),
        ...(opportunityId === undefined ? {} : { opportunity: pickedOpportunity.get(opportunityId)! }),
      }),
    );
  }
  return out;
}

/**
 * The rules' second look-up (rule-lookups.ts `ruleQueries`) for many meetings: each meeting's own
 * queries (one or two), five to a composite call. A failed query fails its meeting only (an Error in
 * the map).
 */
export async function lookUpRuleRecordsMany(
  conn: Connection,
  counter: CallCounter,
  items: readonly { meeting: Meeting; snapshot: CrmSnapshot; settings: AssociationSettings }[],
  parallel = 1,
): Promise<(CrmSnapshot | Error)[]> {
  const queries = items.map((i) => ruleQueries(i.meeting, i.snapshot, i.settings));
  const subs: Subrequest[] = [];
  queries.forEach((qs, i) => {
    for (const q of qs)
      subs.push({ method: 'GET', referenceId: `rule${i}${q.referenceId}`, url: queryUrl(q.soql) });
  });
  if (subs.length === 0) return items.map((i) => i.snapshot);
  const responses = await runShared(conn, counter, subs, parallel);
  return items.map((item, i) => {
    const qs: readonly RuleQuery[] = queries[i] ?? [];
    try {
      return qs.reduce(
        (out, q) => withRuleRows(out, q, records(responses.get(`rule${i}${q.referenceId}`), q.referenceId)),
        item.snapshot,
      );
    } catch (err) {
      return err as Error;
    }
  });
}

/** What lookups.ts `lookUpExisting` is asked for one meeting. */
export interface ExistingRequest {
  readonly key: string;
  readonly sharedActivities: boolean;
  readonly eventId: string | null;
  readonly taskId: string | null;
  readonly knownNoteId: string | null;
  readonly candidateLinkIds: readonly string[];
}

/** Call 2 of lookups.ts for many meetings: relations and note links, each meeting's rows its own. */
export async function lookUpExistingMany(
  conn: Connection,
  counter: CallCounter,
  requests: readonly ExistingRequest[],
  parallel = 1,
): Promise<Map<string, ExistingDetail>> {
  const eventIds = requests.flatMap((r) => (r.sharedActivities && r.eventId !== null ? [r.eventId] : []));
  const taskIds = requests.flatMap((r) => (r.sharedActivities && r.taskId !== null ? [r.taskId] : []));
  const noteIds = requests.flatMap((r) => r.knownNoteId ?? []);
  const entityIds = [
    ...new Set(
      requests.flatMap((r) =>
        r.knownNoteId === null && r.eventId !== null ? [r.eventId, ...r.candidateLinkIds] : [],
      ),
    ),
  ];
  const subs: Subrequest[] = [];
  const refs = new Map<string, string[]>();
  const add = (kind: string, queries: readonly string[]): void => {
    const list = queries.map((_, i) => `${kind}${i}`);
    refs.set(kind, list);
    queries.forEach((q, i) => subs.push({ method: 'GET', referenceId: `${kind}${i}`, url: queryUrl(q) }));
  };
  add(
    'eventRelations',
    chunkIn(
      eventIds,
      (c) => soql`SELECT Id, EventId, RelationId, IsParent, IsWhat FROM EventRelation WHERE EventId IN ${c}`,
    ),
  );
  add(
    'taskRelations',
    chunkIn(
      taskIds,
      (c) => soql`SELECT Id, TaskId, RelationId, IsWhat FROM TaskRelation WHERE TaskId IN ${c}`,
    ),
  );
  add(
    'noteLinks',
    chunkIn(
      noteIds,
      (c) =>
        soql`SELECT Id, ContentDocumentId, LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId IN ${c}`,
    ),
  );
  add(
    'entityLinks',
    chunkIn(
      entityIds,
      (c) =>
        soql`SELECT Id, ContentDocumentId, LinkedEntityId FROM ContentDocumentLink WHERE LinkedEntityId IN ${c}`,
    ),
  );
  const responses =
    subs.length === 0 ? new Map<string, SubResponse>() : await runShared(conn, counter, subs, parallel);
  const rowsOf = (kind: string): Row[] => union(responses, refs.get(kind) ?? []);
  const eventRelations = rowsOf('eventRelations');
  const taskRelations = rowsOf('taskRelations');
  const noteLinks = rowsOf('noteLinks');
  const entityLinks = rowsOf('entityLinks');
  const relationIndex = (rows: Row[], field: string) => new RowIndex(rows, (row) => [id15(str(row, field))]);
  const eventRelationIndex = relationIndex(eventRelations, 'EventId');
  const taskRelationIndex = relationIndex(taskRelations, 'TaskId');
  const noteLinkIndex = relationIndex(noteLinks, 'ContentDocumentId');
  const entityLinkIndex = relationIndex(entityLinks, 'LinkedEntityId');
  const out = new Map<string, ExistingDetail>();
  for (const r of requests) {
    const entities = r.eventId === null ? [] : [r.eventId, ...r.candidateLinkIds];
    out.set(
      r.key,
      assembleExisting(r.eventId, r.knownNoteId, {
        eventRelations:
          r.sharedActivities && r.eventId !== null ? eventRelationIndex.rows([id15(r.eventId)]) : undefined,
        taskRelations:
          r.sharedActivities && r.taskId !== null ? taskRelationIndex.rows([id15(r.taskId)]) : undefined,
        noteLinks: r.knownNoteId !== null ? noteLinkIndex.rows([id15(r.knownNoteId)]) : undefined,
        entityLinks:
          r.knownNoteId === null && r.eventId !== null ? entityLinkIndex.rows(entities.map(id15)) : undefined,
      }),
    );
  }
  return out;
}
