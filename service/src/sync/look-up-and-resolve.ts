/**
 * What a meeting finds in the org and what it would be linked to, under the workspace's association
 * settings: the one look-up (plus the rule look-ups the settings need) and the pure cascade. The
 * sync, the simulator and the backfill's dry run all ask this one question, so they cannot disagree.
 */
import { resolveAssociations, type Associations } from '../associations/resolve.ts';
import type { Meeting } from '../meetings/schema.ts';
import { meetingMarker } from '../plan/marker.ts';
import type { CallCounter } from '../salesforce/composite.ts';
import type { Connection } from '../salesforce/connection.ts';
import { lookUpMeeting, type MeetingLookup } from '../salesforce/lookups.ts';
import { lookUpRuleRecords } from '../salesforce/rule-lookups.ts';
import type { AssociationSettings } from '../settings/association-settings.ts';
import type { OrgProfile } from '../domain/org-profile.ts';
import type { WrittenRecords } from '../domain/meeting-outcome.ts';

export async function lookUpAndResolve(
  conn: Connection,
  counter: CallCounter,
  org: OrgProfile,
  meeting: Meeting,
  previous: WrittenRecords | null,
  settings: AssociationSettings,
): Promise<{ found: MeetingLookup; links: Associations }> {
  const marker = meetingMarker(meeting.id);
  const found = await lookUpMeeting(conn, counter, org, meeting.id, marker, meeting, previous, settings);
  const snapshot = await lookUpRuleRecords(conn, counter, meeting, found.snapshot, settings);
  return { found, links: resolveAssociations(meeting, snapshot, settings) };
}
