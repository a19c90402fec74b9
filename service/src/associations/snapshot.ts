/**
 * What the look-up found in the org for one meeting, in the service's own words (no Salesforce API
 * names): the input of the association cascade. `salesforce/lookups.ts` builds it from query results.
 */

export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly isActive: boolean;
}

export interface ContactRecord {
  readonly id: string;
  readonly email: string | null;
  readonly accountId: string | null;
  /** ISO date-time; the tie-break when one email matches several Contacts. */
  readonly lastModified: string;
  /** In the recycle bin (found through queryAll). */
  readonly isDeleted: boolean;
}

export interface LeadRecord {
  readonly id: string;
  readonly email: string | null;
  readonly lastModified: string;
}

/** A hand-picked Account or Opportunity as the org answered for its id. */
export type PickedRecord =
  | { readonly id: string; readonly state: 'found'; readonly accountId?: string | null }
  | { readonly id: string; readonly state: 'deleted' }
  | { readonly id: string; readonly state: 'not_found' };

/** An Opportunity of an Account the meeting may be linked to, for the opportunity rule (§7.8). */
export interface OpportunityRecord {
  readonly id: string;
  readonly accountId: string | null;
  /** YYYY-MM-DD, as Salesforce stores a date. */
  readonly closeDate: string | null;
  readonly isClosed: boolean;
  /** Contacts holding an OpportunityContactRole on it. */
  readonly contactIds: readonly string[];
}

/** An Account found by its Website (or an admin's domain list) for domain matching (§7.9). */
export interface AccountRecord {
  readonly id: string;
  readonly website: string | null;
}

export interface CrmSnapshot {
  /** Users whose email is the organizer's or a participant's. */
  readonly users: readonly UserRecord[];
  /** Contacts matching a participant email or a hand-picked id, deleted ones included. */
  readonly contacts: readonly ContactRecord[];
  /** Unconverted Leads matching a participant email. */
  readonly leads: readonly LeadRecord[];
  readonly account?: PickedRecord;
  readonly opportunity?: PickedRecord;
  readonly sharedActivities: boolean;
  /** Open Opportunities of the Accounts the meeting may be linked to (absent: not looked up). */
  readonly opportunities?: readonly OpportunityRecord[];
  /** Accounts whose Website names an external participant's domain, or that an admin's list names. */
  readonly domainAccounts?: readonly AccountRecord[];
}
