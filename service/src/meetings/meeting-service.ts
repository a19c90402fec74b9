/** Use-cases behind the meeting status and resync endpoints. */
import { notFound } from '../app-error.ts';
import type { MeetingSync } from '../store/meeting-row.ts';
import type { Store } from '../store/types.ts';

/** A meeting's sync fields as the API shows them (the status endpoint and the admin sync log alike). */
export function meetingSyncJson(m: MeetingSync) {
  return {
    state: m.state,
    reason: m.reason,
    version: m.version,
    syncedVersion: m.syncedVersion,
    salesforce: {
      eventId: m.written?.eventId ?? null,
      noteId: m.written?.noteId ?? null,
      taskId: m.written?.taskId ?? null,
    },
    linked: [...m.linked],
    dropped: [...m.dropped],
    attempts: m.attempts,
    lastError: m.lastError,
    apiCalls: m.apiCalls,
    nextAttemptAt: m.nextAttemptAt,
    updatedAt: m.updatedAt,
  };
}

export class MeetingService {
  readonly #store: Store;
  readonly #onQueued: () => void;
  constructor(store: Store, onQueued: () => void = () => undefined) {
    this.#store = store;
    this.#onQueued = onQueued;
  }

  async status(workspaceId: string, meetingId: string) {
    const m = await this.#store.meetings.get({ workspaceId, meetingId });
    if (!m) throw notFound('meeting_not_found', `no meeting ${meetingId} in workspace ${workspaceId}`);
    return {
      workspaceId: m.workspaceId,
      meetingId: m.meetingId,
      ...meetingSyncJson(m),
    };
  }

  async resync(workspaceId: string, meetingId: string) {
    // relink: the version already written is written again with the links the org now allows (a
    // Contact created since, a permission granted), as a late match does.
    const ok = await this.#store.meetings.requeue({ workspaceId, meetingId }, Date.now(), { relink: true });
    if (!ok) throw notFound('meeting_not_found', `no meeting ${meetingId} in workspace ${workspaceId}`);
    this.#onQueued();
    const m = await this.#store.meetings.get({ workspaceId, meetingId });
    return { meetingId, state: m?.state ?? 'queued' };
  }
}
