/** Use-case: store a verified, validated meeting event for the worker (CONTRACT §5, §8). */
import type { Store } from '../store/types.ts';
import type { AcceptResult, IncomingEvent } from '../store/types.ts';
import type { MeetingEvent } from './schema.ts';

export function toIncoming(event: MeetingEvent): IncomingEvent {
  const m = event.data.meeting;
  return {
    eventId: event.id,
    workspaceId: event.workspaceId,
    type: event.type,
    meetingId: m.id,
    version: m.version,
    input:
      event.type === 'meeting.deleted'
        ? { kind: 'delete', meetingId: m.id, version: m.version }
        : { kind: 'upsert', meeting: event.data.meeting },
  };
}

export function acceptMeetingEvent(
  store: Store,
  event: MeetingEvent,
  now = Date.now(),
): Promise<AcceptResult> {
  return store.meetings.accept(toIncoming(event), now);
}
