/**
 * What a backfilled meeting would do, without writing: looked up and resolved exactly as the sync
 * does (the same look-ups, the workspace's association settings, CONTRACT §7), then planned (CONTRACT §6); nothing is sent to the
 * queue or the org's write endpoints.
 */
import { lookUpAndResolve } from '../sync/look-up-and-resolve.ts';
import type { MeetingEvent } from '../meetings/schema.ts';
import { CallCounter } from '../salesforce/composite.ts';
import type { ConnectionManager } from '../salesforce/connection.ts';
import type { Store } from '../store/types.ts';
import type { DroppedAssociation, LinkedAssociation } from '../domain/meeting-outcome.ts';

export interface DryRunMeeting {
  readonly meetingId: string;
  readonly version: number;
  readonly action:
    'create' | 'update' | 'delete' | 'unchanged' | 'skip_no_crm_match' | 'not_connected' | 'not_checked';
  /** The Salesforce objects that would be written. */
  readonly records: readonly string[];
  readonly linked: readonly LinkedAssociation[];
  readonly dropped: readonly DroppedAssociation[];
  readonly apiCalls: number;
}

/**
 * `lookUp: false` answers from the store alone (no API call): a meeting already received at this
 * version or later is `unchanged`, any other `not_checked`.
 */
export async function dryRunMeeting(
  store: Store,
  connections: ConnectionManager,
  event: MeetingEvent,
  lookUp = true,
): Promise<DryRunMeeting> {
  const m = event.data.meeting;
  const base = { meetingId: m.id, version: m.version, records: [], linked: [], dropped: [], apiCalls: 0 };
  const known = await store.meetings.get({ workspaceId: event.workspaceId, meetingId: m.id });
  if (event.type === 'meeting.deleted') {
    return known && known.state !== 'deleted'
      ? { ...base, action: 'delete', records: ['Event', 'Task', 'ContentNote'] }
      : { ...base, action: 'unchanged' };
  }
  if (known && known.version >= m.version) return { ...base, action: 'unchanged' };
  if (!lookUp) return { ...base, action: 'not_checked' };
  let entry;
  try {
    entry = await connections.get(event.workspaceId);
  } catch {
    return { ...base, action: 'not_connected' };
  }
  const meeting = event.data.meeting;
  const { settings } = await store.settings.get(event.workspaceId);
  const counter = new CallCounter();
  const org = entry.record.profile;
  const { found, links } = await lookUpAndResolve(
    entry.conn,
    counter,
    org,
    meeting,
    known?.written ?? null,
    settings,
  );
  const exists = found.event !== null || found.task !== null || (known?.written?.noteId ?? null) !== null;
  if (!exists && links.outcome === 'skipped')
    return { ...base, action: 'skip_no_crm_match', dropped: links.dropped, apiCalls: counter.count };
  return {
    ...base,
    action: exists ? 'update' : 'create',
    records: ['Event', 'Task', 'ContentNote'],
    linked: links.linked,
    dropped: links.dropped,
    apiCalls: counter.count,
  };
}
