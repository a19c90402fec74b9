/** Small, made-up meeting events for the tests. */
import type { Meeting, MeetingEvent } from '../../src/meetings/schema.ts';
import type { OrgProfile } from '../../src/domain/org-profile.ts';
import type { ConnectionRecord, IncomingEvent } from '../../src/store/types.ts';

export function meeting(overrides: Partial<Meeting> = {}): Meeting {
  return {
    id: 'mtg_1',
    version: 1,
    title: 'Discovery call',
    startedAt: '2026-11-20T15:00:00Z',
    endedAt: '2026-11-20T15:30:00Z',
    recordingUrl: 'https://app.salescaling.com/recordings/mtg_1',
    organizer: { email: 'seller@example.com', name: 'Sam Seller' },
    participants: [{ email: 'buyer@example.org', name: 'Bea Buyer', internal: false }],
    summary: 'We talked about the **pilot**.',
    notes: [{ id: 'n1', category: 'Next steps', text: 'Send the proposal', at: 120 }],
    clips: [],
    ...overrides,
  };
}

export function processedEvent(
  m: Meeting,
  id = `evt_${m.id}_${m.version}`,
  workspaceId = 'ws_1',
): MeetingEvent {
  return {
    id,
    type: 'meeting.processed',
    createdAt: '2026-11-20T16:00:00Z',
    workspaceId,
    data: { meeting: m },
  };
}

/** meeting.deleted carries only the meeting's id and version (CONTRACT §5). */
export function deletedEvent(
  meetingId: string,
  version: number,
  id = `evt_${meetingId}_deleted`,
  workspaceId = 'ws_1',
): MeetingEvent {
  return {
    id,
    type: 'meeting.deleted',
    createdAt: '2026-11-20T17:00:00Z',
    workspaceId,
    data: { meeting: { id: meetingId, version } },
  };
}

export function incoming(
  m: Meeting,
  eventId = `evt_${m.id}_${m.version}`,
  workspaceId = 'ws_1',
): IncomingEvent {
  return {
    eventId,
    workspaceId,
    type: 'meeting.processed',
    meetingId: m.id,
    version: m.version,
    input: { kind: 'upsert', meeting: m },
  };
}

export const profile: OrgProfile = {
  orgId: '00D000000000001AAA',
  connectedUserId: '005000000000001AAA',
  sharedActivities: true,
  packageFields: {},
};

export function connection(workspaceId = 'ws_1'): Omit<ConnectionRecord, 'apiUsage' | 'lastSyncAt'> {
  return {
    workspaceId,
    status: 'connected',
    brokenReason: null,
    loginUrl: 'https://login.salesforce.com',
    instanceUrl: 'https://example.my.salesforce.com',
    identityUrl: 'https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA',
    orgId: profile.orgId,
    userId: profile.connectedUserId,
    username: 'admin@example.com',
    displayName: 'Ada Admin',
    accessToken: '00D000000000001!access-token-plain',
    refreshToken: '5Aep-refresh-token-plain',
    profile,
    check: {
      missingPermissions: [],
      sharedActivities: true,
      packageFieldsFound: [],
      packageFieldsMissing: [],
      checkedAt: '2026-11-20T16:00:00.000Z',
    },
    connectedAt: '2026-11-20T16:00:00.000Z',
  };
}
