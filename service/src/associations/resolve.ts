/**
 * The association cascade of CONTRACT §7, as a pure function from the meeting and what the org holds
 * to what the Event, note and task are linked to, and what is not linked and why.
 *
 * Salesforce rules it follows (EventRelation, "If Shared Activities Is Enabled"):
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventrelation.htm
 * - up to 50 contacts, or one lead, per activity; without Shared Activities one contact or lead (WhoId);
 * - one other record (Account or Opportunity) in WhatId, and no WhatId beside a Lead.
 *
 * Fixed rule when one email matches several records: the most recently modified wins, then the lowest
 * id; the others are reported as `ambiguous_email`.
 *
 * The workspace's settings (settings/association-settings.ts) add, in this order: exclusions (opted-out
 * organizers, internal domains, emails and domains never linked), Account by email domain when no
 * Contact, Lead or hand-picked record matched (opportunity-rule.ts and domains.ts say how), and the
 * opportunity rule when no Opportunity was picked by hand; with `contactCreation` on, the guests
 * whose domain named that Account become Contacts to create in the meeting's graph (new-contacts.ts).
 */
import type { Meeting } from '../meetings/schema.ts';
import { DEFAULT_SETTINGS, type AssociationSettings } from '../settings/association-settings.ts';
import type { DroppedAssociation, LinkedAssociation } from '../domain/meeting-outcome.ts';
import { domainMatchesHost, emailDomain, isFreeMailDomain, websiteHost } from './domains.ts';
import { normalizeEmail, sameSalesforceId } from './emails.ts';
import { CREATED_FOR_GUEST, plannedContacts, type NewContact } from './new-contacts.ts';
import { chooseOpportunity } from './opportunity-rule.ts';
import { externalParticipants, pickedContactIds } from './participants.ts';
import type { ContactRecord, CrmSnapshot, LeadRecord } from './snapshot.ts';

/** Salesforce's limit of contacts related to one activity with Shared Activities. */
export const MAX_CONTACTS_PER_ACTIVITY = 50;

export interface Associations {
  /** `skipped` when nothing in the org matches (CONTRACT §7.7) or the settings leave the meeting out. */
  readonly outcome: 'linked' | 'skipped';
  /** Why a meeting is skipped. */
  readonly skipReason?: SkipReason | null;
  /** The Event's and task's WhoId: the first contact, or the lead. */
  readonly whoId: string | null;
  /** The Event's and task's WhatId: the opportunity, else the account; never beside a lead. */
  readonly whatId: string | null;
  /** Related contacts, WhoId first, at most 50 (1 without Shared Activities). */
  readonly contactIds: readonly string[];
  readonly leadId: string | null;
  /** The Event's account (hand-picked, or the one most linked contacts belong to). */
  readonly accountId: string | null;
  /** Every linked account: the Event's and the linked contacts' accounts. */
  readonly accountIds: readonly string[];
  readonly opportunityId: string | null;
  /** The active User whose email is the organizer's; null means the connected user. */
  readonly ownerId: string | null;
  readonly linked: readonly LinkedAssociation[];
  readonly dropped: readonly DroppedAssociation[];
  /**
   * Contacts to create for unknown guests (new-contacts.ts), in the meeting's graph; `contactIds`,
   * `whoId` and `linked` name them by their graph reference until Salesforce answers.
   */
  readonly newContacts?: readonly NewContact[];
}

export type SkipReason = 'no_crm_match' | 'organizer_opted_out' | 'no_external_participant';

/** Whether an email, or its domain, is one the workspace never links. */
export function isExcludedEmail(email: string, settings: AssociationSettings): boolean {
  const ex = settings.exclusions;
  const domain = emailDomain(email);
  return (
    ex.neverLinkEmails.includes(email) ||
    (domain !== null && ex.neverLinkDomains.some((d) => domain === d || domain.endsWith(`.${d}`)))
  );
}

function isInternalDomain(domain: string | null, settings: AssociationSettings): boolean {
  return (
    domain !== null &&
    settings.exclusions.internalDomains.some((d) => domain === d || domain.endsWith(`.${d}`))
  );
}

function byRecency<T extends { id: string; lastModified: string }>(a: T, b: T): number {
  const ta = Date.parse(a.lastModified);
  const tb = Date.parse(b.lastModified);
  const sa = Number.isNaN(ta) ? -Infinity : ta;
  const sb = Number.isNaN(tb) ? -Infinity : tb;
  if (sa !== sb) return sb - sa;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Records grouped by normalized email, each group ordered by the fixed rule (winner first). */
function groupByEmail<T extends { id: string; email: string | null; lastModified: string }>(
  records: readonly T[],
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  const seen = new Set<string>();
  for (const r of records) {
    const email = normalizeEmail(r.email);
    if (email === null || seen.has(r.id)) continue;
    seen.add(r.id);
    const group = groups.get(email) ?? [];
    group.push(r);
    groups.set(email, group);
  }
  for (const group of groups.values()) group.sort(byRecency);
  return groups;
}

function ownerFor(meeting: Meeting, snapshot: CrmSnapshot): string | null {
  const organizer = normalizeEmail(meeting.organizer.email);
  const candidates = snapshot.users
    .filter((u) => u.isActive && normalizeEmail(u.email) === organizer)
    .map((u) => u.id)
    .sort();
  return candidates[0] ?? null;
}

export function resolveAssociations(
  meeting: Meeting,
  snapshot: CrmSnapshot,
  settings: AssociationSettings = DEFAULT_SETTINGS,
): Associations {
  const linked: LinkedAssociation[] = [];
  const dropped: DroppedAssociation[] = [];
  const picked = meeting.associations ?? {};
  const participants = externalParticipants(meeting);
  const organizer = normalizeEmail(meeting.organizer.email);

  if (organizer !== null && settings.exclusions.optedOutOrganizers.includes(organizer)) {
    return skippedOnly('organizer_opted_out', ownerFor(meeting, snapshot));
  }

  for (let i = 0; i < participants.withoutEmail; i += 1) dropped.push({ reason: 'missing_email' });
  for (const email of participants.overLimit) dropped.push({ email, reason: 'participant_limit' });

  const activeUsers = snapshot.users.filter((u) => u.isActive);
  const userEmails = new Set(activeUsers.flatMap((u) => normalizeEmail(u.email) ?? []));
  const externalEmails: string[] = [];
  for (const email of participants.emails) {
    if (userEmails.has(email)) dropped.push({ email, reason: 'salesforce_user' });
    else if (isInternalDomain(emailDomain(email), settings))
      dropped.push({ email, reason: 'internal_domain' });
    else if (isExcludedEmail(email, settings)) dropped.push({ email, reason: 'excluded' });
    else externalEmails.push(email);
  }
  if (
    !settings.exclusions.writeMeetingsWithoutExternalParticipant &&
    externalEmails.length + participants.withoutEmail + participants.overLimit.length === 0
  ) {
    return { ...skippedOnly('no_external_participant', ownerFor(meeting, snapshot)), dropped };
  }

  // 1. Contacts: hand-picked first (the person's explicit choice leads, so the first one is the
  // WhoId), then email matches in participant order.
  const candidates: { contact: ContactRecord; why: string }[] = [];
  const taken = (id: string): boolean => candidates.some((c) => sameSalesforceId(c.contact.id, id));
  const pickedContacts = pickedContactIds(meeting);
  for (const id of pickedContacts.overLimit) dropped.push({ recordId: id, reason: 'over_contact_limit' });
  for (const id of pickedContacts.ids) {
    if (taken(id)) continue;
    const contact = snapshot.contacts.find((c) => sameSalesforceId(c.id, id));
    const email = normalizeEmail(contact?.email);
    if (contact === undefined) dropped.push({ recordId: id, reason: 'not_found' });
    else if (contact.isDeleted) dropped.push({ recordId: contact.id, reason: 'deleted' });
    else if (email !== null && isExcludedEmail(email, settings))
      dropped.push({ recordId: contact.id, email, reason: 'excluded' });
    else candidates.push({ contact, why: 'hand_picked' });
  }
  const contactsByEmail = groupByEmail(snapshot.contacts.filter((c) => !c.isDeleted));
  const unmatched: string[] = [];
  for (const email of externalEmails) {
    const group = contactsByEmail.get(email);
    if (group === undefined || group.length === 0) {
      unmatched.push(email);
      continue;
    }
    const [winner, ...others] = group;
    for (const other of others) {
      if (!taken(other.id)) dropped.push({ recordId: other.id, email, reason: 'ambiguous_email' });
    }
    if (winner !== undefined && !taken(winner.id)) candidates.push({ contact: winner, why: 'email_match' });
  }

  // 5. The cap: 50 with Shared Activities, only the WhoId without.
  const cap = snapshot.sharedActivities ? MAX_CONTACTS_PER_ACTIVITY : 1;
  const kept = candidates.slice(0, cap);
  for (const { contact } of candidates.slice(cap)) {
    const email = normalizeEmail(contact.email);
    dropped.push({
      recordId: contact.id,
      ...(email === null ? {} : { email }),
      reason: snapshot.sharedActivities ? 'over_contact_limit' : 'shared_activities_off',
    });
  }
  for (const { contact, why } of kept) linked.push({ recordId: contact.id, type: 'Contact', why });

  // 6. Hand-picked Account and Opportunity, checked against the org.
  const pickedAccount = snapshot.account;
  let accountPick: string | null = null;
  if (picked.accountId !== undefined) {
    if (pickedAccount === undefined || pickedAccount.state === 'not_found') {
      dropped.push({ recordId: picked.accountId, reason: 'not_found' });
    } else if (pickedAccount.state === 'deleted') {
      dropped.push({ recordId: pickedAccount.id, reason: 'deleted' });
    } else accountPick = pickedAccount.id;
  }
  const pickedOpportunity = snapshot.opportunity;
  let opportunityId: string | null = null;
  let opportunityAccount: string | null = null;
  if (picked.opportunityId !== undefined) {
    if (pickedOpportunity === undefined || pickedOpportunity.state === 'not_found') {
      dropped.push({ recordId: picked.opportunityId, reason: 'not_found' });
    } else if (pickedOpportunity.state === 'deleted') {
      dropped.push({ recordId: pickedOpportunity.id, reason: 'deleted' });
    } else {
      opportunityId = pickedOpportunity.id;
      opportunityAccount = pickedOpportunity.accountId ?? null;
    }
  }

  // 2. Contact → Account: every linked contact's account, and the Event's account.
  const contactAccounts: string[] = [];
  const votes = new Map<string, number>();
  for (const { contact } of kept) {
    if (contact.accountId === null) continue;
    if (!contactAccounts.some((a) => sameSalesforceId(a, contact.accountId ?? ''))) {
      contactAccounts.push(contact.accountId);
    }
    votes.set(contact.accountId, (votes.get(contact.accountId) ?? 0) + 1);
  }
  let majority: string | null = null;
  for (const account of contactAccounts) {
    // contactAccounts is in contact order, so a strict > keeps the earliest on a tie.
    if (majority === null || (votes.get(account) ?? 0) > (votes.get(majority) ?? 0)) majority = account;
  }
  let accountId = accountPick ?? majority;
  const accountIds: string[] = [];
  const addAccount = (id: string, why: string): void => {
    if (accountIds.some((a) => sameSalesforceId(a, id))) return;
    accountIds.push(id);
    linked.push({ recordId: id, type: 'Account', why });
  };
  if (opportunityId !== null)
    linked.push({ recordId: opportunityId, type: 'Opportunity', why: 'hand_picked' });
  if (accountPick !== null) {
    const rollsUp =
      (opportunityAccount !== null && sameSalesforceId(opportunityAccount, accountPick)) ||
      contactAccounts.some((a) => sameSalesforceId(a, accountPick));
    if (opportunityId === null || rollsUp) addAccount(accountPick, 'hand_picked');
    else dropped.push({ recordId: accountPick, reason: 'what_id_taken_by_opportunity' });
  }
  for (const account of contactAccounts) addAccount(account, 'contact_account');
  if (opportunityAccount !== null) addAccount(opportunityAccount, 'opportunity_account');

  // 4. A lead only when no contact matched and nothing hand-picked remains.
  const leadsByEmail = groupByEmail<LeadRecord>(snapshot.leads);
  const leadAllowed = kept.length === 0 && accountPick === null && opportunityId === null;
  let leadId: string | null = null;
  for (const email of unmatched) {
    const group = leadsByEmail.get(email);
    const [winner, ...others] = group ?? [];
    if (winner === undefined) {
      dropped.push({ email, reason: 'not_found' });
      continue;
    }
    if (leadAllowed && leadId === null) {
      leadId = winner.id;
      linked.push({ recordId: winner.id, type: 'Lead', why: 'email_match' });
      for (const other of others) dropped.push({ recordId: other.id, email, reason: 'ambiguous_email' });
    } else {
      dropped.push({ recordId: winner.id, email, reason: 'lead_not_allowed' });
    }
  }

  // 9. Account by email domain: nobody matched by email and nothing picked by hand.
  const own = new Set<string>();
  for (const email of [organizer, ...activeUsers.map((u) => normalizeEmail(u.email))]) {
    const d = emailDomain(email);
    if (d !== null) own.add(d);
  }
  for (const p of meeting.participants) {
    const d = p.internal ? emailDomain(p.email) : null;
    if (d !== null) own.add(d);
  }
  const guests: { email: string; accountId: string }[] = [];
  if (
    settings.domainMatching.enabled &&
    kept.length === 0 &&
    leadId === null &&
    accountPick === null &&
    opportunityId === null
  ) {
    const found = domainAccount(unmatched, own, snapshot, settings, dropped);
    if (found !== null) {
      accountId = found.id;
      addAccount(found.id, found.why);
      // Contacts for unknown guests: only those whose own domain named this one Account.
      for (const email of found.emails) guests.push({ email, accountId: found.id });
    }
  } else if (settings.domainMatching.enabled && settings.contactCreation.enabled && kept.length > 0) {
    // Beside matched contacts, an unknown guest whose domain names exactly one Account becomes a
    // Contact under it; a domain naming several is reported, never guessed.
    const notFound = new Set(
      dropped.flatMap((d) => (d.reason === 'not_found' && d.recordId === undefined ? [d.email] : [])),
    );
    for (const email of unmatched) {
      if (!notFound.has(email)) continue;
      const hits = domainHits(email, own, snapshot, settings);
      if (hits.length === 1) guests.push({ email, accountId: hits[0]!.id });
      else for (const hit of hits) dropped.push({ recordId: hit.id, email, reason: 'ambiguous_domain' });
    }
  }
  const newContacts: NewContact[] = [];
  if (settings.contactCreation.enabled && guests.length > 0) {
    const planned = plannedContacts(meeting, guests, cap - kept.length);
    newContacts.push(...planned.contacts);
    const made = new Set(planned.contacts.map((c) => c.email));
    for (let i = dropped.length - 1; i >= 0; i -= 1) {
      const d = dropped[i];
      if (d?.reason === 'not_found' && d.recordId === undefined && made.has(d.email ?? '')) {
        dropped.splice(i, 1);
      }
    }
    for (const email of planned.overLimit) {
      dropped.push({
        email,
        reason: snapshot.sharedActivities ? 'over_contact_limit' : 'shared_activities_off',
      });
    }
    for (const c of planned.contacts) {
      linked.push({ recordId: c.ref, type: 'Contact', why: CREATED_FOR_GUEST });
      addAccount(c.accountId, 'contact_account');
    }
  }

  // 8. The opportunity rule: no hand-picked Opportunity, an Account to look in.
  if (settings.opportunityRule.enabled && opportunityId === null && accountId !== null && leadId === null) {
    const choice = chooseOpportunity(
      snapshot.opportunities ?? [],
      accountId,
      kept.map((c) => c.contact.id),
      meeting.startedAt,
      settings.opportunityRule.closeDateWindowDays,
    );
    if (choice.kind === 'chosen') {
      opportunityId = choice.id;
      linked.push({ recordId: choice.id, type: 'Opportunity', why: choice.why });
    } else if (choice.kind === 'tie') {
      for (const id of choice.candidates) dropped.push({ recordId: id, reason: 'opportunity_tie' });
    } else if (choice.kind === 'outside_window') {
      for (const id of choice.candidates) dropped.push({ recordId: id, reason: 'outside_close_date_window' });
    }
  }

  // 3. WhatId: the opportunity takes it; otherwise the account.
  const whatId = opportunityId ?? accountId;
  const contactIds = [...kept.map((c) => c.contact.id), ...newContacts.map((c) => c.ref)];
  const whoId = contactIds[0] ?? leadId;
  const finalWhat = leadId !== null ? null : whatId;
  const outcome = whoId === null && finalWhat === null ? 'skipped' : 'linked';
  return {
    outcome,
    skipReason: outcome === 'skipped' ? 'no_crm_match' : null,
    whoId,
    whatId: finalWhat,
    contactIds,
    leadId,
    accountId: leadId !== null ? null : accountId,
    accountIds,
    opportunityId,
    ownerId: ownerFor(meeting, snapshot),
    linked,
    dropped,
    ...(newContacts.length > 0 ? { newContacts } : {}),
  };
}

function skippedOnly(reason: SkipReason, ownerId: string | null): Associations {
  return {
    outcome: 'skipped',
    skipReason: reason,
    whoId: null,
    whatId: null,
    contactIds: [],
    leadId: null,
    accountId: null,
    accountIds: [],
    opportunityId: null,
    ownerId,
    linked: [],
    dropped: [],
  };
}

/**
 * The one Account the unmatched external emails' domains point to: the admin's domain list first,
 * else Accounts whose Website names the domain. Free-mail, the workspace's own and excluded domains
 * never match; a domain naming several Accounts is reported (`ambiguous_domain`), never guessed.
 * Several domains each naming one Account: the Account most participants point to, ties the
 * earliest participant's, the others reported as `account_not_chosen`.
 */
function domainAccount(
  emails: readonly string[],
  own: ReadonlySet<string>,
  snapshot: CrmSnapshot,
  settings: AssociationSettings,
  dropped: DroppedAssociation[],
): { id: string; why: 'domain_mapping' | 'website_domain'; emails: string[] } | null {
  const accounts = snapshot.domainAccounts ?? [];
  type Vote = { id: string; why: 'domain_mapping' | 'website_domain'; votes: number; emails: string[] };
  const votes = new Map<string, Vote>();
  const reported = new Set<string>();
  for (const email of emails) {
    const domain = emailDomain(email);
    if (domain === null || own.has(domain) || isFreeMailDomain(domain)) continue;
    if (isInternalDomain(domain, settings) || isExcludedEmail(email, settings)) continue;
    const mapping = settings.domainMatching.domainAccounts.find(
      (m) => domain === m.domain || domain.endsWith(`.${m.domain}`),
    );
    let hits: { id: string; why: 'domain_mapping' | 'website_domain' }[];
    if (mapping !== undefined) {
      const account = accounts.find((a) => sameSalesforceId(a.id, mapping.accountId));
      if (account === undefined) {
        if (!reported.has(mapping.accountId))
          dropped.push({ recordId: mapping.accountId, reason: 'not_found' });
        reported.add(mapping.accountId);
        continue;
      }
      hits = [{ id: account.id, why: 'domain_mapping' }];
    } else {
      hits = accounts
        .filter((a) => {
          const host = websiteHost(a.website);
          return host !== null && domainMatchesHost(domain, host);
        })
        .map((a) => ({ id: a.id, why: 'website_domain' as const }));
    }
    if (hits.length > 1) {
      for (const hit of hits) {
        if (reported.has(hit.id)) continue;
        reported.add(hit.id);
        dropped.push({ recordId: hit.id, email, reason: 'ambiguous_domain' });
      }
      continue;
    }
    const [hit] = hits;
    if (hit === undefined) continue;
    const key = hit.id.slice(0, 15);
    const entry = votes.get(key) ?? { ...hit, votes: 0, emails: [] };
    entry.votes += 1;
    entry.emails.push(email);
    votes.set(key, entry);
  }
  let best: Vote | null = null;
  // Map order is first-vote order, so a strict > keeps the earliest participant's Account on a tie.
  for (const entry of votes.values()) if (best === null || entry.votes > best.votes) best = entry;
  for (const entry of votes.values()) {
    if (best !== null && entry !== best && !reported.has(entry.id)) {
      dropped.push({ recordId: entry.id, reason: 'account_not_chosen' });
    }
  }
  return best === null ? null : { id: best.id, why: best.why, emails: best.emails };
}

/**
 * The Accounts one email's domain names, by the same rules as domainAccount: the admin's mapping
 * first, else Websites; none for free-mail, own, internal or excluded domains, nor for a mapping to
 * an Account the org did not return.
 */
function domainHits(
  email: string,
  own: ReadonlySet<string>,
  snapshot: CrmSnapshot,
  settings: AssociationSettings,
): { id: string }[] {
  const domain = emailDomain(email);
  if (domain === null || own.has(domain) || isFreeMailDomain(domain)) return [];
  if (isInternalDomain(domain, settings) || isExcludedEmail(email, settings)) return [];
  const accounts = snapshot.domainAccounts ?? [];
  const mapping = settings.domainMatching.domainAccounts.find(
    (m) => domain === m.domain || domain.endsWith(`.${m.domain}`),
  );
  if (mapping !== undefined) {
    const account = accounts.find((a) => sameSalesforceId(a.id, mapping.accountId));
    return account === undefined ? [] : [{ id: account.id }];
  }
  return accounts
    .filter((a) => {
      const host = websiteHost(a.website);
      return host !== null && domainMatchesHost(domain, host);
    })
    .map((a) => ({ id: a.id }));
}
