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
 */
import { lookUpAndResolve } from './look-up-and-resolve.ts';
import { isNewContactRef, withCreatedIds, withoutNewContacts } from '../associations/new-contacts.ts';
import type { Associations } from '../associations/resolve.ts';
import type { Meeting } from '../meetings/schema.ts';
import { meetingMarker } from '../plan/marker.ts';
import { planMeeting, versionFromDescription } from '../plan/meeting-plan.ts';
import { CallCounter, createdId, graph, type SubResponse, type Subrequest } from '../salesforce/composite.ts';
import type { Connection } from '../salesforce/connection.ts';
import { SalesforceError, classifySalesforceError, isUnanswered } from '../salesforce/errors.ts';
import type { FoundActivity } from '../salesforce/lookups.ts';
import { lookUpExisting, lookUpMeeting } from '../salesforce/lookups.ts';
import { DEFAULT_SETTINGS, type AssociationSettings } from '../settings/association-settings.ts';
import { createNodes, deleteNodes, updateNodes } from '../salesforce/writes.ts';
import {
  WriteFenceError,
  type CreateFence,
  type DroppedAssociation,
  type OrgProfile,
  type SyncInput,
  type SyncOutcome,
  type WrittenRecords,
} from './types.ts';

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
  try {
    return input.kind === 'delete'
      ? await deleteMeeting(conn, org, input.meetingId, input.version, previous)
      : await upsertMeeting(conn, org, input.meeting, previous, settings, fence, input.relink === true);
  } catch (err) {
    throw classify(err);
  }
}

async function upsertMeeting(
  conn: Connection,
  org: OrgProfile,
  meeting: Meeting,
  previous: WrittenRecords | null,
  settings: AssociationSettings,
  fence: CreateFence | undefined,
  relink: boolean,
): Promise<SyncOutcome> {
  const counter = new CallCounter();
  const resolved = await lookUpAndResolve(conn, counter, org, meeting, previous, settings);
  const found = resolved.found;
  let links = resolved.links;

  const event = stateOf(found.event, previous?.eventId ?? null);
  const task = stateOf(found.task, previous?.taskId ?? null);
  if (event.kind === 'hidden') throw notAccessibleError('Event', event.id);
  if (task.kind === 'hidden') throw notAccessibleError('Task', task.id);
  // The three records are written together (one graph): if one of them exists, the others were
  // written too, and a missing one (absent here, its id unknown) was removed by a person.
  const written = event.kind !== 'absent' || task.kind !== 'absent' || (previous?.noteId ?? null) !== null;

  if (!written) {
    if (links.outcome === 'skipped') {
      return outcome(
        'skipped',
        { eventId: null, noteId: null, taskId: null },
        links,
        [],
        counter,
        links.skipReason ?? 'no_crm_match',
      );
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
      ({ responses, links } = await writeWithNewContacts(conn, counter, links, (l) =>
        createNodes(planMeeting(meeting, l, org), org),
      ));
    } catch (err) {
      // Refused with an answer: nothing can land later. No answer (timeout, network): keep the mark.
      if (!isUnanswered(err)) await fence?.answered();
      throw err;
    }
    return outcome(
      'synced',
      {
        eventId: createdId(responses, 'event'),
        noteId: createdId(responses, 'note'),
        taskId: createdId(responses, 'task'),
      },
      links,
      [],
      counter,
    );
  }

  const plan = planMeeting(meeting, links, org);
  const liveEvent = event.kind === 'live' ? found.event : null;
  const liveTask = task.kind === 'live' ? found.task : null;
  const detail = await lookUpExisting(
    conn,
    counter,
    org,
    liveEvent?.id ?? null,
    liveTask?.id ?? null,
    previous?.noteId ?? null,
    [
      ...plan.noteLinkIds,
      ...(liveEvent?.whoId == null ? [] : [liveEvent.whoId]),
      ...(liveEvent?.whatId == null ? [] : [liveEvent.whatId]),
    ].filter((id) => !isNewContactRef(id)),
  );
  const noteId = detail.note?.id ?? null;
  const deletedByPerson: DroppedAssociation[] = [];
  if (event.kind === 'deleted' && event.id !== '')
    deletedByPerson.push({ recordId: event.id, reason: DELETED_IN_SALESFORCE });
  if (task.kind === 'deleted' && task.id !== '')
    deletedByPerson.push({ recordId: task.id, reason: DELETED_IN_SALESFORCE });
  const previousNote = previous?.noteId ?? null;
  if (noteId === null && previousNote !== null)
    deletedByPerson.push({ recordId: previousNote, reason: DELETED_IN_SALESFORCE });
  const result: WrittenRecords = {
    eventId: idOf(event) || null,
    noteId: noteId ?? previousNote,
    taskId: idOf(task) || null,
  };

  // An older or equal version changes nothing (the Event and task say which version wrote them);
  // a late match (relink) writes the same version again, for the links that became possible.
  const versions = [liveEvent, liveTask].flatMap((a) => versionFromDescription(a?.description ?? null) ?? []);
  const newest = versions.length > 0 ? Math.max(...versions) : null;
  if (newest !== null && (meeting.version < newest || (meeting.version === newest && !relink))) {
    return outcome('synced', result, links, deletedByPerson, counter);
  }
  const targets = {
    event: liveEvent === null ? null : { id: liveEvent.id, whoId: liveEvent.whoId },
    task: liveTask === null ? null : { id: liveTask.id, whoId: liveTask.whoId },
    noteId,
  };
  ({ links } = await writeWithNewContacts(conn, counter, links, (l) =>
    updateNodes(planMeeting(meeting, l, org), org, targets, detail),
  ));
  return outcome('synced', result, links, deletedByPerson, counter);
}

/**
 * The meeting's graph, with the Contacts for unknown guests first (associations/new-contacts.ts).
 * A Contact node refused as a record error (a customer's validation rule or required field, a
 * duplicate rule, no create permission on Contact) must not cost the meeting: the graph was rolled
 * back as a whole, so it is sent once more without the Contacts, and each guest is reported
 * `contact_not_created` with Salesforce's words. Returns the links with the created Contacts' ids.
 */
async function writeWithNewContacts(
  conn: Connection,
  counter: CallCounter,
  links: Associations,
  nodesFor: (links: Associations) => Subrequest[],
): Promise<{ responses: Map<string, SubResponse>; links: Associations }> {
  let current = links;
  let responses: Map<string, SubResponse>;
  try {
    responses = await graph(conn, counter, 'meeting', nodesFor(current));
  } catch (err) {
    const refused =
      (current.newContacts ?? []).length > 0 &&
      err instanceof SalesforceError &&
      err.kind === 'record' &&
      /^newContact\d+: /.test(err.message);
    if (!refused) throw err;
    // Salesforce's words only: the fix text an admin reads for a refused meeting record does not apply.
    const words = err.message.replace(/^newContact\d+: /, '').replace(/ — Fix: [\s\S]*$/, '');
    current = withoutNewContacts(current, `${err.errorCode}: ${words}`);
    responses = await graph(conn, counter, 'meeting', nodesFor(current));
  }
  const created = withCreatedIds(current, (ref) => (responses.has(ref) ? createdId(responses, ref) : null));
  return { responses, links: created };
}

async function deleteMeeting(
  conn: Connection,
  org: OrgProfile,
  meetingId: string,
  version: number,
  previous: WrittenRecords | null,
): Promise<SyncOutcome> {
  const counter = new CallCounter();
  const found = await lookUpMeeting(conn, counter, org, meetingId, meetingMarker(meetingId), null, previous);
  // Hidden from the connected user: it cannot delete it, and must not claim the meeting deleted.
  const hiddenEvent = stateOf(found.event, previous?.eventId ?? null);
  if (hiddenEvent.kind === 'hidden') throw notAccessibleError('Event', hiddenEvent.id);
  const hiddenTask = stateOf(found.task, previous?.taskId ?? null);
  if (hiddenTask.kind === 'hidden') throw notAccessibleError('Task', hiddenTask.id);
  const event = found.event !== null && !found.event.isDeleted ? found.event : null;
  const task = found.task !== null && !found.task.isDeleted ? found.task : null;
  // A newer version than the deletion was written meanwhile: the deletion is stale.
  const writtenVersion = versionFromDescription(event?.description ?? null);
  if (writtenVersion !== null && writtenVersion > version) {
    return {
      state: 'synced',
      written: { eventId: event?.id ?? null, noteId: previous?.noteId ?? null, taskId: task?.id ?? null },
      linked: [],
      dropped: [],
      apiCalls: counter.count,
    };
  }
  let noteId: string | null = null;
  if (event !== null || (previous?.noteId ?? null) !== null) {
    const detail = await lookUpExisting(
      conn,
      counter,
      { ...org, sharedActivities: false },
      event?.id ?? null,
      null,
      previous?.noteId ?? null,
      [],
    );
    noteId = detail.note?.id ?? null;
  }
  await graph(conn, counter, 'deletion', deleteNodes(event?.id ?? null, noteId, task?.id ?? null));
  return {
    state: 'deleted',
    written: { eventId: null, noteId: null, taskId: null },
    linked: [],
    dropped: [],
    apiCalls: counter.count,
  };
}

function outcome(
  state: SyncOutcome['state'],
  written: WrittenRecords,
  links: Associations,
  extraDropped: readonly DroppedAssociation[],
  counter: CallCounter,
  reason?: string,
): SyncOutcome {
  return {
    state,
    ...(reason === undefined ? {} : { reason }),
    written,
    linked: links.linked,
    dropped: [...links.dropped, ...extraDropped],
    apiCalls: counter.count,
  };
}
