/**
 * A person's edit wins (CONTRACT §7.11): what a later version of a meeting writes on its Event when a
 * person changed the Event's WhoId, WhatId, subject or related contacts in Salesforce since the sync
 * last wrote them. Pure: the sync remembers what it wrote (`WrittenEventState`, kept with the ids it
 * stores) and reads the Event's current values; a field whose current value differs from what the
 * sync last wrote was changed by someone else, and keeps their value.
 *
 * Why remembered values and not LastModifiedById alone: LastModifiedById names the last user who
 * saved the record, not which field they changed, and any later save (a calendar tool refreshing the
 * Description, the connected user itself) replaces it
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/system_fields.htm).
 * It is reported beside the kept fields (who last changed the Event), never used to decide alone.
 * Related contacts are EventRelation rows (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventrelation.htm):
 * a row the sync added that a person removed is not added again; a row someone else added is never
 * removed.
 *
 * An enriched Event (a calendar tool's, calendar-match.ts) is the tool's: its Subject is never
 * written; its WhoId and WhatId are filled only while empty, and once filled by the sync follow the
 * same rule as ours; the tool's relations (its invitees) are kept.
 */
import { sameSalesforceId } from '../associations/emails.ts';

/** What the sync last wrote on the Event. A field left out was never written by the sync. */
export interface WrittenEventState {
  readonly whoId?: string | null;
  readonly whatId?: string | null;
  readonly subject?: string;
  /** Contacts the sync related to the Event beside the WhoId (EventRelation rows it added). */
  readonly relationIds: readonly string[];
}

/** The Event as the org holds it now. */
export interface CurrentEvent {
  readonly whoId: string | null;
  readonly whatId: string | null;
  readonly subject: string | null;
  /** RelationIds of its contact and lead relations (not the WhatId's), WhoId's included or not. */
  readonly relationIds: readonly string[];
  readonly lastModifiedById: string | null;
}

export interface PlannedEvent {
  readonly whoId: string | null;
  readonly whatId: string | null;
  readonly subject: string;
  readonly otherContactIds: readonly string[];
}

export type KeptField = 'WhoId' | 'WhatId' | 'Subject' | 'EventRelation';

export interface EventWrite {
  /** Values to write; `undefined`: leave the field as it is. */
  readonly whoId: string | null | undefined;
  readonly whatId: string | null | undefined;
  readonly subject: string | undefined;
  /** Contacts the Event should be related to beside its WhoId (relations not listed are removed). */
  readonly otherContactIds: readonly string[];
  /** The person's changes kept, by field (empty: none). */
  readonly kept: readonly KeptField[];
  /** What to remember as written after this write. */
  readonly remember: WrittenEventState;
}

const same = (a: string | null | undefined, b: string | null | undefined): boolean =>
  (a ?? null) === null || (b ?? null) === null
    ? (a ?? null) === (b ?? null)
    : sameSalesforceId(a as string, b as string);
const has = (ids: readonly string[], id: string): boolean => ids.some((x) => sameSalesforceId(x, id));
const isLead = (id: string | null | undefined): boolean => typeof id === 'string' && id.startsWith('00Q');

type Choice<T> = { value: T | undefined; kept: boolean; written: boolean };

/**
 * One field: with no memory of it the plan is written (an Event written before the sync remembered,
 * or an enriched Event's empty field); otherwise the plan is written only while the field still holds
 * what the sync wrote.
 */
function choose<T extends string | null>(
  planned: T,
  current: T | null,
  wrote: T | undefined,
  enriched: boolean,
  compare: (a: T | null, b: T | null) => boolean,
): Choice<T> {
  if (wrote === undefined) {
    if (enriched && current !== null) return { value: undefined, kept: false, written: false };
    return { value: planned, kept: false, written: true };
  }
  if (compare(current, wrote)) return { value: planned, kept: false, written: true };
  return { value: undefined, kept: true, written: false };
}

/**
 * What to write on an Event that exists (ours or enriched), given what the sync last wrote (`wrote`
 * null: nothing remembered, as for Events written before this was kept).
 */
export function eventWrite(
  planned: PlannedEvent,
  current: CurrentEvent,
  wrote: WrittenEventState | null,
  enriched: boolean,
): EventWrite {
  const memory = wrote ?? (enriched ? { relationIds: [] } : null);
  const kept: KeptField[] = [];
  const who = choose(
    planned.whoId,
    current.whoId,
    memory === null ? undefined : memory.whoId,
    enriched,
    same,
  );
  const what = choose(
    planned.whatId,
    current.whatId,
    memory === null ? undefined : memory.whatId,
    enriched,
    same,
  );
  // The calendar tool's subject is its own; ours follows the title unless a person renamed it.
  const subject = enriched
    ? { value: undefined, kept: false, written: false }
    : choose(
        planned.subject,
        current.subject,
        memory === null ? undefined : memory.subject,
        false,
        (a, b) => a === b,
      );
  if (who.kept) kept.push('WhoId');
  if (what.kept) kept.push('WhatId');
  if (subject.kept) kept.push('Subject');

  let whoId = who.value;
  let whatId = what.value;
  // Salesforce allows no WhatId beside a Lead: the person's choice decides which one gives way.
  const effectiveWho = whoId === undefined ? current.whoId : whoId;
  const effectiveWhat = whatId === undefined ? current.whatId : whatId;
  if (isLead(effectiveWho) && effectiveWhat !== null) {
    if (what.kept || (enriched && whatId === undefined)) whoId = undefined;
    else whatId = null;
  }
  const finalWho = whoId === undefined ? current.whoId : whoId;

  // Relations beside the WhoId.
  const currentOthers = current.relationIds.filter((id) => !same(id, current.whoId));
  let others: string[];
  let rememberedRelations: string[];
  if (memory === null) {
    others = [...planned.otherContactIds];
    rememberedRelations = others.filter((id) => !same(id, finalWho));
  } else {
    const ours = memory.relationIds;
    const removedByPerson = ours.filter(
      (id) => !has(currentOthers, id) && !same(id, current.whoId) && has(planned.otherContactIds, id),
    );
    const addedByOthers = currentOthers.filter(
      (id) => !has(ours, id) && !has(planned.otherContactIds, id) && !same(id, planned.whoId),
    );
    if (!enriched && (removedByPerson.length > 0 || addedByOthers.length > 0)) kept.push('EventRelation');
    others = [...planned.otherContactIds.filter((id) => !has(removedByPerson, id)), ...addedByOthers];
    // Ours after this write: what we keep of ours, and what we add now (absent from the Event).
    rememberedRelations = others.filter(
      (id) => !same(id, finalWho) && (has(ours, id) || !has(current.relationIds, id)),
    );
  }
  others = others.filter((id, i) => !same(id, finalWho) && others.findIndex((x) => same(x, id)) === i);

  // A kept field keeps the remembered value: the next version still sees the person's change.
  const remembered = <T>(written: T | undefined, before: T | undefined): { value?: T } =>
    written !== undefined ? { value: written } : before !== undefined ? { value: before } : {};
  const w = remembered(whoId, memory?.whoId);
  const h = remembered(whatId, memory?.whatId);
  const s = remembered(subject.value, memory?.subject);
  const remember: WrittenEventState = {
    ...('value' in w ? { whoId: w.value ?? null } : {}),
    ...('value' in h ? { whatId: h.value ?? null } : {}),
    ...('value' in s && s.value !== undefined ? { subject: s.value } : {}),
    relationIds: rememberedRelations,
  };
  return { whoId, whatId, subject: subject.value, otherContactIds: others, kept, remember };
}

/** What a new Event of ours holds once created: everything the plan says is the sync's. */
export function rememberCreated(planned: PlannedEvent): WrittenEventState {
  return {
    whoId: planned.whoId,
    whatId: planned.whatId,
    subject: planned.subject,
    relationIds: planned.otherContactIds.filter((id) => !same(id, planned.whoId)),
  };
}
