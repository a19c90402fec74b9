import type { Meeting } from '../meetings/schema.ts';
import { normalizeEmail } from './emails.ts';

/**
 * How many distinct external emails one meeting looks up. The look-up queries travel in a GET URL,
 * which Salesforce caps at 16,384 bytes
 * (https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm);
 * 150 encoded emails stay well inside it, and an Event relates at most 50 contacts anyway.
 */
export const LOOKUP_EMAIL_LIMIT = 150;

export interface ExternalParticipants {
  /** Distinct normalized emails of external participants, in meeting order, at most the limit. */
  readonly emails: readonly string[];
  /** External emails beyond the limit: reported, not looked up. */
  readonly overLimit: readonly string[];
  /** External participants without an email: nothing to match them by. */
  readonly withoutEmail: number;
}

/** External participants: not internal, not the organizer, each email once, first spelling wins. */
export function externalParticipants(meeting: Meeting): ExternalParticipants {
  const organizer = normalizeEmail(meeting.organizer.email);
  const internal = new Set<string>();
  for (const p of meeting.participants) {
    const email = normalizeEmail(p.email);
    if (p.internal && email !== null) internal.add(email);
  }
  const seen = new Set<string>();
  const emails: string[] = [];
  const overLimit: string[] = [];
  let withoutEmail = 0;
  for (const p of meeting.participants) {
    if (p.internal) continue;
    const email = normalizeEmail(p.email);
    if (email === null) {
      withoutEmail += 1;
      continue;
    }
    // Someone listed both as internal and external, or the organizer, is one of ours.
    if (email === organizer || internal.has(email) || seen.has(email)) continue;
    seen.add(email);
    if (emails.length < LOOKUP_EMAIL_LIMIT) emails.push(email);
    else overLimit.push(email);
  }
  return { emails, overLimit, withoutEmail };
}

/** Every email the look-up asks Users about: the organizer's (for the owner) and the external ones. */
export function userLookupEmails(meeting: Meeting): string[] {
  const organizer = normalizeEmail(meeting.organizer.email);
  const { emails } = externalParticipants(meeting);
  return organizer === null ? [...emails] : [organizer, ...emails];
}

/**
 * Hand-picked contact ids, each once (15- and 18-character forms are the same record), at most the
 * 50 an activity can relate: only those are looked up; the rest are reported over the limit.
 */
export function pickedContactIds(meeting: Meeting): { ids: string[]; overLimit: string[] } {
  const ids: string[] = [];
  const overLimit: string[] = [];
  const seen = new Set<string>();
  for (const id of meeting.associations?.contactIds ?? []) {
    const key = id.slice(0, 15);
    if (seen.has(key)) continue;
    seen.add(key);
    if (ids.length < PICKED_CONTACT_LIMIT) ids.push(id);
    else overLimit.push(id);
  }
  return { ids, overLimit };
}

/** Salesforce relates at most 50 contacts to one activity (with Shared Activities). */
export const PICKED_CONTACT_LIMIT = 50;
