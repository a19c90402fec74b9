// Shared, platform-free logic of the Salescaling components, kept out of the components so that it
// reads (and is tested) as plain functions.

/** One meeting as the recordings component shows it. */
export type Meeting = {
  id: string;
  meetingId: string;
  title: string;
  startedAt: string | null;
  duration: string;
  attendees: string;
  summary: string;
  recordingUrl: string | null;
  notesTaskId: string | null;
  eventHref: string;
  notesHref: string | null;
  /** The Meeting Summary note is linked to the Event: its Notes related list. */
  summaryHref: string;
  recordingLabel: string;
  /** On an Opportunity page: listed because a contact role attended, not linked to the Opportunity. */
  byContactRole: boolean;
  /** SLDS classes of the list item: a divider between meetings, none after the last. */
  itemClass: string;
};

type FieldValue<T> = { value: T | null } | null | undefined;

type EventNode = {
  Id: string;
  Subject?: FieldValue<string>;
  StartDateTime?: FieldValue<string>;
  DurationInMinutes?: FieldValue<number>;
  WhatId?: FieldValue<string>;
  Salescaling_Meeting_Id__c?: FieldValue<string>;
  Salescaling_Recording_Url__c?: FieldValue<string>;
  Salescaling_Summary_Preview__c?: FieldValue<string>;
  Salescaling_Attendees__c?: FieldValue<string>;
};

type TaskNode = {
  Id: string;
  Salescaling_Meeting_Id__c?: FieldValue<string>;
};

type Connection<T> =
  | { totalCount?: number | null; pageInfo?: { hasNextPage?: boolean } | null; edges?: { node: T }[] | null }
  | null
  | undefined;

/** The `data` of the meetings query (salescalingRecordings/meetingsQuery.ts): aliased connections. */
export type MeetingsQueryData = {
  uiapi?: {
    query?: {
      events?: Connection<EventNode>;
      relatedEvents?: Connection<EventNode>;
      tasks?: Connection<TaskNode>;
      relatedTasks?: Connection<TaskNode>;
    };
  };
};

/** "45 min", "1 h", "1 h 30 min"; empty when Salesforce has no duration (all-day events). */
export function formatDuration(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes) || minutes < 0) return '';
  const whole = Math.round(minutes);
  if (whole < 60) return `${whole} min`;
  const hours = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

function valueOf<T>(field: FieldValue<T>): T | null {
  return field?.value ?? null;
}

/** Only http(s) links are offered to a person: a stored `javascript:` URL must never become a link. */
export function safeHttpUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * Turns the query's result into the meetings to show, newest first, at most `limit`: the primary and
 * the related connections merged (an Event in both counts once, as linked).
 */
export function toMeetings(
  data: MeetingsQueryData | undefined,
  limit: number,
  options: { relatedByContactRole?: boolean } = {},
): Meeting[] {
  const query = data?.uiapi?.query;
  const notesByMeeting = new Map<string, string>();
  for (const { node } of [...(query?.tasks?.edges ?? []), ...(query?.relatedTasks?.edges ?? [])]) {
    const meetingId = valueOf(node.Salescaling_Meeting_Id__c);
    if (meetingId && !notesByMeeting.has(meetingId)) notesByMeeting.set(meetingId, node.Id);
  }
  const seen = new Set<string>();
  const nodes: { node: EventNode; byContactRole: boolean }[] = [];
  for (const [connection, related] of [
    [query?.events, false],
    [query?.relatedEvents, true],
  ] as const) {
    for (const { node } of connection?.edges ?? []) {
      if (seen.has(node.Id)) continue;
      seen.add(node.Id);
      nodes.push({ node, byContactRole: related && options.relatedByContactRole === true });
    }
  }
  const meetings = nodes.map(({ node, byContactRole }): Meeting => {
    const meetingId = valueOf(node.Salescaling_Meeting_Id__c) ?? '';
    const title = valueOf(node.Subject)?.trim() || 'Untitled meeting';
    const notesTaskId = notesByMeeting.get(meetingId) ?? null;
    return {
      id: node.Id,
      meetingId,
      title,
      startedAt: valueOf(node.StartDateTime),
      duration: formatDuration(valueOf(node.DurationInMinutes)),
      attendees: valueOf(node.Salescaling_Attendees__c) ?? '',
      summary: valueOf(node.Salescaling_Summary_Preview__c) ?? '',
      recordingUrl: safeHttpUrl(valueOf(node.Salescaling_Recording_Url__c)),
      notesTaskId,
      eventHref: `/lightning/r/Event/${node.Id}/view`,
      notesHref: notesTaskId ? `/lightning/r/Task/${notesTaskId}/view` : null,
      summaryHref: `/lightning/r/Event/${node.Id}/related/AttachedContentNotes/view`,
      recordingLabel: `Open recording of ${title} in Salescaling (opens in a new tab)`,
      byContactRole,
      itemClass: '',
    };
  });
  // Each connection is ordered by StartDateTime DESC; the merge must be ordered again.
  meetings.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
  return meetings.slice(0, Math.max(0, limit)).map((meeting, index) => ({
    ...meeting,
    itemClass:
      index === 0 ? 'slds-item' : 'slds-item slds-border_top slds-var-m-top_small slds-var-p-top_small',
  }));
}

/**
 * How many meetings the record has: the two connections are disjoint (meetingsQuery.ts), so their
 * totalCounts add up. Falls back to what was fetched when a connection has no totalCount.
 */
export function totalMeetings(data: MeetingsQueryData | undefined): number {
  const query = data?.uiapi?.query;
  const count = (c: Connection<EventNode>): number => c?.totalCount ?? c?.edges?.length ?? 0;
  return count(query?.events) + count(query?.relatedEvents);
}

type ErrorLike = string | { message?: string; body?: unknown } | null | undefined;

/** Reduces GraphQL errors, LDS fetch errors or JS errors to the messages a person can read. */
export function reduceErrors(errors: unknown): string[] {
  const list: ErrorLike[] = Array.isArray(errors) ? errors : [errors as ErrorLike];
  const messages = list.flatMap((error): string[] => {
    if (!error) return [];
    if (typeof error === 'string') return [error];
    const body = error.body as
      { message?: string } | { message?: string }[] | { pageErrors?: { message: string }[] } | undefined;
    if (Array.isArray(body)) return body.map((e) => e.message ?? '').filter(Boolean);
    if (body && 'pageErrors' in body && body.pageErrors?.length) return body.pageErrors.map((e) => e.message);
    if (body && 'message' in body && typeof body.message === 'string') return [body.message];
    if (typeof error.message === 'string') return [error.message];
    return [];
  });
  return [...new Set(messages)];
}

/** The permission set that lets a person read what the card shows (force-app/.../permissionsets). */
export const VIEWER_PERMISSION_SET = 'Salescaling Recordings Viewer';

/**
 * What a seller reads when the card cannot load: what is wrong and what to ask an admin for, never
 * the raw GraphQL message. An unknown or unreadable field, or an object the user cannot query, is
 * what a missing permission set looks like to the GraphQL API (field-level security hides the field
 * from the schema: https://developer.salesforce.com/docs/platform/graphql/guide/query-limits.html).
 */
export function sellerErrorMessage(errors: unknown): string {
  const text = reduceErrors(errors).join(' ');
  const permission =
    /is undefined|No such column|not supported|INSUFFICIENT_ACCESS|insufficient access|does not have access|isn't accessible|not accessible|Cannot query field|Unknown type|sObject type/i;
  if (permission.test(text)) {
    return `You can't see recorded meetings yet: your Salesforce user is missing access to Salescaling's meeting fields. Ask your Salesforce admin to assign you the ${VIEWER_PERMISSION_SET} permission set.`;
  }
  return `Recorded meetings couldn't be loaded right now. Reload the page; if this keeps happening, ask your Salesforce admin to check that you have the ${VIEWER_PERMISSION_SET} permission set.`;
}
