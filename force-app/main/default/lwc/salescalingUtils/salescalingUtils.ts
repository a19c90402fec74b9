// Shared, platform-free logic of the Salescaling components, kept out of the components so that it
// reads (and is tested) as plain functions.

/** The record pages the recordings component is offered on. */
export type SupportedObject = 'Account' | 'Contact' | 'Opportunity';

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
  recordingLabel: string;
};

type FieldValue<T> = { value: T | null } | null | undefined;

type EventNode = {
  Id: string;
  Subject?: FieldValue<string>;
  StartDateTime?: FieldValue<string>;
  DurationInMinutes?: FieldValue<number>;
  Salescaling_Meeting_Id__c?: FieldValue<string>;
  Salescaling_Recording_Url__c?: FieldValue<string>;
  Salescaling_Summary_Preview__c?: FieldValue<string>;
  Salescaling_Attendees__c?: FieldValue<string>;
};

type TaskNode = {
  Id: string;
  Salescaling_Meeting_Id__c?: FieldValue<string>;
};

type Connection<T> = { edges?: { node: T }[] } | null | undefined;

/** The `data` of the meetings query (see salescalingRecordings.ts). */
export type MeetingsQueryData = {
  uiapi?: { query?: { Event?: Connection<EventNode>; Task?: Connection<TaskNode> } };
};

type Filter = Record<string, unknown>;

const HAS_MEETING_ID: Filter = { Salescaling_Meeting_Id__c: { ne: null } };

/**
 * The GraphQL `where` filters that find a record's Salescaling meetings (Events) and their
 * consolidated-notes activities (Tasks).
 *
 * - Account: Event.AccountId is derived by Salesforce from WhatId or the primary contact, so it
 *   also finds meetings linked only through a contact of the account; WhatId catches the rest.
 * - Opportunity: WhatId is the only link an activity has to an opportunity.
 * - Contact: WhoId is only the primary contact. With Shared Activities a meeting links up to 50
 *   contacts through EventRelation/TaskRelation rows, so a semi-join on those finds the meetings
 *   where this contact is a related contact, not only the primary one.
 *   https://developer.salesforce.com/docs/platform/graphql/guide/filter-joins.html
 */
export function meetingFilters(
  objectApiName: string | undefined,
  recordId: string,
): { eventWhere: Filter; taskWhere: Filter } | undefined {
  const whatOrAccount = {
    or: [{ WhatId: { eq: recordId } }, { AccountId: { eq: recordId } }],
  };
  switch (objectApiName) {
    case 'Account':
      return {
        eventWhere: { and: [HAS_MEETING_ID, whatOrAccount] },
        taskWhere: { and: [HAS_MEETING_ID, whatOrAccount] },
      };
    case 'Opportunity':
      return {
        eventWhere: { and: [HAS_MEETING_ID, { WhatId: { eq: recordId } }] },
        taskWhere: { and: [HAS_MEETING_ID, { WhatId: { eq: recordId } }] },
      };
    case 'Contact':
      return {
        eventWhere: {
          and: [
            HAS_MEETING_ID,
            {
              or: [
                { WhoId: { eq: recordId } },
                {
                  Id: {
                    inq: { EventRelation: { RelationId: { eq: recordId } }, ApiName: 'EventId' },
                  },
                },
              ],
            },
          ],
        },
        taskWhere: {
          and: [
            HAS_MEETING_ID,
            {
              or: [
                { WhoId: { eq: recordId } },
                {
                  Id: {
                    inq: { TaskRelation: { RelationId: { eq: recordId } }, ApiName: 'TaskId' },
                  },
                },
              ],
            },
          ],
        },
      };
    default:
      return undefined;
  }
}

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

/** Turns the query's result into the meetings to show, newest first, at most `limit`. */
export function toMeetings(data: MeetingsQueryData | undefined, limit: number): Meeting[] {
  const events = data?.uiapi?.query?.Event?.edges ?? [];
  const tasks = data?.uiapi?.query?.Task?.edges ?? [];
  const notesByMeeting = new Map<string, string>();
  for (const { node } of tasks) {
    const meetingId = valueOf(node.Salescaling_Meeting_Id__c);
    if (meetingId && !notesByMeeting.has(meetingId)) notesByMeeting.set(meetingId, node.Id);
  }
  const meetings = events.map(({ node }): Meeting => {
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
      recordingLabel: `Open recording of ${title} in Salescaling (opens in a new tab)`,
    };
  });
  // The query already orders by StartDateTime DESC; sorting again keeps "newest first" true
  // whatever order a cached or merged result comes back in.
  meetings.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
  return meetings.slice(0, Math.max(0, limit));
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
