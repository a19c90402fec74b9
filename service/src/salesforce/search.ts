/**
 * Read-only look-ups for people picking records by hand: suggestions for a meeting's participants
 * (SOQL by email) and a name search (SOSL). Both spend the org's API allowance, so results are
 * cached briefly per workspace.
 */
import type { Connection } from 'jsforce';
import { soql } from './soql.ts';

export type SuggestionType = 'Contact' | 'Lead' | 'Account' | 'Opportunity';

export interface Suggestion {
  readonly type: SuggestionType;
  readonly id: string;
  readonly name: string;
  readonly score: number;
  /** Why it is suggested, as short sentences a person reads. */
  readonly why: readonly string[];
  readonly email?: string;
  readonly accountId?: string;
  readonly stageName?: string;
  /** Opportunities only: a manual pick may be a closed deal (CONTRACT §4 search names no stage). */
  readonly isClosed?: boolean;
}

export interface SearchHit {
  readonly type: 'Contact' | 'Account' | 'Opportunity';
  readonly id: string;
  readonly name: string;
  readonly email?: string;
  readonly accountId?: string;
  readonly stageName?: string;
}

/**
 * A SOSL search term with every reserved character escaped, so input is searched as text and never
 * read as an operator: ? & | ! { } [ ] ( ) ^ ~ * : \ " ' + -
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm
 */
export function soslEscape(term: string): string {
  return term.replace(/[?&|!{}[\]()^~*:\\"'+-]/g, (c) => `\\${c}`);
}

/**
 * The SOSL term for what a person typed in a search box: each word escaped (searched as text), then
 * matched by its beginning, as Salesforce's own search box does (`North` finds *Northwind*). SOSL's
 * `*` matches zero or more characters at the middle or end of a search term (never the start), and the
 * words of an unquoted term must all match (AND). A word ending in punctuation gets no `*`: after a
 * separator it would stand alone and match every token.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm
 */
export function soslPrefixTerm(text: string): string {
  return text
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => (/[\p{L}\p{N}]$/u.test(word) ? `${soslEscape(word)}*` : soslEscape(word)))
    .join(' ');
}

interface ContactRow {
  Id: string;
  Name: string;
  Email: string | null;
  AccountId: string | null;
  Account?: { Name?: string } | null;
}
interface LeadRow {
  Id: string;
  Name: string;
  Email: string | null;
  Company: string | null;
}
interface OpportunityRow {
  Id: string;
  Name: string;
  StageName: string | null;
  AccountId: string | null;
  CloseDate: string | null;
}

export async function suggestAssociations(
  conn: Connection,
  participants: readonly { email: string; name?: string | undefined }[],
): Promise<Suggestion[]> {
  const emails = [
    ...new Set(participants.map((p) => p.email.trim().toLowerCase()).filter((e) => e.includes('@'))),
  ];
  if (emails.length === 0) return [];
  const order = new Map(emails.map((e, i) => [e, i]));

  const [contacts, leads] = await Promise.all([
    conn.query<ContactRow>(
      soql`SELECT Id, Name, Email, AccountId, Account.Name FROM Contact WHERE Email IN ${emails} LIMIT 200`,
    ),
    conn.query<LeadRow>(
      soql`SELECT Id, Name, Email, Company FROM Lead WHERE Email IN ${emails} AND IsConverted = false LIMIT 200`,
    ),
  ]);

  const out: Suggestion[] = [];
  const accounts = new Map<string, { name: string; contacts: string[]; first: number }>();
  for (const c of contacts.records) {
    const email = (c.Email ?? '').toLowerCase();
    const position = order.get(email) ?? emails.length;
    out.push({
      type: 'Contact',
      id: c.Id,
      name: c.Name,
      email,
      ...(c.AccountId ? { accountId: c.AccountId } : {}),
      score: 100 - Math.min(position, 50) / 100,
      why: [`email matches participant ${email}`],
    });
    if (c.AccountId) {
      const a = accounts.get(c.AccountId) ?? {
        name: c.Account?.Name ?? c.AccountId,
        contacts: [],
        first: position,
      };
      a.contacts.push(c.Name);
      a.first = Math.min(a.first, position);
      accounts.set(c.AccountId, a);
    }
  }
  for (const [id, a] of accounts) {
    out.push({
      type: 'Account',
      id,
      name: a.name,
      score: 80 + a.contacts.length - a.first / 100,
      why: [`account of ${a.contacts.length} matched contact(s): ${a.contacts.join(', ')}`],
    });
  }
  if (accounts.size > 0) {
    const accountIds = [...accounts.keys()];
    const opportunities = await conn.query<OpportunityRow>(
      soql`SELECT Id, Name, StageName, AccountId, CloseDate FROM Opportunity WHERE AccountId IN ${accountIds} AND IsClosed = false ORDER BY CloseDate ASC LIMIT 50`,
    );
    for (const o of opportunities.records) {
      const a = o.AccountId ? accounts.get(o.AccountId) : undefined;
      out.push({
        type: 'Opportunity',
        id: o.Id,
        name: o.Name,
        ...(o.AccountId ? { accountId: o.AccountId } : {}),
        ...(o.StageName ? { stageName: o.StageName } : {}),
        score: 60 + (a?.contacts.length ?? 0),
        why: [
          `open opportunity on ${a?.name ?? 'a matched account'}${o.StageName ? ` (${o.StageName})` : ''}`,
          'link by picking it: contacts are not cascaded to opportunities',
        ],
      });
    }
  }
  for (const l of leads.records) {
    const email = (l.Email ?? '').toLowerCase();
    out.push({
      type: 'Lead',
      id: l.Id,
      name: l.Name,
      email,
      score: contacts.records.length > 0 ? 10 : 90,
      why: [
        `email matches participant ${email}${l.Company ? ` (${l.Company})` : ''}`,
        contacts.records.length > 0
          ? 'not linked automatically: a contact matched'
          : 'linked when no contact matches and nothing is picked',
      ],
    });
  }
  return out.sort((a, b) => b.score - a.score);
}

const SEARCH_FIELDS: Record<SearchHit['type'], string> = {
  Contact: 'Contact(Id, Name, Email, AccountId LIMIT 20)',
  Account: 'Account(Id, Name LIMIT 20)',
  // Open ones first; closed ones are still offered, as a person may pick a meeting's closed deal.
  // https://developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/sforce-api-calls-sosl-select-order-by-with-limit.html
  Opportunity: 'Opportunity(Id, Name, StageName, AccountId, IsClosed ORDER BY IsClosed ASC LIMIT 20)',
};

export async function searchRecords(
  conn: Connection,
  q: string,
  types: readonly SearchHit['type'][],
): Promise<SearchHit[]> {
  const sosl = `FIND {${soslPrefixTerm(q)}} IN NAME FIELDS RETURNING ${types.map((t) => SEARCH_FIELDS[t]).join(', ')}`;
  const result = await conn.search(sosl);
  return (result.searchRecords ?? []).map((r) => {
    const rec = r as Record<string, unknown> & { attributes?: { type?: string } };
    const type = (rec.attributes?.type ?? 'Account') as SearchHit['type'];
    const str = (k: string) => (typeof rec[k] === 'string' ? (rec[k] as string) : undefined);
    const email = str('Email');
    const accountId = str('AccountId');
    const stageName = str('StageName');
    const isClosed = rec['IsClosed'];
    return {
      type,
      id: String(rec['Id']),
      name: str('Name') ?? '',
      ...(email ? { email } : {}),
      ...(accountId ? { accountId } : {}),
      ...(stageName ? { stageName } : {}),
      ...(typeof isClosed === 'boolean' ? { isClosed } : {}),
    };
  });
}
