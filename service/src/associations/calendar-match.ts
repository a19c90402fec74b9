/**
 * Beside other sync tools, no duplicates (CONTRACT §7.10): whether a new meeting enriches an Event
 * the organizer's calendar already put into Salesforce (Einstein Activity Capture, Lightning Sync,
 * Outlook or Gmail integrations, Outreach) instead of creating a second one. Pure: the look-up
 * (salesforce/lookups.ts) reads the candidates in the meeting's one look-up call; this decides.
 *
 * A candidate is an Event that
 * - the meeting's owner owns (the organizer's active User, else the connected user: the owner the
 *   meeting's own Event would get),
 * - overlaps the meeting's time,
 * - carries no Salescaling id (the package's meeting-id field is empty; without the package its
 *   Location holds no Salescaling reference),
 * - is neither private (a private Event cannot be related to records:
 *   https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm)
 *   nor a child Event (an invitee's copy of a group Event, IsChild) nor in the recycle bin,
 * - and matches the meeting by subject (the same words, see `sameSubject`) or by attendee (its WhoId
 *   or one of its EventRelation rows is a Contact or Lead whose email is a participant's).
 *
 * The documented rule when several qualify: those matching by subject and attendee beat those
 * matching by one; among the best, the one whose start and end equal the meeting's (to the minute)
 * wins. Still several: none is enriched, the meeting gets its own Event, and every candidate is
 * reported (`calendar_event_ambiguous`) — never a guess, never two Events written for one meeting.
 */
import type { Meeting } from '../meetings/schema.ts';
import type { CrmSnapshot } from './snapshot.ts';
import { normalizeEmail, sameSalesforceId } from './emails.ts';

/** An Event found in the meeting's time window, in the service's words. */
export interface CalendarEventRecord {
  readonly id: string;
  readonly ownerId: string | null;
  readonly subject: string | null;
  readonly start: string | null;
  readonly end: string | null;
  readonly isPrivate: boolean;
  readonly isChild: boolean;
  readonly isDeleted: boolean;
  readonly whoId: string | null;
  readonly whatId: string | null;
  /** The meeting id (package field) or Salescaling reference (Location) it carries; null: none. */
  readonly salescalingId: string | null;
  /** Every EventRelation's RelationId (invitees and related records alike). */
  readonly relationIds: readonly string[];
}

export type CalendarMatchWhy =
  | 'calendar_event_subject_and_attendee_match'
  | 'calendar_event_subject_match'
  | 'calendar_event_attendee_match';

export type CalendarDecision =
  | {
      readonly kind: 'enrich';
      readonly eventId: string;
      readonly why: CalendarMatchWhy;
      /** Every Event that qualified (the chosen one included). */
      readonly candidates: readonly string[];
    }
  | {
      readonly kind: 'create';
      /** `disabled`: the setting is off; `no_candidate`: nothing qualified; `ambiguous`: see above. */
      readonly reason: 'disabled' | 'no_candidate' | 'ambiguous';
      readonly candidates: readonly string[];
    };

/** Words of a subject, lower case, without "Re:"/"Fwd:" prefixes or punctuation. */
export function subjectWords(subject: string | null | undefined): string {
  if (subject === null || subject === undefined) return '';
  return subject
    .normalize('NFKC')
    .toLowerCase()
    .replace(/^\s*((re|fw|fwd|aw|wg|tr)\s*:\s*)+/u, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Minimum length of the shorter subject for "one contains the other" to count as a match. */
export const SUBJECT_CONTAINS_MIN = 8;

/**
 * The same meeting by its subject: equal words, or one subject's words inside the other's when the
 * shorter holds at least 8 characters (a calendar tool may prefix the company's name, "Acme: …").
 */
export function sameSubject(a: string | null | undefined, b: string | null | undefined): boolean {
  const x = subjectWords(a);
  const y = subjectWords(b);
  if (x.length === 0 || y.length === 0) return false;
  if (x === y) return true;
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  return short.length >= SUBJECT_CONTAINS_MIN && ` ${long} `.includes(` ${short} `);
}

const MINUTE = 60_000;

function overlaps(meeting: Meeting, event: CalendarEventRecord): boolean {
  const start = Date.parse(meeting.startedAt);
  // A zero-length meeting still sits at an instant: treat it as one minute long.
  const end = Math.max(Date.parse(meeting.endedAt), start + MINUTE);
  const es = event.start === null ? NaN : Date.parse(event.start);
  const ee = event.end === null ? NaN : Date.parse(event.end);
  if (Number.isNaN(es) || Number.isNaN(ee)) return false;
  return es < end && Math.max(ee, es + MINUTE) > start;
}

function sameTimes(meeting: Meeting, event: CalendarEventRecord): boolean {
  const near = (a: string, b: string | null): boolean =>
    b !== null && Math.abs(Date.parse(a) - Date.parse(b)) < MINUTE;
  return near(meeting.startedAt, event.start) && near(meeting.endedAt, event.end);
}

/** Contacts and Leads whose email is one of the meeting's participants' (any, internal or not). */
export function attendeeRecordIds(meeting: Meeting, snapshot: CrmSnapshot): string[] {
  const emails = new Set(meeting.participants.flatMap((p) => normalizeEmail(p.email) ?? []));
  return [
    ...snapshot.contacts.filter((c) => !c.isDeleted && c.email !== null && emails.has(c.email)),
    ...snapshot.leads.filter((l) => l.email !== null && emails.has(l.email)),
  ].map((r) => r.id);
}

export interface CalendarMatchInput {
  readonly enabled: boolean;
  readonly meeting: Meeting;
  /** The owner the meeting's Event gets (the organizer's User, else the connected user). */
  readonly ownerId: string;
  /** Contacts and Leads matching the participants (attendeeRecordIds). */
  readonly attendeeIds: readonly string[];
  readonly events: readonly CalendarEventRecord[];
}

export function chooseCalendarEvent(input: CalendarMatchInput): CalendarDecision {
  if (!input.enabled) return { kind: 'create', reason: 'disabled', candidates: [] };
  const { meeting } = input;
  const title = meeting.title;
  const scored = input.events
    .filter(
      (e) =>
        e.id !== '' &&
        !e.isDeleted &&
        !e.isPrivate &&
        !e.isChild &&
        (e.salescalingId === null || e.salescalingId === '') &&
        e.ownerId !== null &&
        sameSalesforceId(e.ownerId, input.ownerId) &&
        overlaps(meeting, e),
    )
    .map((e) => {
      const subject = sameSubject(title, e.subject);
      const related = [e.whoId, ...e.relationIds].filter((id): id is string => id !== null);
      const attendee = related.some((id) => input.attendeeIds.some((a) => sameSalesforceId(a, id)));
      return { event: e, subject, attendee, score: (subject ? 1 : 0) + (attendee ? 1 : 0) };
    })
    .filter((s) => s.score > 0);
  // The same Event may come twice (queryAll rows); one entry per id, sorted for a stable report.
  const unique = [...new Map(scored.map((s) => [s.event.id, s])).values()].sort((a, b) =>
    a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0,
  );
  const candidates = unique.map((s) => s.event.id);
  if (unique.length === 0) return { kind: 'create', reason: 'no_candidate', candidates };
  const top = Math.max(...unique.map((s) => s.score));
  let best = unique.filter((s) => s.score === top);
  if (best.length > 1) {
    const exact = best.filter((s) => sameTimes(meeting, s.event));
    if (exact.length === 1) best = exact;
  }
  const chosen = best.length === 1 ? best[0] : undefined;
  if (chosen === undefined) return { kind: 'create', reason: 'ambiguous', candidates };
  const why: CalendarMatchWhy =
    chosen.subject && chosen.attendee
      ? 'calendar_event_subject_and_attendee_match'
      : chosen.subject
        ? 'calendar_event_subject_match'
        : 'calendar_event_attendee_match';
  return { kind: 'enrich', eventId: chosen.event.id, why, candidates };
}
