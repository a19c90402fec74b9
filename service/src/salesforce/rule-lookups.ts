/**
 * What the workspace's association rules need beyond the people a meeting names (CONTRACT §7.8–9):
 * the open Opportunities of the meeting's Account with their contact roles, or — when nobody matched
 * by email — the Accounts whose Website names a participant's domain, with their open Opportunities.
 *
 * Cost. A composite request carries at most 5 query subrequests
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm).
 * The Opportunities ride in the meeting's first look-up call (lookups.ts makes room by reading the
 * Task by id): the open Opportunities of the hand-picked Account, else of every Account a participant's
 * Contact belongs to (a semi-join on Contact), with their contact roles.
 * The Accounts by domain cannot join them: `AccountId IN (SELECT …) OR Website LIKE …` is refused
 * (SOQL allows no semi-join under OR), and the first call has no sixth query. They are asked in a
 * second call only when nobody matched by email, nothing was picked by hand and a participant has a
 * company domain: one query, with those Accounts' open Opportunities as a child relationship.
 * Child relationship queries (Opportunities, OpportunityContactRoles):
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm
 */
import type { Connection } from 'jsforce';
import { emailDomain, isFreeMailDomain, websiteLikePattern } from '../associations/domains.ts';
import { normalizeEmail } from '../associations/emails.ts';
import { externalParticipants, pickedContactIds } from '../associations/participants.ts';
import { isExcludedEmail, resolveAssociations } from '../associations/resolve.ts';
import type { AccountRecord, CrmSnapshot, OpportunityRecord } from '../associations/snapshot.ts';
import type { Meeting } from '../meetings/schema.ts';
import type { AssociationSettings } from '../settings/association-settings.ts';
import type { CallCounter, SubResponse } from './composite.ts';
import { composite, queryUrl, subError, subrequestError } from './composite.ts';
import { soql } from './soql.ts';

/** Domains looked up in one query: each adds a LIKE to a URL Salesforce caps at 16,384 bytes. */
export const DOMAIN_LOOKUP_LIMIT = 50;
/** Open Opportunities read per Account: more than a seller works at once on one customer. */
export const OPPORTUNITY_LOOKUP_LIMIT = 200;

type Row = Record<string, unknown>;
const str = (row: Row, key: string): string | null => {
  const v = row[key];
  return typeof v === 'string' ? v : null;
};

function rows(response: SubResponse | undefined, referenceId: string): Row[] {
  if (subError(response) !== null) throw subrequestError(referenceId, response);
  const body = response?.body as { records?: unknown } | undefined;
  return Array.isArray(body?.records) ? (body.records as Row[]) : [];
}

/** A child relationship's records (`null` when there are none, as SOQL answers). */
function children(row: Row, relationship: string): Row[] {
  const value = row[relationship] as { records?: unknown } | null | undefined;
  return Array.isArray(value?.records) ? (value.records as Row[]) : [];
}

function toOpportunity(row: Row, accountId: string | null): OpportunityRecord {
  return {
    id: str(row, 'Id') ?? '',
    accountId: str(row, 'AccountId') ?? accountId,
    closeDate: str(row, 'CloseDate'),
    isClosed: row['IsClosed'] === true,
    contactIds: children(row, 'OpportunityContactRoles').flatMap((r) => str(r, 'ContactId') ?? []),
  };
}

/**
 * The Opportunities query that rides in the first look-up call, or null when the rule is off, an
 * Opportunity was picked by hand, or no Account can come from the participants.
 */
export function opportunityQueryFor(meeting: Meeting, settings: AssociationSettings): string | null {
  const picked = meeting.associations ?? {};
  if (!settings.opportunityRule.enabled || picked.opportunityId !== undefined) return null;
  const select = soql`SELECT Id, AccountId, CloseDate, IsClosed, (SELECT ContactId FROM OpportunityContactRoles) FROM Opportunity WHERE IsClosed = false AND `;
  const order = soql` ORDER BY CloseDate ASC, Id ASC LIMIT ${OPPORTUNITY_LOOKUP_LIMIT}`;
  if (picked.accountId !== undefined) return `${select}${soql`AccountId = ${picked.accountId}`}${order}`;
  const emails = externalParticipants(meeting).emails;
  const contactIds = pickedContactIds(meeting).ids;
  if (emails.length === 0 && contactIds.length === 0) return null;
  const who =
    emails.length > 0 && contactIds.length > 0
      ? soql`Email IN ${emails} OR Id IN ${contactIds}`
      : emails.length > 0
        ? soql`Email IN ${emails}`
        : soql`Id IN ${contactIds}`;
  return `${select}AccountId IN (SELECT AccountId FROM Contact WHERE ${who})${order}`;
}

export function parseOpportunities(found: readonly Row[]): OpportunityRecord[] {
  return found.map((r) => toOpportunity(r, null));
}

export interface RuleQuery {
  readonly referenceId: 'ruleOpportunities' | 'ruleAccounts';
  readonly soql: string;
}

/**
 * The one query the rules need for this meeting given what the first look-up found, or null when
 * the rules cannot change the answer. Pure, so the simulator and the tests can see it.
 */
export function ruleQuery(
  meeting: Meeting,
  snapshot: CrmSnapshot,
  settings: AssociationSettings,
): RuleQuery | null {
  const first = resolveAssociations(meeting, snapshot, settings);
  if (first.outcome === 'skipped' && first.skipReason !== 'no_crm_match') return null;
  if (first.leadId !== null || first.opportunityId !== null) return null;
  if (first.accountId !== null) {
    if (!settings.opportunityRule.enabled || snapshot.opportunities !== undefined) return null;
    return {
      referenceId: 'ruleOpportunities',
      soql: soql`SELECT Id, AccountId, CloseDate, IsClosed, (SELECT ContactId FROM OpportunityContactRoles) FROM Opportunity WHERE AccountId = ${first.accountId} AND IsClosed = false ORDER BY CloseDate ASC, Id ASC LIMIT ${OPPORTUNITY_LOOKUP_LIMIT}`,
    };
  }
  if (!settings.domainMatching.enabled || first.contactIds.length > 0) return null;
  if (meeting.associations?.accountId !== undefined || meeting.associations?.opportunityId !== undefined)
    return null;
  const userEmails = new Set(snapshot.users.flatMap((u) => normalizeEmail(u.email) ?? []));
  const domains: string[] = [];
  const mapped: string[] = [];
  for (const email of externalParticipants(meeting).emails) {
    if (userEmails.has(email) || isExcludedEmail(email, settings)) continue;
    const domain = emailDomain(email);
    // Only plain host names reach the LIKE: no wildcard or quote can ride along.
    if (domain === null || !/^[a-z0-9.-]+\.[a-z0-9-]+$/.test(domain) || isFreeMailDomain(domain)) continue;
    const mapping = settings.domainMatching.domainAccounts.find(
      (m) => domain === m.domain || domain.endsWith(`.${m.domain}`),
    );
    if (mapping !== undefined) {
      if (!mapped.includes(mapping.accountId)) mapped.push(mapping.accountId);
    } else if (!domains.includes(domain) && domains.length < DOMAIN_LOOKUP_LIMIT) domains.push(domain);
  }
  if (domains.length === 0 && mapped.length === 0) return null;
  const where = [
    ...domains.map((d) => soql`Website LIKE ${websiteLikePattern(d)}`),
    ...(mapped.length > 0 ? [soql`Id IN ${mapped}`] : []),
  ].join(' OR ');
  const opportunities = soql`SELECT Id, CloseDate, IsClosed FROM Opportunities WHERE IsClosed = false ORDER BY CloseDate ASC, Id ASC LIMIT ${OPPORTUNITY_LOOKUP_LIMIT}`;
  return {
    referenceId: 'ruleAccounts',
    soql: `SELECT Id, Website, (${opportunities}) FROM Account WHERE ${where} ORDER BY Id ASC LIMIT 200`,
  };
}

/**
 * Adds what the rules need to the snapshot: one composite call with one query, or none. The
 * snapshot without these fields means "not looked up", which the cascade treats as "nothing found".
 */
export async function lookUpRuleRecords(
  conn: Connection,
  counter: CallCounter,
  meeting: Meeting,
  snapshot: CrmSnapshot,
  settings: AssociationSettings,
): Promise<CrmSnapshot> {
  const query = ruleQuery(meeting, snapshot, settings);
  if (query === null) return snapshot;
  const responses = await composite(conn, counter, [
    { method: 'GET', referenceId: query.referenceId, url: queryUrl(query.soql) },
  ]);
  return withRuleRows(snapshot, query, rows(responses.get(query.referenceId), query.referenceId));
}

/** The snapshot with what a rule query found (its own call, or a batch's: batch-lookups.ts). */
export function withRuleRows(snapshot: CrmSnapshot, query: RuleQuery, found: readonly Row[]): CrmSnapshot {
  if (query.referenceId === 'ruleOpportunities') {
    return { ...snapshot, opportunities: found.map((r) => toOpportunity(r, null)) };
  }
  const domainAccounts: AccountRecord[] = found.map((r) => ({
    id: str(r, 'Id') ?? '',
    website: str(r, 'Website'),
  }));
  const opportunities = found.flatMap((r) =>
    children(r, 'Opportunities').map((o) => toOpportunity(o, str(r, 'Id'))),
  );
  return {
    ...snapshot,
    domainAccounts,
    opportunities: [...(snapshot.opportunities ?? []), ...opportunities],
  };
}

/** Emails asked about per query in the late-matching pass (the GET URL's 16,384-byte cap). */
export const LATE_MATCH_EMAILS_PER_QUERY = 150;

/**
 * Late matches: which of these emails the org now knows as a Contact or an unconverted Lead. One
 * composite call for up to 2 × 150 emails (two Contact and two Lead queries); the rest is left for
 * the next pass. Returns the emails found and those asked about.
 */
export async function knownEmails(
  conn: Connection,
  counter: CallCounter,
  emails: readonly string[],
): Promise<{ found: Set<string>; asked: string[] }> {
  const asked = emails.slice(0, 2 * LATE_MATCH_EMAILS_PER_QUERY);
  const chunks = [
    asked.slice(0, LATE_MATCH_EMAILS_PER_QUERY),
    asked.slice(LATE_MATCH_EMAILS_PER_QUERY),
  ].filter((c) => c.length > 0);
  if (chunks.length === 0) return { found: new Set(), asked };
  const subs = chunks.flatMap((chunk, i) => [
    {
      method: 'GET' as const,
      referenceId: `contacts${i}`,
      url: queryUrl(soql`SELECT Email FROM Contact WHERE Email IN ${chunk}`),
    },
    {
      method: 'GET' as const,
      referenceId: `leads${i}`,
      url: queryUrl(soql`SELECT Email FROM Lead WHERE Email IN ${chunk} AND IsConverted = false`),
    },
  ]);
  const responses = await composite(conn, counter, subs);
  const found = new Set<string>();
  for (const sub of subs) {
    for (const row of rows(responses.get(sub.referenceId), sub.referenceId)) {
      const email = normalizeEmail(str(row, 'Email'));
      if (email !== null) found.add(email);
    }
  }
  return { found, asked };
}
