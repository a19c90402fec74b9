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
}
