/**
 * Contacts for unknown guests (issue 9, setting `contactCreation.enabled`, off by default): an
 * external participant whose email matched nothing, and whose domain names exactly one Account by the
 * domain rule (domains.ts, CONTRACT §7.9), may become a Contact under that Account — name and email
 * only. The Contact is created in the meeting's own all-or-nothing composite/graph, so the Event,
 * relations, note links and task refer to it by a graph reference (`@{newContact0.id}`) until
 * Salesforce answers with its id.
 *
 * Contact fields and their limits (LastName required, 80 characters; FirstName 40; Email 80):
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm
 * Graph references between nodes (`@{referenceId.id}`):
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_introduction.htm
 */
import type { Meeting } from '../meetings/schema.ts';
import type { DroppedAssociation, LinkedAssociation } from '../domain/meeting-outcome.ts';
import { normalizeEmail } from './emails.ts';

export const CONTACT_LAST_NAME_MAX = 80;
export const CONTACT_FIRST_NAME_MAX = 40;
export const CONTACT_EMAIL_MAX = 80;

/** Why a created Contact is linked, as the status API and the simulator show it. */
export const CREATED_FOR_GUEST = 'created_for_guest';

export interface NewContact {
  /** The graph node's referenceId (`newContact0`). */
  readonly referenceId: string;
  /** What the other nodes hold until Salesforce answers: `@{newContact0.id}`. */
  readonly ref: string;
  readonly email: string;
  readonly firstName: string | null;
  readonly lastName: string;
  readonly accountId: string;
}

const REF = /^@\{(newContact\d+)\.id\}$/;

export function newContactReferenceId(i: number): string {
  return `newContact${i}`;
}

/** Whether an id in a plan is a Contact still to be created in the same graph. */
export function isNewContactRef(id: string): boolean {
  return REF.test(id);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max).trimEnd();
}

const capitalize = (w: string): string => (w.length === 0 ? w : w[0]!.toUpperCase() + w.slice(1));

/**
 * FirstName and LastName from the name a meeting tool shows, as a person would type them into
 * Salesforce: "Ana María López" → Ana María / López; "López, Ana" → Ana / López; a single word is the
 * LastName. Without a name, the email's local part: "jane.doe" → Jane / Doe, "jdoe" → Jdoe.
 * A parenthesised aside ("Ana López (Acme)") and an email given as the name are not names.
 * LastName is never empty: it is required.
 */
export function splitName(
  name: string | null | undefined,
  email: string,
): { firstName: string | null; lastName: string } {
  let text = (name ?? '')
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.includes('@')) text = '';
  if (text.length > 0) {
    const comma = text.indexOf(',');
    if (comma > 0) {
      const last = text.slice(0, comma).trim();
      const first = text.slice(comma + 1).trim();
      if (last.length > 0)
        return {
          firstName: first.length > 0 ? cut(first, CONTACT_FIRST_NAME_MAX) : null,
          lastName: cut(last, CONTACT_LAST_NAME_MAX),
        };
    }
    const words = text.split(' ');
    const last = words.pop() ?? text;
    const first = words.join(' ');
    return {
      firstName: first.length > 0 ? cut(first, CONTACT_FIRST_NAME_MAX) : null,
      lastName: cut(last, CONTACT_LAST_NAME_MAX),
    };
  }
  const local = email.slice(0, Math.max(0, email.lastIndexOf('@')));
  const parts = local
    .replace(/\+.*$/, '')
    .split(/[._-]+/)
    .filter((p) => /[a-z]/i.test(p))
    .map(capitalize);
  if (parts.length === 0) return { firstName: null, lastName: cut(local || email, CONTACT_LAST_NAME_MAX) };
  const last = parts.pop() ?? local;
  return {
    firstName: parts.length > 0 ? cut(parts.join(' '), CONTACT_FIRST_NAME_MAX) : null,
    lastName: cut(last, CONTACT_LAST_NAME_MAX),
  };
}

/** The first name the meeting gives for an email (participants may list one person twice). */
export function nameFor(meeting: Meeting, email: string): string | null {
  for (const p of meeting.participants) {
    if (normalizeEmail(p.email) === email && p.name !== undefined && p.name.trim().length > 0) return p.name;
  }
  return null;
}

/**
 * The Contacts to create for these guests, each under its Account, at most `room` of them; an email
 * longer than Salesforce's Email field is left out (it would refuse it).
 */
export function plannedContacts(
  meeting: Meeting,
  guests: readonly { readonly email: string; readonly accountId: string }[],
  room: number,
): { contacts: NewContact[]; overLimit: string[] } {
  const contacts: NewContact[] = [];
  const overLimit: string[] = [];
  for (const { email, accountId } of guests) {
    if (email.length > CONTACT_EMAIL_MAX) continue;
    if (contacts.length >= room) {
      overLimit.push(email);
      continue;
    }
    const referenceId = newContactReferenceId(contacts.length);
    contacts.push({
      referenceId,
      ref: `@{${referenceId}.id}`,
      email,
      ...splitName(nameFor(meeting, email), email),
      accountId,
    });
  }
  return { contacts, overLimit };
}

/**
 * The links without the Contacts that were to be created, when Salesforce refused to create them (a
 * customer's validation rule, a required field, a duplicate rule, no create permission): the meeting
 * is written on what remains, and each guest is reported (`contact_not_created`) with Salesforce's
 * words. WhoId falls to the next contact, or none (the Account keeps WhatId).
 */
export function withoutNewContacts<
  T extends {
    readonly whoId: string | null;
    readonly contactIds: readonly string[];
    readonly linked: readonly LinkedAssociation[];
    readonly dropped: readonly DroppedAssociation[];
    readonly newContacts?: readonly NewContact[];
  },
>(links: T, detail: string): T {
  const created = links.newContacts ?? [];
  if (created.length === 0) return links;
  const contactIds = links.contactIds.filter((id) => !isNewContactRef(id));
  const whoId = links.whoId !== null && isNewContactRef(links.whoId) ? (contactIds[0] ?? null) : links.whoId;
  return {
    ...links,
    whoId,
    contactIds,
    newContacts: [],
    linked: links.linked.filter((l) => !isNewContactRef(l.recordId)),
    dropped: [
      ...links.dropped,
      ...created.map((c) => ({ email: c.email, reason: 'contact_not_created' as const, detail })),
    ],
  };
}

/** The links with each created Contact's graph reference replaced by the id Salesforce gave it. */
export function withCreatedIds<T extends { readonly linked: readonly LinkedAssociation[] }>(
  links: T,
  idOf: (referenceId: string) => string | null,
): T {
  return {
    ...links,
    linked: links.linked.map((l) => {
      const m = REF.exec(l.recordId);
      const id = m?.[1] === undefined ? null : idOf(m[1]);
      return id === null ? l : { ...l, recordId: id };
    }),
  };
}
