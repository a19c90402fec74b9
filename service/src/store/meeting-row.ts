/**
 * One `meetings` row as both engines return it, and how it becomes the sync fields the API shows.
 * The meetings queue (meeting status) and the meeting log (the sync log) read the same columns; one mapping keeps
 * their JSON decoding and number coercion (PostgreSQL BIGINT arrives as a string) identical.
 */
import type { DroppedAssociation, LinkedAssociation, WrittenRecords } from '../domain/meeting-outcome.ts';
import type { MeetingRecord, MeetingState } from './types.ts';

export interface MeetingRow {
  workspace_id: string;
  meeting_id: string;
  version: number;
  input_json: string;
  state: MeetingState;
  reason: string | null;
  synced_version: number | null;
  written_json: string | null;
  linked_json: string | null;
  dropped_json: string | null;
  attempts: number;
  last_error: string | null;
  api_calls: number | null;
  next_attempt_at: number | null;
  updated_at: number;
}

/** A meeting's sync fields, without the workspace it belongs to. */
export type MeetingSync = Omit<MeetingRecord, 'workspaceId'>;

export const iso = (ms: number | null): string | null =>
  ms === null ? null : new Date(Number(ms)).toISOString();
export const json = <T>(text: string | null, fallback: T): T =>
  text === null ? fallback : (JSON.parse(text) as T);

export function meetingSyncFromRow(row: Omit<MeetingRow, 'workspace_id'>): MeetingSync {
  return {
    meetingId: row.meeting_id,
    version: Number(row.version),
    syncedVersion: row.synced_version === null ? null : Number(row.synced_version),
    state: row.state,
    reason: row.reason,
    written: json<WrittenRecords | null>(row.written_json, null),
    linked: json<LinkedAssociation[]>(row.linked_json, []),
    dropped: json<DroppedAssociation[]>(row.dropped_json, []),
    attempts: Number(row.attempts),
    lastError: row.last_error,
    apiCalls: row.api_calls === null ? null : Number(row.api_calls),
    // only a queued meeting waits for a time (the meeting status endpoint's rule)
    nextAttemptAt: row.state === 'queued' ? iso(row.next_attempt_at) : null,
    updatedAt: iso(row.updated_at) ?? '',
  };
}
