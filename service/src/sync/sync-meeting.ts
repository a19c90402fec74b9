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
import { isNewContactRef, withCreatedIds, withoutNewContacts } from '../associations/new-contacts.ts';
import type { Associations } from '../associations/resolve.ts';
import type { Meeting } from '../meetings/schema.ts';
import { meetingMarker } from '../plan/marker.ts';
import { planMeeting, versionFromDescription } from '../plan/meeting-plan.ts';
import { renderSummaryAhead } from '../plan/summary-html.ts';
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

/**
 * When a lone meeting's summary is rendered after its look-up is sent (renderSummaryAhead): late
 * enough that the request has left (jsforce hands it to the socket within a few event-loop turns),
 * before Salesforce answers (a call takes tens of milliseconds or more). Earlier, the rendering would
 * hold the request back; if the answer comes first, the plan renders the summary as it always did.
 */
const RENDER_AHEAD_AFTER_MS = 5;

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
      // Rendering the summary needs nothing the look-up finds: done while it is in flight, when the
      // service would idle, the plan after it is shorter by that much.
      const summary = input.meeting.summary;
      const ahead = setTimeout(() => {
        try {
          renderSummaryAhead(summary);
        } catch {
          // the plan renders it again and meets the same error where it is handled
        }
      }, RENDER_AHEAD_AFTER_MS);
      let looked;
      try {
        looked = await lookUpAndResolve(conn, counter, org, input.meeting, previous, settings);
      } finally {
        clearTimeout(ahead);
      }
      const { found, links } = looked;
      decision = decideUpsert(input.meeting, previous, found, links, org, settings, input.relink === true);
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
  // Durably noted before it is sent: if this process dies or the answer is lost, the meeting is
  // not written again until this write can no longer land.
  if (decision.kind === 'create' && fence !== undefined) {
    try {
      await fence.beforeCreate();
    } catch (err) {
      throw err instanceof WriteFenceError ? err : new WriteFenceError((err as Error).message);
    }
  }
  let current: WriteDecision = decision;
  let responses;
  try {
    try {
      responses = await graph(conn, counter, 'meeting', current.nodes);
    } catch (err) {
      const next = withoutRefusedContacts(current, err);
      if (next === null) throw err;
      if (next.kind === 'done') return next.result;
      current = next;
      responses = await graph(conn, counter, 'meeting', current.nodes);
    }
  } catch (err) {
    // Refused with an answer: nothing can land later. No answer (timeout, network): keep the mark.
    if (decision.kind === 'create' && !isUnanswered(err)) await fence?.answered();
    throw err;
  }
  return writtenResult(current, responses);
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
 * - write: an update's or a deletion's graph; its outcome is known already (but for the ids of
 *   Contacts it creates for unknown guests);
 * - detail: a meeting already written first needs its relations and note links read.
 * A graph that creates Contacts for unknown guests carries `withoutContacts`: the same meeting
 * decided without them, sent if Salesforce refuses a Contact node (`withoutRefusedContacts`).
 */
export type Decision =
  | { readonly kind: 'done'; readonly result: SyncResult }
  | {
      readonly kind: 'create';
      readonly nodes: Subrequest[];
      /** The calendar tool's Event this meeting enriches instead of creating its own. */
      readonly enriches: string | null;
      readonly created: (responses: Map<string, SubResponse>) => SyncResult;
      readonly withoutContacts?: WithoutContacts;
    }
  | {
      readonly kind: 'write';
      readonly nodes: Subrequest[];
      readonly result: SyncResult;
      readonly withoutContacts?: WithoutContacts;
    }
  | {
      readonly kind: 'detail';
      readonly request: DetailRequest;
      readonly next: (detail: ExistingDetail) => Exclude<Decision, { kind: 'detail' }>;
    };

/** A decision that sends a graph. */
export type WriteDecision = Extract<Decision, { kind: 'create' | 'write' }>;

/** The meeting decided again without its new Contacts, each guest reported with Salesforce's words. */
type WithoutContacts = (detail: string) => Exclude<Decision, { kind: 'detail' }>;

const NEW_CONTACT_NODE = /^newContact\d+: /;

/**
 * What to send when a meeting's graph was refused because of one of its Contacts for unknown guests
 * (associations/new-contacts.ts): a record error on a Contact node (a customer's validation rule or
 * required field, a duplicate rule, no create permission on Contact) must not cost the meeting. The
 * graph was rolled back as a whole
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_introduction.htm),
 * so the same meeting is sent once more without the Contacts. Null for any other refusal. The lone
 * sync and a batch (sync-batch.ts) both ask this, so a refusal is handled the same either way.
 */
export function withoutRefusedContacts(
  decision: WriteDecision,
  err: unknown,
): Exclude<Decision, { kind: 'detail' }> | null {
  if (decision.withoutContacts === undefined) return null;
  if (!(err instanceof SalesforceError) || err.kind !== 'record' || !NEW_CONTACT_NODE.test(err.message))
    return null;
  // Salesforce's words only: the fix text an admin reads for a refused meeting record does not apply.
  const words = err.message.replace(NEW_CONTACT_NODE, '').replace(/ — Fix: [\s\S]*$/, '');
  return decision.withoutContacts(`${err.errorCode}: ${words}`);
}

/** A written graph's outcome, from its answer: the created Contacts' ids replace their references. */
export function writtenResult(decision: WriteDecision, responses: Map<string, SubResponse>): SyncResult {
  const idOf = (ref: string): string | null => (responses.has(ref) ? createdId(responses, ref) : null);
  return withCreatedIds(decision.kind === 'create' ? decision.created(responses) : decision.result, idOf);
}

const hasNewContacts = (links: Associations): boolean => (links.newContacts ?? []).length > 0;

/**
 * An upsert, from its look-up. Throws (not accessible) when a remembered record is hidden. `relink`
 * (a late match, a resync): the version already written is written again with today's links.
 */
export function decideUpsert(
  meeting: Meeting,
  previous: WrittenRecords | null,
  found: MeetingLookup,
  links: Associations,
  org: OrgProfile,
  settings: AssociationSettings,
  relink = false,
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
    const create = (l: Associations): WriteDecision => {
      const plan = planMeeting(meeting, l, org);
      // Beside other sync tools: a calendar tool's Event of this meeting is enriched, not duplicated.
      const decision = calendarDecisionFor(meeting, found, l, org, settings);
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
            l,
            entries.dropped,
            undefined,
            entries.linked,
          ),
        ...(hasNewContacts(l) ? { withoutContacts: (d: string) => create(withoutNewContacts(l, d)) } : {}),
      };
    };
    return create(links);
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
    ].filter((id) => !isNewContactRef(id)),
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
    // and keeps the remembered Event state as it was; a late match (relink) writes the same version
    // again, for the links that became possible.
    const versions = [liveEvent, liveTask].flatMap(
      (a) => versionFromDescription(a?.description ?? null) ?? [],
    );
    const newest = versions.length > 0 ? Math.max(...versions) : null;
    if (newest !== null && (meeting.version < newest || (meeting.version === newest && !relink)))
      return {
        kind: 'done',
        result: result('synced', unchanged, links, deletedByPerson, undefined, enrichedLink),
      };
    const update = (l: Associations): Exclude<Decision, { kind: 'detail' }> => {
      const plan = planMeeting(meeting, l, org);
      // A person's WhoId, WhatId, Subject or relations win over the plan (plan/person-edits.ts).
      const write = liveEvent === null ? null : laterEventWrite(plan, liveEvent, detail, previous, enriched);
      // Once written, what the sync wrote on the Event is remembered for the next version.
      const written: WrittenRecords =
        write === null ? unchanged : { ...unchanged, eventState: write.remember };
      const kept =
        liveEvent === null || write === null
          ? []
          : keptEntries(liveEvent.id, write, liveEvent.lastModifiedById);
      const synced = result('synced', written, l, [...deletedByPerson, ...kept], undefined, enrichedLink);
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
      if (nodes.length === 0) return { kind: 'done', result: synced };
      return {
        kind: 'write',
        nodes,
        result: synced,
        ...(hasNewContacts(l) ? { withoutContacts: (d: string) => update(withoutNewContacts(l, d)) } : {}),
      };
    };
    return update(links);
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
