/**
 * The sync's per-meeting decisions about its Event, as pure functions over what the look-up found:
 * enrich a calendar tool's Event or create ours (associations/calendar-match.ts), keep a person's
 * edits (plan/person-edits.ts), and how a later version or a delete tells an enriched Event from one
 * the sync created. No I/O: a batched sync can call these between its look-ups and its writes.
 *
 * Enriched or created. The store remembers it (`WrittenRecords.eventEnriched`). Without the store's
 * memory (a crash between the write and the save), the org says it: an Event the sync created always
 * ends its Description with the version footer (plan/meeting-plan.ts), and the sync never writes an
 * enriched Event's Description; an Event found by the meeting's id without that footer is enriched.
 * Should a person remove the footer from one of ours, a delete treats it as enriched and leaves it
 * in place, removing what the sync added: the safe side, nothing of another tool's is ever deleted.
 */
import {
  attendeeRecordIds,
  chooseCalendarEvent,
  type CalendarDecision,
  type CalendarEventRecord,
} from '../associations/calendar-match.ts';
import type { Associations } from '../associations/resolve.ts';
import type { Meeting } from '../meetings/schema.ts';
import { versionFromDescription, type MeetingPlan } from '../plan/meeting-plan.ts';
import { eventWrite, type EventWrite } from '../plan/person-edits.ts';
import type { ExistingDetail, FoundActivity, MeetingLookup } from '../salesforce/lookups.ts';
import type { AssociationSettings } from '../settings/association-settings.ts';
import type { OrgProfile } from '../domain/org-profile.ts';
import type { DroppedAssociation, LinkedAssociation, WrittenRecords } from '../domain/meeting-outcome.ts';

/** A new meeting's choice: a calendar tool's Event to enrich, or its own. */
export function calendarDecisionFor(
  meeting: Meeting,
  found: MeetingLookup,
  links: Associations,
  org: OrgProfile,
  settings: AssociationSettings,
): CalendarDecision {
  return chooseCalendarEvent({
    enabled: settings.calendarEventEnrichment.enabled,
    meeting,
    ownerId: links.ownerId ?? org.connectedUserId,
    attendeeIds: attendeeRecordIds(meeting, found.snapshot),
    events: found.calendarEvents,
  });
}

/** The decision as the meeting's status shows it, beside its links. */
export function decisionEntries(decision: CalendarDecision): {
  linked: LinkedAssociation[];
  dropped: DroppedAssociation[];
} {
  if (decision.kind === 'enrich') {
    return { linked: [{ recordId: decision.eventId, type: 'Event', why: decision.why }], dropped: [] };
  }
  if (decision.reason === 'ambiguous') {
    return {
      linked: [],
      dropped: decision.candidates.map((recordId) => ({ recordId, reason: 'calendar_event_ambiguous' })),
    };
  }
  return { linked: [], dropped: [] };
}

/** Whether the meeting's Event is a calendar tool's that the sync enriched (see the header). */
export function isEnrichedEvent(previous: WrittenRecords | null, event: FoundActivity | null): boolean {
  if (previous !== null && previous.eventId !== null) return previous.eventEnriched === true;
  return event !== null && versionFromDescription(event.description) === null;
}

/** What a later version writes on an existing Event, a person's edits kept (person-edits.ts). */
export function laterEventWrite(
  plan: MeetingPlan,
  event: FoundActivity,
  detail: ExistingDetail,
  previous: WrittenRecords | null,
  enriched: boolean,
): EventWrite {
  return eventWrite(
    planned(plan),
    {
      whoId: event.whoId,
      whatId: event.whatId,
      subject: event.subject ?? null,
      relationIds: [...detail.eventRelations, ...(detail.eventInvitees ?? [])].map((r) => r.relationId),
      lastModifiedById: event.lastModifiedById ?? null,
    },
    previous?.eventState ?? null,
    enriched,
  );
}

/** What the plan would write on the Event: the values a person's edit is told apart from. */
function planned(plan: MeetingPlan): Parameters<typeof eventWrite>[0] {
  const { whoId, whatId, subject, otherContactIds } = plan.event;
  return { whoId, whatId, subject, otherContactIds };
}

/** The person's kept changes as the status shows them (empty when none). */
export function keptEntries(
  eventId: string,
  write: EventWrite,
  lastModifiedById: string | null | undefined,
): DroppedAssociation[] {
  if (write.kept.length === 0) return [];
  return [
    {
      recordId: eventId,
      reason: 'kept_person_edit',
      fields: [...write.kept],
      ...(lastModifiedById == null ? {} : { by: lastModifiedById }),
    },
  ];
}

/** The first write on the calendar tool's Event the meeting enriches: fill, never overwrite. */
export function firstEnrichWrite(plan: MeetingPlan, event: CalendarEventRecord): EventWrite {
  return eventWrite(
    planned(plan),
    {
      whoId: event.whoId,
      whatId: event.whatId,
      subject: event.subject,
      relationIds: event.relationIds,
      lastModifiedById: null,
    },
    null,
    true,
  );
}

/** The package's field names the sync sets on an Event (cleared when an enriched meeting is deleted). */
export function packageFieldNames(org: OrgProfile): string[] {
  return Object.values(org.packageFields).filter((f): f is string => typeof f === 'string');
}
