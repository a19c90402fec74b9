/**
 * The seam between the service shell (HTTP, store, worker) and the sync core (associations, plan,
 * Salesforce writes). The worker calls `syncMeeting` (sync-meeting.ts) with what it stored; the core
 * does the Salesforce work and answers with what the store keeps and the status API shows.
 */
import type { Meeting } from '../meetings/schema.ts';

/** What the service knows about the connected org, learnt when connecting (and refreshed on status). */
export interface OrgProfile {
  readonly orgId: string;
  /** The user whose grant the service uses; the fallback owner of what is written. */
  readonly connectedUserId: string;
  /** Shared Activities on: up to 50 contacts per Event; off: only the WhoId contact. */
  readonly sharedActivities: boolean;
  /**
   * API names of the package's custom fields found on Activity (with the namespace prefix when the
   * package is installed managed); a field is absent when the package is not installed.
   */
  readonly packageFields: {
    readonly meetingId?: string;
    readonly recordingUrl?: string;
    readonly summaryPreview?: string;
    readonly attendees?: string;
  };
  /**
   * The Event `Type` to write: "Meeting", or null to leave Type out when the org's restricted picklist
   * has no "Meeting" (salesforce/org-check.ts). Absent in profiles stored before it was learnt: "Meeting".
   */
  readonly eventType?: string | null;
}

/** The Salesforce records written for one meeting, as last synced. Stored by the shell, opaque to it. */
export interface WrittenRecords {
  readonly eventId: string | null;
  readonly noteId: string | null;
  readonly taskId: string | null;
}

/** A record or person the meeting could not be linked to, and why. */
/** Why an association was not made (CONTRACT §7), as the status API shows it. */
export type DropReason =
  | 'not_found'
  | 'deleted'
  | 'over_contact_limit'
  | 'shared_activities_off'
  | 'what_id_taken_by_opportunity'
  | 'ambiguous_email'
  | 'salesforce_user'
  | 'lead_not_allowed'
  | 'missing_email'
  | 'participant_limit'
  | 'deleted_in_salesforce'
  // From the workspace's association settings (settings/association-settings.ts):
  | 'excluded'
  | 'internal_domain'
  | 'ambiguous_domain'
  | 'account_not_chosen'
  | 'opportunity_tie'
  | 'outside_close_date_window'
  // Contacts for unknown guests: Salesforce refused to create the Contact (detail says why).
  | 'contact_not_created';

export interface DroppedAssociation {
  readonly recordId?: string;
  readonly email?: string;
  readonly reason: DropReason;
  /** Salesforce's own words, where they explain the reason (`contact_not_created`). */
  readonly detail?: string;
}

export interface LinkedAssociation {
  readonly recordId: string;
  readonly type: 'Contact' | 'Lead' | 'Account' | 'Opportunity';
  /** why it was linked: 'email_match', 'hand_picked', 'contact_account', ... */
  readonly why: string;
}

export type SyncInput =
  | {
      readonly kind: 'upsert';
      readonly meeting: Meeting;
      /**
       * Queued again by the late-matching pass: the version already written is written once more, so
       * that records which appeared in Salesforce since then get linked (an ordinary repeat of a
       * version changes nothing).
       */
      readonly relink?: boolean;
    }
  | { readonly kind: 'delete'; readonly meetingId: string; readonly version: number };

export interface SyncOutcome {
  readonly state: 'synced' | 'skipped' | 'deleted';
  /** For `skipped`: why (`no_crm_match`). */
  readonly reason?: string;
  readonly written: WrittenRecords;
  readonly linked: readonly LinkedAssociation[];
  readonly dropped: readonly DroppedAssociation[];
  /** Salesforce API calls this sync spent (each composite request counts as one). */
  readonly apiCalls: number;
}

/**
 * What the shell does around a write that creates a meeting's records (issue 14 item 1): the store
 * notes that it started before it is sent, and forgets it once Salesforce answered. A create whose
 * answer was lost (a kill, a timeout) may still land; the worker does not write that meeting again
 * until it settles.
 */
export interface CreateFence {
  /** Before the create is sent; throws (a WriteFenceError) when it must not be sent. */
  beforeCreate(): Promise<void>;
  /** Salesforce answered the create (saved or refused): it cannot land later. */
  answered(): Promise<void>;
}

/** The fence could not be set (lease lost, database away): nothing was sent; try again later. */
export class WriteFenceError extends Error {
  override readonly name = 'WriteFenceError';
}
