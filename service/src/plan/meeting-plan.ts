/**
 * The records one meeting becomes in Salesforce (CONTRACT §6), as plain data in the service's own
 * words: `salesforce/writes.ts` maps it onto Event, EventRelation, ContentNote, ContentDocumentLink,
 * Task and TaskRelation. Every text respects Salesforce's field limits:
 * Event/Task Subject 255, Description 32,000
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm),
 * ContentNote Title 255.
 */
import type { NewContact } from '../associations/new-contacts.ts';
import type { Associations } from '../associations/resolve.ts';
import { normalizeEmail } from '../associations/emails.ts';
import type { Meeting, MeetingClip, MeetingNote } from '../meetings/schema.ts';
import type { OrgProfile } from '../domain/org-profile.ts';
import { meetingMarker } from './marker.ts';
import { markdownToText, summaryNoteHtml } from './summary-html.ts';
import { cleanText, formatDuration, formatOffset, isWebUrl, oneLine, recordingAt, truncate } from './text.ts';

export const SUBJECT_MAX = 255;
export const DESCRIPTION_MAX = 32_000;
export const NOTE_TITLE_MAX = 255;
/** Package text fields are written at most this long, which fits any text field the package defines. */
export const PACKAGE_TEXT_MAX = 255;
/** Salesforce refuses Events longer than 14 days (FIELD_INTEGRITY_EXCEPTION on EndDateTime). */
export const MAX_EVENT_MS = 14 * 24 * 60 * 60 * 1000;
const SUMMARY_OPENING_MAX = 1_500;
const PARTICIPANTS_LISTED = 60;

export interface PlannedActivity {
  readonly subject: string;
  readonly description: string;
  readonly whoId: string | null;
  readonly whatId: string | null;
  readonly ownerId: string;
  /** Contacts related beyond the WhoId (Shared Activities only). */
  readonly otherContactIds: readonly string[];
}

export interface MeetingPlan {
  readonly meetingId: string;
  readonly version: number;
  /** The deterministic reference the sync finds its records by (plan/marker.ts). */
  readonly marker: string;
  readonly event: PlannedActivity & {
    readonly start: string;
    readonly end: string;
    /** Package fields, present only when the package is installed; keys are the package's API names. */
    readonly packageFields: Readonly<Record<string, string>>;
  };
  readonly note: { readonly title: string; readonly html: string };
  /** Records the note is linked to besides the Event: contacts, lead, accounts, opportunity. */
  readonly noteLinkIds: readonly string[];
  readonly task: PlannedActivity & { readonly activityDate: string; readonly completed: true };
  /** Contacts for unknown guests, created first in the same graph (associations/new-contacts.ts). */
  readonly newContacts: readonly NewContact[];
}

function personLabel(p: { email?: string | undefined; name?: string | undefined }): string {
  const name = p.name === undefined ? '' : oneLine(p.name);
  const email = normalizeEmail(p.email);
  if (name.length > 0 && email !== null) return `${name} <${email}>`;
  return name.length > 0 ? name : (email ?? 'unknown participant');
}

function whenText(meeting: Meeting): { text: string; minutes: number } {
  const start = new Date(meeting.startedAt);
  const end = new Date(meeting.endedAt);
  const minutes = Math.max(0, Math.round((end.getTime() - start.getTime()) / 60_000));
  const day = start.toISOString().slice(0, 10);
  const from = start.toISOString().slice(11, 16);
  const to = end.toISOString().slice(11, 16);
  return { text: `${day} ${from}–${to} UTC`, minutes };
}

function eventDescription(meeting: Meeting, summaryText: string): string {
  const { text: when, minutes } = whenText(meeting);
  const people = meeting.participants.map(personLabel);
  const listed = people.slice(0, PARTICIPANTS_LISTED).join(', ');
  const more = people.length > PARTICIPANTS_LISTED ? ` and ${people.length - PARTICIPANTS_LISTED} more` : '';
  const lines = [
    'Meeting recorded by Salescaling',
    `When: ${when} (${formatDuration(minutes)})`,
    `Organizer: ${personLabel(meeting.organizer)}`,
    `Participants: ${people.length === 0 ? 'none listed' : listed + more}`,
    `Recording: ${meeting.recordingUrl}`,
    '',
    'Summary:',
    summaryText.length === 0 ? 'No summary.' : truncate(summaryText, SUMMARY_OPENING_MAX),
  ];
  const footer = versionFooter(meeting.version);
  return truncate(cleanText(lines.join('\n')), DESCRIPTION_MAX - footer.length) + footer;
}

/** Ends the Event's and the task's description: which meeting version they were written from. */
function versionFooter(version: number): string {
  return `\n\nSynced from Salescaling · meeting version ${version}`;
}

/** The version the Event's description says it was written from (the footer above), if any. */
export function versionFromDescription(description: string | null): number | null {
  if (description === null) return null;
  const m = /Synced from Salescaling · meeting version (\d+)\s*$/.exec(description);
  return m?.[1] === undefined ? null : Number(m[1]);
}

interface Item {
  readonly at: number | null;
  readonly line: string;
}

function noteItem(note: MeetingNote, recordingUrl: string): Item {
  const text = oneLine(note.text);
  if (note.at === undefined) return { at: null, line: `• ${text}` };
  return { at: note.at, line: `• ${formatOffset(note.at)} ${text} — ${recordingAt(recordingUrl, note.at)}` };
}

function clipItem(clip: MeetingClip): Item {
  const title = oneLine(clip.title) || 'Clip';
  return {
    at: clip.startSec,
    line: `• ${formatOffset(clip.startSec)}–${formatOffset(clip.endSec)} Clip: ${title} — ${clip.url}`,
  };
}

/**
 * Notes and clips grouped under their smart category (categories in order of first appearance,
 * items by time, untimed notes last). When the whole text would pass 32,000 characters, the task
 * keeps whole items in order until the limit and ends with how many were left out and where to see
 * them all (the recording in Salescaling): nothing is cut mid-line.
 */
export function consolidatedNotes(meeting: Meeting, max: number = DESCRIPTION_MAX): string {
  const groups = new Map<string, Item[]>();
  const add = (category: string, item: Item): void => {
    const key = oneLine(category) || 'Other';
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  };
  for (const note of meeting.notes) add(note.category, noteItem(note, meeting.recordingUrl));
  for (const clip of meeting.clips) add(clip.category, clipItem(clip));

  const header = `Notes and clips from "${oneLine(meeting.title) || 'Untitled meeting'}"\nRecording: ${meeting.recordingUrl}`;
  if (groups.size === 0) return `${header}\n\nNo notes or clips were taken in this meeting.`;

  const total = meeting.notes.length + meeting.clips.length;
  const tail = (left: number): string =>
    `\n\n… ${left} more note${left === 1 ? '' : 's'} and clips not shown here; all are in Salescaling: ${meeting.recordingUrl}`;
  const budget = max - tail(total).length;
  let out = header;
  let written = 0;
  outer: for (const [category, items] of groups) {
    items.sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity));
    const heading = `\n\n${category}`;
    if (out.length + heading.length > budget) break;
    out += heading;
    for (const item of items) {
      const line = `\n${truncate(item.line, 4_000)}`;
      if (out.length + line.length > budget) break outer;
      out += line;
      written += 1;
    }
  }
  const result = written < total ? out + tail(total - written) : out;
  return truncate(cleanText(result), max);
}

/** The Event's end: never before its start, never more than 14 days after it. */
function eventEnd(meeting: Meeting): string {
  const start = Date.parse(meeting.startedAt);
  const end = Math.min(Math.max(Date.parse(meeting.endedAt), start), start + MAX_EVENT_MS);
  return new Date(end).toISOString();
}

export function planMeeting(meeting: Meeting, links: Associations, org: OrgProfile): MeetingPlan {
  const title = oneLine(meeting.title) || 'Untitled meeting';
  const summaryText = markdownToText(meeting.summary);
  const ownerId = links.ownerId ?? org.connectedUserId;
  const otherContactIds = org.sharedActivities ? links.contactIds.slice(1) : [];
  const recording = isWebUrl(meeting.recordingUrl) ? meeting.recordingUrl : null;

  const packageFields: Record<string, string> = {};
  const pf = org.packageFields;
  if (pf.meetingId !== undefined) packageFields[pf.meetingId] = meeting.id;
  if (pf.recordingUrl !== undefined && recording !== null) {
    packageFields[pf.recordingUrl] = truncate(recording, PACKAGE_TEXT_MAX);
  }
  if (pf.summaryPreview !== undefined) {
    packageFields[pf.summaryPreview] = truncate(oneLine(summaryText), PACKAGE_TEXT_MAX);
  }
  if (pf.attendees !== undefined) {
    packageFields[pf.attendees] = truncate(
      meeting.participants.map(personLabel).join(', '),
      PACKAGE_TEXT_MAX,
    );
  }

  const noteLinkIds = [
    ...links.contactIds,
    ...(links.leadId === null ? [] : [links.leadId]),
    ...links.accountIds,
    ...(links.opportunityId === null ? [] : [links.opportunityId]),
  ];
  const common = { whoId: links.whoId, whatId: links.whatId, ownerId, otherContactIds };
  return {
    meetingId: meeting.id,
    version: meeting.version,
    marker: meetingMarker(meeting.id),
    event: {
      ...common,
      subject: truncate(title, SUBJECT_MAX),
      description: eventDescription(meeting, summaryText),
      start: new Date(meeting.startedAt).toISOString(),
      end: eventEnd(meeting),
      packageFields,
    },
    note: {
      title: truncate(`Meeting summary: ${title}`, NOTE_TITLE_MAX),
      html: summaryNoteHtml(meeting.summary, recording),
    },
    noteLinkIds: [...new Set(noteLinkIds)],
    task: {
      ...common,
      subject: truncate(`Notes and clips: ${title}`, SUBJECT_MAX),
      description:
        consolidatedNotes(meeting, DESCRIPTION_MAX - versionFooter(meeting.version).length) +
        versionFooter(meeting.version),
      activityDate: new Date(meeting.startedAt).toISOString().slice(0, 10),
      completed: true,
    },
    newContacts: links.newContacts ?? [],
  };
}
