/**
 * What one meeting's sync did in the org: the records written, what it was linked to and what was
 * dropped, and why. The pure core (associations/, plan/) produces it, sync/ assembles it, the store
 * keeps it and the API shows it, so it lives here rather than in any one of them.
 */
import type { Meeting } from '../meetings/schema.ts';
import type { WrittenEventState } from '../plan/person-edits.ts';

/** The Salesforce records written for one meeting, as last synced. Stored by the shell, opaque to it. */
export interface WrittenRecords {
  readonly eventId: string | null;
  readonly noteId: string | null;
  readonly taskId: string | null;
  /**
   * The Event is a calendar tool's that the sync enriched (CONTRACT §7.10), not one it created: a
   * delete removes what the sync added and leaves the Event. Absent: created by the sync.
   */
  readonly eventEnriched?: boolean;
  /** What the sync last wrote on the Event, to tell a person's later edit from its own (§7.11). */
  readonly eventState?: WrittenEventState;
}

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
  // Beside other sync tools (associations/calendar-match.ts) and a person's edit (plan/person-edits.ts):
  | 'calendar_event_ambiguous'
  | 'kept_person_edit'
  // Contacts for unknown guests: Salesforce refused to create the Contact (detail says why).
  | 'contact_not_created';

export interface DroppedAssociation {
  readonly recordId?: string;
  readonly email?: string;
  readonly reason: DropReason;
  /** For `kept_person_edit`: the Event fields whose person's value was kept. */
  readonly fields?: readonly string[];
  /** For `kept_person_edit`: the user who last modified the Event (its LastModifiedById). */
  readonly by?: string;
  /** Salesforce's own words, where they explain the reason (`contact_not_created`). */
  readonly detail?: string;
}

export interface LinkedAssociation {
  readonly recordId: string;
  /** `Event`: the calendar tool's Event the meeting enriched instead of creating its own. */
  readonly type: 'Contact' | 'Lead' | 'Account' | 'Opportunity' | 'Event';
  /** why it was linked: 'email_match', 'hand_picked', 'contact_account', 'calendar_event_subject_match', ... */
  readonly why: string;
}

/** What the queue holds for a meeting: its latest version to write, or the delete of a version. */
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
