/**
 * The connected org as the sync sees it. Learnt by salesforce/ when connecting, kept by the store,
 * read by the pure plan: a domain type, so none of them owns it.
 */
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
