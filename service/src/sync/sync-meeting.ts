/**
 * Syncs one meeting into the org: look up, link, plan, write — exactly once.
 *
 * API calls: a new meeting costs 2 (one composite look-up, one composite/graph write); a meeting
 * already written costs 3 (the look-up, its relations and note links, the graph). Exactly once:
 * the look-up always searches the org for what this meeting already wrote (by the package's
 * meeting-id field, or the meeting's reference without the package), so a crash after the write and
 * before the caller saved the ids never creates a second Event; and the graph is all-or-nothing, so
 * there is never half a meeting to repair. A create write whose answer was lost (a kill, a timeout)
 * may still land after a new look-up found nothing: the caller's `CreateFence` notes it durably
 * before it is sent, and the worker does not sync that meeting again until it has settled (issue 14
 * item 1) — no unique field is needed, which Activity custom fields may not offer. A record found in
 * the recycle bin was deleted by a person and is not brought back (reported as dropped with reason
 * `deleted_in_salesforce`); a remembered record that is neither visible nor in the recycle bin is
 * hidden from the connected user (sharing), and the meeting fails with what an admin does about it.
 * Beside other sync tools (enrichment.ts): a new meeting whose Event a calendar tool already wrote
 * enriches that Event in the same 2 calls, and a later version or a delete follows it without
 * deleting it; a person's edit of the Event's WhoId, WhatId, Subject or relations survives later
 * versions (plan/person-edits.ts). A batch (sync-batch.ts) takes these same decisions.
 */
import { lookUpAndResolve } from './look-up-and-resolve.ts';
import type { Associations } from '../associations/resolve.ts';
import type { Meeting } from '../meetings/schema.ts';
import { meetingMarker } from '../plan/marker.ts';
import { planMeeting, versionFromDescription } from '../plan/meeting-plan.ts';
import { CallCounter, createdId, graph, type SubResponse, type Subrequest } from '../salesforce/composite.ts';
import type { Connection } from '../salesforce/connection.ts';
import { SalesforceError, classifySalesforceError, isUnanswered } from '../salesforce/errors.ts';
import type { ExistingDetail, FoundActivity, MeetingLookup } from '../salesforce/lookups.ts';
import { lookUpExisting, lookUpMeeting } from '../salesforce/lookups.ts';
import { DEFAULT_SETTINGS, type AssociationSettings } from '../settings/association-settings.ts';
import type { OrgProfile } from '../domain/org-profile.ts';
import type {
  DroppedAssociation,
  LinkedAssociation,
  SyncInput,
  SyncOutcome,
  WrittenRecords,
} from '../domain/meeting-outcome.ts';
import { WriteFenceError, type CreateFence } from './types.ts';
import {
  createNodes,
  deleteNodes,
  enrichNodes,
  enrichedDeleteNodes,
  updateNodes,
} from '../salesforce/writes.ts';
import { rememberCreated } from '../plan/person-edits.ts';
import {
  calendarDecisionFor,
  decisionEntries,
  firstEnrichWrite,
  isEnrichedEvent,
  keptEntries,
  laterEventWrite,
  packageFieldNames,
} from './enrichment.ts';

export const DELETED_IN_SALESFORCE = 'deleted_in_salesforce';

type State =
  | { kind: 'live'; id: string }
  | { kind: 'deleted'; id: string }
  | { kind: 'hidden'; id: string }
  | { kind: 'absent' };

/**
 * What became of one record: live; deleted by a person (found in the recycle bin by queryAll);
 * hidden (remembered, but neither visible nor in the recycle bin: sharing hides it from the connected
 * user, or it was purged — Salesforce does not tell these apart to a user who cannot see the record);
 * never written. https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
 */
function stateOf(found: FoundActivity | null, previousId: string | null): State {
  if (found !== null)
    return found.isDeleted ? { kind: 'deleted', id: found.id } : { kind: 'live', id: found.id };
  return previousId === null ? { kind: 'absent' } : { kind: 'hidden', id: previousId };
}

/**
 * A record this meeting wrote that the connected user can no longer see: nothing may be claimed as
 * synced (the org still holds the old record), and retrying will not help until an admin acts.
 */
export function notAccessibleError(object: 'Event' | 'Task', id: string): SalesforceError {
  return new SalesforceError(
    'record',
    'ENTITY_NOT_ACCESSIBLE',
    `The connected user can no longer see the ${object} ${id} this meeting wrote: it is neither ` +
      'visible to them nor in the recycle bin. With Private activity sharing a user sees only the ' +
      'activities they own (or those of users below them in the role hierarchy); set Activities to ' +
      'Controlled by Parent in Sharing Settings, or give the connected user a role above the sellers, ' +
      'then resync the meeting.',
  );
}

const idOf = (s: State): string | null => (s.kind === 'absent' ? null : s.id);

/** Errors of the fence are the shell's (lease, database), not Salesforce's: passed on as they are. */
function classify(err: unknown): unknown {
  return err instanceof WriteFenceError ? err : classifySalesforceError(err);
}

export async function syncMeeting(
  conn: Connection,
  org: OrgProfile,
  input: SyncInput,
  previous: WrittenRecords | null,
  settings: AssociationSettings = DEFAULT_SETTINGS,
  fence?: CreateFence,
): Promise<SyncOutcome> {
  const counter = new CallCounter();
  try {
    let decision: Decision;
    if (input.kind === 'delete') {
      const found = await lookUpMeeting(
        conn,
        counter,
        org,
        input.meetingId,
        meetingMarker(input.meetingId),
        null,
        previous,
      );
      decision = decideDelete(input.version, previous, found, org);
    } else {
      const { found, links } = await lookUpAndResolve(conn, counter, org, input.meeting, previous, settings);
      decision = decideUpsert(input.meeting, previous, found, links, org, settings);
    }
    if (decision.kind === 'detail') {
      const r = decision.request;
      const detail = await lookUpExisting(
        conn,
        counter,
        { ...org, sharedActivities: r.sharedActivities },
        r.eventId,
        r.taskId,
        r.knownNoteId,
        r.candidateLinkIds,
      );
      decision = decision.next(detail);
    }
    return { ...(await write(conn, counter, decision, fence)), apiCalls: counter.count };
  } catch (err) {
    throw classify(err);
  }
}

async function write(
  conn: Connection,
  counter: CallCounter,
  decision: Exclude<Decision, { kind: 'detail' }>,
  fence: CreateFence | undefined,
): Promise<SyncResult> {
  if (decision.kind === 'done') return decision.result;
  if (decision.kind === 'write') {
    await graph(conn, counter, 'meeting', decision.nodes);
    return decision.result;
  }
  // Durably noted before it is sent: if this process dies or the answer is lost, the meeting is
  // not written again until this write can no longer land.
  if (fence !== undefined) {
    try {
      await fence.beforeCreate();
    } catch (err) {
      throw err instanceof WriteFenceError ? err : new WriteFenceError((err as Error).message);
    }
  }
  let responses;
  try {
    responses = await graph(conn, counter, 'meeting', decision.nodes);
  } catch (err) {
    // Refused with an answer: nothing can land later. No answer (timeout, network): keep the mark.
    if (!isUnanswered(err)) await fence?.answered();
    throw err;
  }
  return decision.created(responses);
}

/** A sync's outcome before the calls it spent are counted (a batch shares them). */
export type SyncResult = Omit<SyncOutcome, 'apiCalls'>;

/** The relations and note links a meeting already written needs read (lookups.ts lookUpExisting). */
export interface DetailRequest {
  readonly sharedActivities: boolean;
  readonly eventId: string | null;
  readonly taskId: string | null;
  readonly knownNoteId: string | null;
  readonly candidateLinkIds: readonly string[];
}

/**
 * What one meeting needs, decided from what its look-up found; the lone sync and a batch
 * (sync-batch.ts) both ask these functions, so a meeting is decided the same either way:
 * - done: nothing to write (skipped, stale, the same version again);
 * - create: a new meeting's graph (its own Event, or a calendar tool's it enriches: `enriches`); its
 *   outcome comes from the graph's answer (`created`);
 * - write: an update's or a deletion's graph; its outcome is known already;
 * - detail: a meeting already written first needs its relations and note links read.
 */
export type Decision =
  | { readonly kind: 'done'; readonly result: SyncResult }
  | {
      readonly kind: 'create';
      readonly nodes: Subrequest[];
      /** The calendar tool's Event this meeting enriches instead of creating its own. */
      readonly enriches: string | null;
      readonly created: (responses: Map<string, SubResponse>) => SyncResult;
    }
  | { readonly kind: 'write'; readonly nodes: Subrequest[]; readonly result: SyncResult }
  | {
      readonly kind: 'detail';
      readonly request: DetailRequest;
      readonly next: (detail: ExistingDetail) => Exclude<Decision, { kind: 'detail' }>;
    };

/** An upsert, from its look-up. Throws (not accessible) when a remembered record is hidden. */
export function decideUpsert(
  meeting: Meeting,
  previous: WrittenRecords | null,
  found: MeetingLookup,
  links: Associations,
  org: OrgProfile,
  settings: AssociationSettings,
): Decision {
  const event = stateOf(found.event, previous?.eventId ?? null);
  const task = stateOf(found.task, previous?.taskId ?? null);
  if (event.kind === 'hidden') throw notAccessibleError('Event', event.id);
  if (task.kind === 'hidden') throw notAccessibleError('Task', task.id);
  // The three records are written together (one graph): if one of them exists, the others were
  // written too, and a missing one (absent here, its id unknown) was removed by a person.
  const written = event.kind !== 'absent' || task.kind !== 'absent' || (previous?.noteId ?? null) !== null;

  if (!written) {
    if (links.outcome === 'skipped') {
      return {
        kind: 'done',
        result: result(
          'skipped',
          { eventId: null, noteId: null, taskId: null },
          links,
          [],
          links.skipReason ?? 'no_crm_match',
        ),
      };
    }
    const plan = planMeeting(meeting, links, org);
    // Beside other sync tools: a calendar tool's Event of this meeting is enriched, not duplicated.
    const decision = calendarDecisionFor(meeting, found, links, org, settings);
    const entries = decisionEntries(decision);
    const chosen =
      decision.kind === 'enrich' ? found.calendarEvents.find((e) => e.id === decision.eventId) : undefined;
    const enrichWrite = chosen === undefined ? null : firstEnrichWrite(plan, chosen);
    return {
      kind: 'create',
      nodes:
        chosen === undefined || enrichWrite === null
          ? createNodes(plan, org)
          : enrichNodes(plan, org, chosen, enrichWrite),
      enriches: chosen?.id ?? null,
      created: (responses) =>
        result(
          'synced',
          {
            eventId: chosen?.id ?? createdId(responses, 'event'),
            noteId: createdId(responses, 'note'),
            taskId: createdId(responses, 'task'),
            ...(chosen === undefined ? {} : { eventEnriched: true }),
            eventState: enrichWrite?.remember ?? rememberCreated(plan.event),
          },
          links,
          entries.dropped,
          undefined,
          entries.linked,
        ),
    };
  }

  const plan = planMeeting(meeting, links, org);
  const liveEvent = event.kind === 'live' ? found.event : null;
  const liveTask = task.kind === 'live' ? found.task : null;
  const request: DetailRequest = {
    sharedActivities: org.sharedActivities,
    eventId: liveEvent?.id ?? null,
    taskId: liveTask?.id ?? null,
    knownNoteId: previous?.noteId ?? null,
    candidateLinkIds: [
      ...plan.noteLinkIds,
      ...(liveEvent?.whoId == null ? [] : [liveEvent.whoId]),
      ...(liveEvent?.whatId == null ? [] : [liveEvent.whatId]),
    ],
  };
  const next = (detail: ExistingDetail): Exclude<Decision, { kind: 'detail' }> => {
    const noteId = detail.note?.id ?? null;
    const deletedByPerson: DroppedAssociation[] = [];
    if (event.kind === 'deleted' && event.id !== '')
      deletedByPerson.push({ recordId: event.id, reason: DELETED_IN_SALESFORCE });
    if (task.kind === 'deleted' && task.id !== '')
      deletedByPerson.push({ recordId: task.id, reason: DELETED_IN_SALESFORCE });
    const previousNote = previous?.noteId ?? null;
    if (noteId === null && previousNote !== null)
      deletedByPerson.push({ recordId: previousNote, reason: DELETED_IN_SALESFORCE });
    const enriched = isEnrichedEvent(previous, liveEvent);
    // A person's WhoId, WhatId, Subject or relations win over the plan (plan/person-edits.ts).
    const write = liveEvent === null ? null : laterEventWrite(plan, liveEvent, detail, previous, enriched);
    const unchanged: WrittenRecords = {
      eventId: idOf(event) || null,
      noteId: noteId ?? previousNote,
      taskId: idOf(task) || null,
      ...(enriched && idOf(event) ? { eventEnriched: true } : {}),
      ...(previous?.eventState === undefined ? {} : { eventState: previous.eventState }),
    };
    const enrichedLink: LinkedAssociation[] =
      enriched && liveEvent !== null
        ? [{ recordId: liveEvent.id, type: 'Event', why: 'calendar_event_enriched' }]
        : [];
    // An older or equal version changes nothing (the Event and task say which version wrote them),
    // and keeps the remembered Event state as it was.
    const versions = [liveEvent, liveTask].flatMap(
      (a) => versionFromDescription(a?.description ?? null) ?? [],
    );
    if (versions.length > 0 && meeting.version <= Math.max(...versions))
      return {
        kind: 'done',
        result: result('synced', unchanged, links, deletedByPerson, undefined, enrichedLink),
      };
    // Once written, what the sync wrote on the Event is remembered for the next version.
    const written: WrittenRecords = write === null ? unchanged : { ...unchanged, eventState: write.remember };
    const kept =
      liveEvent === null || write === null
        ? []
        : keptEntries(liveEvent.id, write, liveEvent.lastModifiedById);
    const synced = result('synced', written, links, [...deletedByPerson, ...kept], undefined, enrichedLink);
    // With a memory of its writes the sync keeps others' relations (invitees included); without one
    // (Events written before it was kept) the relations follow the plan, as they always did.
    const remembered = enriched || previous?.eventState !== undefined;
    const nodes = updateNodes(
      plan,
      org,
      {
        event:
          liveEvent === null || write === null
            ? null
            : { id: liveEvent.id, whoId: liveEvent.whoId, write, enriched },
        task: liveTask === null ? null : { id: liveTask.id, whoId: liveTask.whoId },
        noteId,
      },
      remembered
        ? { ...detail, eventRelations: [...detail.eventRelations, ...(detail.eventInvitees ?? [])] }
        : detail,
    );
    return nodes.length === 0 ? { kind: 'done', result: synced } : { kind: 'write', nodes, result: synced };
  };
  return { kind: 'detail', request, next };
}

/** A deletion, from its look-up (`lookUpMeeting` without a meeting). */
export function decideDelete(
  version: number,
  previous: WrittenRecords | null,
  found: MeetingLookup,
  org: OrgProfile,
): Decision {
  // Hidden from the connected user: it cannot delete it, and must not claim the meeting deleted.
  const hiddenEvent = stateOf(found.event, previous?.eventId ?? null);
  if (hiddenEvent.kind === 'hidden') throw notAccessibleError('Event', hiddenEvent.id);
  const hiddenTask = stateOf(found.task, previous?.taskId ?? null);
  if (hiddenTask.kind === 'hidden') throw notAccessibleError('Task', hiddenTask.id);
  const event = found.event !== null && !found.event.isDeleted ? found.event : null;
  const task = found.task !== null && !found.task.isDeleted ? found.task : null;
  // A newer version than the deletion was written meanwhile: the deletion is stale. (An enriched
  // Event carries no version; its task does.)
  const writtenVersions = [event, task].flatMap((a) => versionFromDescription(a?.description ?? null) ?? []);
  const writtenVersion = writtenVersions.length === 0 ? null : Math.max(...writtenVersions);
  if (writtenVersion !== null && writtenVersion > version) {
    return {
      kind: 'done',
      result: {
        state: 'synced',
        written: { eventId: event?.id ?? null, noteId: previous?.noteId ?? null, taskId: task?.id ?? null },
        linked: [],
        dropped: [],
      },
    };
  }
  const deleted: SyncResult = {
    state: 'deleted',
    written: { eventId: null, noteId: null, taskId: null },
    linked: [],
    dropped: [],
  };
  if (event !== null && isEnrichedEvent(previous, event)) {
    // A calendar tool's Event: remove what the sync added, leave the Event (enrichment.ts).
    return {
      kind: 'detail',
      request: {
        sharedActivities: org.sharedActivities,
        eventId: event.id,
        taskId: null,
        knownNoteId: previous?.noteId ?? null,
        candidateLinkIds: [],
      },
      next: (detail) => {
        // Only the note the store remembers: a document another tool linked to the Event is not ours.
        const ownNote = (previous?.noteId ?? null) === null ? null : (detail.note?.id ?? null);
        const nodes = enrichedDeleteNodes(
          event,
          previous?.eventState,
          detail.eventRelations,
          packageFieldNames(org),
          ownNote,
          task?.id ?? null,
        );
        return nodes.length === 0
          ? { kind: 'done', result: deleted }
          : { kind: 'write', nodes, result: deleted };
      },
    };
  }
  const finish = (noteId: string | null): Exclude<Decision, { kind: 'detail' }> => {
    const nodes = deleteNodes(event?.id ?? null, noteId, task?.id ?? null);
    return nodes.length === 0 ? { kind: 'done', result: deleted } : { kind: 'write', nodes, result: deleted };
  };
  if (event === null && (previous?.noteId ?? null) === null) return finish(null);
  return {
    kind: 'detail',
    request: {
      sharedActivities: false,
      eventId: event?.id ?? null,
      taskId: null,
      knownNoteId: previous?.noteId ?? null,
      candidateLinkIds: [],
    },
    next: (detail) => finish(detail.note?.id ?? null),
  };
}

function result(
  state: SyncOutcome['state'],
  written: WrittenRecords,
  links: Associations,
  extraDropped: readonly DroppedAssociation[],
  reason?: string,
  extraLinked: readonly LinkedAssociation[] = [],
): SyncResult {
  return {
    state,
    ...(reason === undefined ? {} : { reason }),
    written,
    linked: [...links.linked, ...extraLinked],
    dropped: [...links.dropped, ...extraDropped],
  };
}
