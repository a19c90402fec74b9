import { createHash } from 'node:crypto';

/**
 * A deterministic, opaque reference for one meeting, written on the Event and the task so the sync
 * finds what it already wrote even without the package's meeting-id field and without the ids the
 * store kept (a crash between the write and the save). Derived from the meeting id alone: the same
 * meeting gives the same marker in every process, forever; 96 bits of SHA-256 make collisions between
 * meetings negligible. It reveals nothing about the meeting.
 */
export function meetingMarker(meetingId: string): string {
  return `salescaling:${createHash('sha256').update(meetingId, 'utf8').digest('hex').slice(0, 24)}`;
}
