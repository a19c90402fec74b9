/**
 * The meeting plan as Salesforce records, written in one composite/graph call (all or nothing):
 * - Event with WhoId (the first contact, or the lead) and WhatId; with Shared Activities, Salesforce
 *   itself keeps the EventRelation rows for WhoId and WhatId, and every other contact gets an
 *   EventRelation with IsParent true and IsInvitee false: related, not invited, so nobody receives a
 *   calendar invitation (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventrelation.htm);
 * - ContentNote with the HTML summary (Content is base64), linked by ContentDocumentLink to the Event
 *   and to every linked record (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentdocumentlink.htm);
 * - a completed Task with the consolidated notes, and TaskRelation rows for the other contacts.
 * Updates patch the same records and add or remove relations and links to match the plan.
 */
import type { MeetingPlan } from '../plan/meeting-plan.ts';
import type { OrgProfile } from '../domain/org-profile.ts';
import type { EventWrite, WrittenEventState } from '../plan/person-edits.ts';
import { sameSalesforceId } from '../associations/emails.ts';
import type { Subrequest } from './composite.ts';
import { segment } from './composite.ts';
import type { ExistingDetail, RelationRow } from './lookups.ts';
import { referenceField } from './lookups.ts';

const ref = (id: string): string => `@{${id}.id}`;

/**
 * Whether a new activity is created as the connected user and handed to its owner last. With activities
 * Controlled by Parent, a user who does not own an activity may edit it (add its EventRelation or
 * TaskRelation rows, link the note to it) only with edit access to the records it is related to; a
 * Standard User connecting for the integration often has read only on them (Opportunity is Public Read
 * Only in many orgs). Created by the connected user, the activity is its own while the relations and
 * links are added; the owner change comes last in the same all-or-nothing graph.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm
 * (Controlled by Parent: https://help.salesforce.com/s/articleView?id=sf.security_sharing_owd_about.htm)
 */
function handOver(ownerId: string, org: OrgProfile): boolean {
  return !sameSalesforceId(ownerId, org.connectedUserId);
}

function eventFields(plan: MeetingPlan, org: OrgProfile, creating: boolean): Record<string, unknown> {
  const reference = referenceField(org, 'Event');
  return {
    Subject: plan.event.subject,
    StartDateTime: plan.event.start,
    EndDateTime: plan.event.end,
    // null: the org's restricted Type picklist has no "Meeting"; the Event is written without a Type.
    ...(org.eventType === null ? {} : { Type: org.eventType ?? 'Meeting' }),
    Description: plan.event.description,
    WhoId: plan.event.whoId,
    WhatId: plan.event.whatId,
    // Private events cannot be related to records, and the meeting is for the team to see.
    IsPrivate: false,
    ...(reference.byMeetingId ? {} : { [reference.field]: plan.marker }),
    ...plan.event.packageFields,
    // A person may have given the Event to someone else since; updates leave the owner alone. A new
    // Event owned by someone else is created as the connected user and handed over last (handOver).
    ...(creating && !handOver(plan.event.ownerId, org) ? { OwnerId: plan.event.ownerId } : {}),
  };
}

function taskFields(plan: MeetingPlan, org: OrgProfile, creating: boolean): Record<string, unknown> {
  const reference = referenceField(org, 'Task');
  return {
    Subject: plan.task.subject,
    Description: plan.task.description,
    ActivityDate: plan.task.activityDate,
    Status: 'Completed',
    Priority: 'Normal',
    WhoId: plan.task.whoId,
    WhatId: plan.task.whatId,
    ...(reference.byMeetingId ? {} : { [reference.field]: plan.marker }),
    // The package's fields are on Activity, so the task carries them too.
    ...plan.event.packageFields,
    ...(creating && !handOver(plan.task.ownerId, org) ? { OwnerId: plan.task.ownerId } : {}),
  };
}

function noteFields(plan: MeetingPlan): Record<string, unknown> {
  return { Title: plan.note.title, Content: Buffer.from(plan.note.html, 'utf8').toString('base64') };
}

function linkNode(referenceId: string, noteRef: string, entity: string): Subrequest {
  return {
    method: 'POST',
    referenceId,
    url: '/sobjects/ContentDocumentLink',
    // V: viewers of the linked record may read the note; AllUsers: visible to every user with access.
    body: { ContentDocumentId: noteRef, LinkedEntityId: entity, ShareType: 'V', Visibility: 'AllUsers' },
  };
}

/**
 * Contacts for unknown guests, first in the graph so every later node may name them by reference
 * (associations/new-contacts.ts). Name and email only, under the Account their domain named.
 */
function newContactNodes(plan: MeetingPlan): Subrequest[] {
  return plan.newContacts.map((c) => ({
    method: 'POST',
    referenceId: c.referenceId,
    url: '/sobjects/Contact',
    body: {
      ...(c.firstName === null ? {} : { FirstName: c.firstName }),
      LastName: c.lastName,
      Email: c.email,
      AccountId: c.accountId,
    },
  }));
}

/** A new meeting: every record in one graph. */
export function createNodes(plan: MeetingPlan, org: OrgProfile): Subrequest[] {
  const nodes: Subrequest[] = [
    ...newContactNodes(plan),
    { method: 'POST', referenceId: 'event', url: '/sobjects/Event', body: eventFields(plan, org, true) },
  ];
  plan.event.otherContactIds.forEach((contactId, i) => {
    nodes.push({
      method: 'POST',
      referenceId: `eventRelation${i}`,
      url: '/sobjects/EventRelation',
      body: { EventId: ref('event'), RelationId: contactId, IsParent: true, IsInvitee: false },
    });
  });
  nodes.push(...noteAndTaskNodes(plan, org, ref('event')));
  // Last: the owner change, once every relation and link is in place (see handOver).
  if (handOver(plan.event.ownerId, org)) {
    nodes.push({
      method: 'PATCH',
      referenceId: 'eventOwner',
      url: `/sobjects/Event/${ref('event')}`,
      body: { OwnerId: plan.event.ownerId },
    });
  }
  nodes.push(...taskOwnerNode(plan, org));
  return nodes;
}

/**
 * The fields the sync writes on a calendar tool's Event it enriches (CONTRACT §7.10): the package's
 * fields (meeting id, recording, summary preview, attendees) and WhoId/WhatId where person-edits.ts
 * says so. Subject, times, Description, Location, Type, privacy and owner stay the tool's.
 */
function enrichedEventFields(plan: MeetingPlan, write: EventWrite): Record<string, unknown> {
  return {
    ...(write.whoId === undefined ? {} : { WhoId: write.whoId }),
    ...(write.whatId === undefined ? {} : { WhatId: write.whatId }),
    ...plan.event.packageFields,
  };
}

/**
 * A new meeting whose Event a calendar tool already wrote: that Event is enriched (its fields and
 * related contacts, added beside the tool's invitees, never removing one) and the note and task are
 * created and linked to it, in one graph.
 */
export function enrichNodes(
  plan: MeetingPlan,
  org: OrgProfile,
  event: { readonly id: string; readonly relationIds: readonly string[] },
  write: EventWrite,
): Subrequest[] {
  const nodes: Subrequest[] = [];
  const fields = enrichedEventFields(plan, write);
  if (Object.keys(fields).length > 0) {
    nodes.push({
      method: 'PATCH',
      referenceId: 'event',
      url: `/sobjects/Event/${segment(event.id)}`,
      body: fields,
    });
  }
  if (org.sharedActivities) {
    write.otherContactIds
      .filter((id) => !has(event.relationIds, id))
      .forEach((contactId, i) =>
        nodes.push({
          method: 'POST',
          referenceId: `eventRelation${i}`,
          url: '/sobjects/EventRelation',
          body: { EventId: event.id, RelationId: contactId, IsParent: true, IsInvitee: false },
        }),
      );
  }
  nodes.push(...noteAndTaskNodes(plan, org, event.id));
  nodes.push(...taskOwnerNode(plan, org));
  return nodes;
}

/** The summary note linked to the Event and the records, and the task with its relations. */
function noteAndTaskNodes(plan: MeetingPlan, org: OrgProfile, eventEntity: string): Subrequest[] {
  const nodes: Subrequest[] = [];
  nodes.push({ method: 'POST', referenceId: 'note', url: '/sobjects/ContentNote', body: noteFields(plan) });
  nodes.push(linkNode('noteLinkEvent', ref('note'), eventEntity));
  plan.noteLinkIds.forEach((id, i) => nodes.push(linkNode(`noteLink${i}`, ref('note'), id)));
  nodes.push({
    method: 'POST',
    referenceId: 'task',
    url: '/sobjects/Task',
    body: taskFields(plan, org, true),
  });
  plan.task.otherContactIds.forEach((contactId, i) => {
    nodes.push({
      method: 'POST',
      referenceId: `taskRelation${i}`,
      url: '/sobjects/TaskRelation',
      body: { TaskId: ref('task'), RelationId: contactId, IsWhat: false },
    });
  });
  return nodes;
}

function taskOwnerNode(plan: MeetingPlan, org: OrgProfile): Subrequest[] {
  if (!handOver(plan.task.ownerId, org)) return [];
  return [
    {
      method: 'PATCH',
      referenceId: 'taskOwner',
      url: `/sobjects/Task/${ref('task')}`,
      body: { OwnerId: plan.task.ownerId },
    },
  ];
}

const has = (ids: readonly string[], id: string): boolean => ids.some((x) => sameSalesforceId(x, id));

/**
 * Relation changes for one activity. Salesforce replaces the old WhoId's relation when WhoId changes
 * and refuses a lead beside contacts, so: first remove the relations no longer wanted (never the
 * current WhoId's), then patch the activity, then add what is missing.
 */
function relationDiff(
  current: readonly RelationRow[],
  currentWhoId: string | null,
  wanted: readonly string[],
  newWhoId: string | null,
): { remove: RelationRow[]; add: string[] } {
  const isOldWho = (r: RelationRow): boolean =>
    currentWhoId !== null && sameSalesforceId(r.relationId, currentWhoId);
  const remove = current.filter(
    (r) =>
      !isOldWho(r) &&
      !has(wanted, r.relationId) &&
      !(newWhoId !== null && sameSalesforceId(r.relationId, newWhoId)),
  );
  const after = current
    .filter((r) => !isOldWho(r) && !remove.includes(r))
    .map((r) => r.relationId)
    .concat(newWhoId === null ? [] : [newWhoId]);
  const add = wanted.filter((id) => !has(after, id));
  return { remove, add };
}

export interface UpdateTargets {
  readonly event: {
    readonly id: string;
    readonly whoId: string | null;
    /** What person-edits.ts says to write; absent: the plan as it is (no memory of our writes). */
    readonly write?: EventWrite;
    /** A calendar tool's Event the sync enriched: only enrichedEventFields are written. */
    readonly enriched?: boolean;
  } | null;
  readonly task: { readonly id: string; readonly whoId: string | null } | null;
  readonly noteId: string | null;
}

/** An update: patch what still exists, relations and links added and removed to match the plan. */
export function updateNodes(
  plan: MeetingPlan,
  org: OrgProfile,
  targets: UpdateTargets,
  detail: ExistingDetail,
): Subrequest[] {
  const nodes: Subrequest[] = newContactNodes(plan);
  if (targets.event !== null) {
    const id = targets.event.id;
    const write = targets.event.write;
    const diff = relationDiff(
      detail.eventRelations,
      targets.event.whoId,
      write?.otherContactIds ?? plan.event.otherContactIds,
      write === undefined ? plan.event.whoId : write.whoId === undefined ? targets.event.whoId : write.whoId,
    );
    diff.remove.forEach((r, i) =>
      nodes.push({
        method: 'DELETE',
        referenceId: `eventRelationOut${i}`,
        url: `/sobjects/EventRelation/${segment(r.id)}`,
      }),
    );
    let body: Record<string, unknown>;
    if (write === undefined) body = eventFields(plan, org, false);
    else if (targets.event.enriched === true) body = enrichedEventFields(plan, write);
    else {
      // A person's WhoId, WhatId or Subject is kept: the field is left out of the patch.
      body = eventFields(plan, org, false);
      if (write.whoId === undefined) delete body['WhoId'];
      if (write.whatId === undefined) delete body['WhatId'];
      if (write.subject === undefined) delete body['Subject'];
    }
    nodes.push({ method: 'PATCH', referenceId: 'event', url: `/sobjects/Event/${segment(id)}`, body });
    if (org.sharedActivities) {
      diff.add.forEach((contactId, i) =>
        nodes.push({
          method: 'POST',
          referenceId: `eventRelationIn${i}`,
          url: '/sobjects/EventRelation',
          body: { EventId: id, RelationId: contactId, IsParent: true, IsInvitee: false },
        }),
      );
    }
  }
  if (targets.noteId !== null) {
    const noteId = targets.noteId;
    nodes.push({
      method: 'PATCH',
      referenceId: 'note',
      url: `/sobjects/ContentNote/${segment(noteId)}`,
      body: noteFields(plan),
    });
    const wanted = [...(targets.event === null ? [] : [targets.event.id]), ...plan.noteLinkIds];
    const links = detail.note?.links ?? [];
    // Only links to records the meeting can link to are managed; the owner's and others stay.
    const managed = links.filter((l) => /^(003|00Q|001|006|00U)/.test(l.linkedEntityId));
    managed
      .filter((l) => !has(wanted, l.linkedEntityId))
      .forEach((l, i) =>
        nodes.push({
          method: 'DELETE',
          referenceId: `noteLinkOut${i}`,
          url: `/sobjects/ContentDocumentLink/${segment(l.id)}`,
        }),
      );
    wanted
      .filter((id) => !links.some((l) => sameSalesforceId(l.linkedEntityId, id)))
      .forEach((id, i) => nodes.push(linkNode(`noteLinkIn${i}`, noteId, id)));
  }
  if (targets.task !== null) {
    const id = targets.task.id;
    const diff = relationDiff(
      detail.taskRelations,
      targets.task.whoId,
      plan.task.otherContactIds,
      plan.task.whoId,
    );
    diff.remove.forEach((r, i) =>
      nodes.push({
        method: 'DELETE',
        referenceId: `taskRelationOut${i}`,
        url: `/sobjects/TaskRelation/${segment(r.id)}`,
      }),
    );
    nodes.push({
      method: 'PATCH',
      referenceId: 'task',
      url: `/sobjects/Task/${segment(id)}`,
      body: taskFields(plan, org, false),
    });
    if (org.sharedActivities) {
      diff.add.forEach((contactId, i) =>
        nodes.push({
          method: 'POST',
          referenceId: `taskRelationIn${i}`,
          url: '/sobjects/TaskRelation',
          body: { TaskId: id, RelationId: contactId, IsWhat: false },
        }),
      );
    }
  }
  return nodes;
}

/** meeting.deleted: the Event (its relations go with it), the note (its links go with it), the task. */
export function deleteNodes(
  eventId: string | null,
  noteId: string | null,
  taskId: string | null,
): Subrequest[] {
  const nodes: Subrequest[] = [];
  if (eventId !== null)
    nodes.push({ method: 'DELETE', referenceId: 'event', url: `/sobjects/Event/${segment(eventId)}` });
  if (noteId !== null)
    nodes.push({ method: 'DELETE', referenceId: 'note', url: `/sobjects/ContentNote/${segment(noteId)}` });
  if (taskId !== null)
    nodes.push({ method: 'DELETE', referenceId: 'task', url: `/sobjects/Task/${segment(taskId)}` });
  return nodes;
}

/**
 * meeting.deleted for an Event a calendar tool wrote and the sync enriched: what the sync added goes
 * (its note, its task, the relations it added, the WhoId/WhatId it filled while they still hold what
 * it wrote, the package's fields) and the tool's Event stays.
 */
export function enrichedDeleteNodes(
  event: { readonly id: string; readonly whoId: string | null; readonly whatId: string | null },
  state: WrittenEventState | undefined,
  relations: readonly RelationRow[],
  packageFieldNames: readonly string[],
  noteId: string | null,
  taskId: string | null,
): Subrequest[] {
  const nodes: Subrequest[] = [];
  const ours = state?.relationIds ?? [];
  relations
    .filter(
      (r) =>
        has(ours, r.relationId) && !(event.whoId !== null && sameSalesforceId(r.relationId, event.whoId)),
    )
    .forEach((r, i) =>
      nodes.push({
        method: 'DELETE',
        referenceId: `eventRelationOut${i}`,
        url: `/sobjects/EventRelation/${segment(r.id)}`,
      }),
    );
  const stillOurs = (wrote: string | null | undefined, current: string | null): boolean =>
    wrote !== undefined && wrote !== null && current !== null && sameSalesforceId(wrote, current);
  const body: Record<string, unknown> = Object.fromEntries(packageFieldNames.map((f) => [f, null]));
  if (stillOurs(state?.whoId, event.whoId)) body['WhoId'] = null;
  if (stillOurs(state?.whatId, event.whatId)) body['WhatId'] = null;
  if (Object.keys(body).length > 0) {
    nodes.push({ method: 'PATCH', referenceId: 'event', url: `/sobjects/Event/${segment(event.id)}`, body });
  }
  return [...nodes, ...deleteNodes(null, noteId, taskId)];
}
