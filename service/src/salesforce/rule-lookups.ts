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
import type { LateMatchFindings } from '../associations/late-matching.ts';
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
 * The queries the rules need for this meeting given what the first look-up found (none when the
 * rules cannot change the answer): the open Opportunities of the meeting's Account when the first
 * call could not carry them; the Accounts by domain when nobody matched by email — or, with Contacts
 * for unknown guests on, when contacts matched but other guests did not. Pure, so the simulator and
 * the tests can see it.
 */
export function ruleQueries(
  meeting: Meeting,
  snapshot: CrmSnapshot,
  settings: AssociationSettings,
): RuleQuery[] {
  const first = resolveAssociations(meeting, snapshot, settings);
  if (first.outcome === 'skipped' && first.skipReason !== 'no_crm_match') return [];
  if (first.leadId !== null) return [];
  const out: RuleQuery[] = [];
  if (first.accountId !== null && first.opportunityId === null) {
    if (settings.opportunityRule.enabled && snapshot.opportunities === undefined)
      out.push({
        referenceId: 'ruleOpportunities',
        soql: soql`SELECT Id, AccountId, CloseDate, IsClosed, (SELECT ContactId FROM OpportunityContactRoles) FROM Opportunity WHERE AccountId = ${first.accountId} AND IsClosed = false ORDER BY CloseDate ASC, Id ASC LIMIT ${OPPORTUNITY_LOOKUP_LIMIT}`,
      });
  }
  const accounts = domainQuery(meeting, snapshot, settings, first);
  if (accounts !== null) out.push(accounts);
  return out;
}

/** The Accounts-by-domain query, when domain matching or Contacts for unknown guests may use it. */
function domainQuery(
  meeting: Meeting,
  snapshot: CrmSnapshot,
  settings: AssociationSettings,
  first: ReturnType<typeof resolveAssociations>,
): RuleQuery | null {
  if (!settings.domainMatching.enabled || snapshot.domainAccounts !== undefined) return null;
  const beside = settings.contactCreation.enabled && first.contactIds.length > 0;
  if (!beside) {
    if (first.contactIds.length > 0 || first.accountId !== null || first.opportunityId !== null) return null;
    if (meeting.associations?.accountId !== undefined || meeting.associations?.opportunityId !== undefined)
      return null;
  }
  // Beside matched contacts, only the guests who matched nothing are asked about.
  const unmatched = new Set(
    first.dropped.flatMap((d) =>
      d.reason === 'not_found' && d.recordId === undefined && d.email ? [d.email] : [],
    ),
  );
  const userEmails = new Set(snapshot.users.flatMap((u) => normalizeEmail(u.email) ?? []));
  const domains: string[] = [];
  const mapped: string[] = [];
  for (const email of externalParticipants(meeting).emails) {
    if (userEmails.has(email) || isExcludedEmail(email, settings)) continue;
    if (beside && !unmatched.has(email)) continue;
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
 * Adds what the rules need to the snapshot: one composite call with its queries, or none. The
 * snapshot without these fields means "not looked up", which the cascade treats as "nothing found".
 */
export async function lookUpRuleRecords(
  conn: Connection,
  counter: CallCounter,
  meeting: Meeting,
  snapshot: CrmSnapshot,
  settings: AssociationSettings,
): Promise<CrmSnapshot> {
  const queries = ruleQueries(meeting, snapshot, settings);
  if (queries.length === 0) return snapshot;
  const responses = await composite(
    conn,
    counter,
    queries.map((q) => ({ method: 'GET' as const, referenceId: q.referenceId, url: queryUrl(q.soql) })),
  );
  return queries.reduce(
    (out, query) => withRuleRows(out, query, rows(responses.get(query.referenceId), query.referenceId)),
    snapshot,
  );
}

/**
 * The snapshot with what one rule query found (its own call, or a batch's: batch-lookups.ts). The
 * Opportunities add to those already known: a meeting may ask both queries in one call.
 */
export function withRuleRows(snapshot: CrmSnapshot, query: RuleQuery, found: readonly Row[]): CrmSnapshot {
  if (query.referenceId === 'ruleOpportunities') {
    return {
      ...snapshot,
      opportunities: [...(snapshot.opportunities ?? []), ...found.map((r) => toOpportunity(r, null))],
    };
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
/** Accounts whose Opportunities are asked about per pass (an IN list in the same URL). */
export const LATE_MATCH_ACCOUNTS_PER_QUERY = 150;

/** Salesforce's date-time (`…+0000`) as epoch ms; NaN when unreadable. */
function epoch(value: string | null): number {
  if (value === null) return Number.NaN;
  return Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
}

/** A SOQL date-time literal, to the second (SOQL takes no milliseconds). */
function soqlDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export interface LateMatchAsk {
  readonly emails: readonly string[];
  readonly domains: readonly string[];
  readonly accountIds: readonly string[];
  /** The oldest last sync among the meetings asked about (epoch ms): older changes are not read. */
  readonly since: number;
}

/**
 * The late-matching pass's one composite call for a workspace (associations/late-matching.ts): which
 * emails the org now knows as a Contact or an unconverted Lead, which Accounts changed since `since`
 * have a Website that may name an asked domain, and which open Opportunities of asked Accounts changed
 * since then. At most 4 queries (a composite carries 5); what does not fit waits for the next pass.
 * Returns what was found and what was asked, so the caller counts only meetings it could check.
 */
export async function lateMatchLookup(
  conn: Connection,
  counter: CallCounter,
  ask: LateMatchAsk,
): Promise<{
  found: LateMatchFindings;
  asked: { emails: string[]; domains: string[]; accountIds: string[] };
}> {
  const emails = ask.emails.slice(0, LATE_MATCH_EMAILS_PER_QUERY);
  const domains = ask.domains.slice(0, DOMAIN_LOOKUP_LIMIT);
  const accountIds = ask.accountIds.slice(0, LATE_MATCH_ACCOUNTS_PER_QUERY);
  const since = soqlDateTime(ask.since);
  const subs: { method: 'GET'; referenceId: string; url: string }[] = [];
  if (emails.length > 0) {
    subs.push(
      {
        method: 'GET',
        referenceId: 'contacts',
        url: queryUrl(soql`SELECT Email FROM Contact WHERE Email IN ${emails}`),
      },
      {
        method: 'GET',
        referenceId: 'leads',
        url: queryUrl(soql`SELECT Email FROM Lead WHERE Email IN ${emails} AND IsConverted = false`),
      },
    );
  }
  if (domains.length > 0) {
    const like = domains.map((d) => soql`Website LIKE ${websiteLikePattern(d)}`).join(' OR ');
    subs.push({
      method: 'GET',
      referenceId: 'accounts',
      url: queryUrl(
        `SELECT Id, Website, LastModifiedDate FROM Account WHERE (${like}) AND LastModifiedDate >= ${since} ORDER BY Id ASC LIMIT 200`,
      ),
    });
  }
  if (accountIds.length > 0) {
    subs.push({
      method: 'GET',
      referenceId: 'opportunities',
      url: queryUrl(
        `${soql`SELECT Id, AccountId, CloseDate, LastModifiedDate FROM Opportunity WHERE IsClosed = false AND AccountId IN ${accountIds}`} AND LastModifiedDate >= ${since} ORDER BY Id ASC LIMIT ${OPPORTUNITY_LOOKUP_LIMIT}`,
      ),
    });
  }
  const asked = { emails, domains, accountIds };
  if (subs.length === 0) return { found: { emails: new Set() }, asked };
  const responses = await composite(conn, counter, subs);
  const known = new Set<string>();
  for (const ref of ['contacts', 'leads']) {
    if (!responses.has(ref)) continue;
    for (const row of rows(responses.get(ref), ref)) {
      const email = normalizeEmail(str(row, 'Email'));
      if (email !== null) known.add(email);
    }
  }
  const accounts = responses.has('accounts')
    ? rows(responses.get('accounts'), 'accounts').map((r) => ({
        id: str(r, 'Id') ?? '',
        website: str(r, 'Website'),
        lastModified: epoch(str(r, 'LastModifiedDate')),
      }))
    : [];
  const opportunities = responses.has('opportunities')
    ? rows(responses.get('opportunities'), 'opportunities').map((r) => ({
        id: str(r, 'Id') ?? '',
        accountId: str(r, 'AccountId'),
        closeDate: str(r, 'CloseDate'),
        lastModified: epoch(str(r, 'LastModifiedDate')),
      }))
    : [];
  return { found: { emails: known, accounts, opportunities }, asked };
}
