import { meetingEventSchema } from '../src/meetings/schema.ts';

const meeting = {
  id: 'mtg_1',
  version: 1,
  title: 'Discovery call',
  startedAt: '2026-11-20T15:00:00Z',
  endedAt: '2026-11-20T15:30:00Z',
  recordingUrl: 'https://app.salescaling.com/recordings/mtg_1',
  organizer: { email: 'seller@example.com' },
  participants: [{ email: 'buyer@example.org', internal: false }],
  summary: '',
  notes: [],
  clips: [],
};

describe('meeting event schema', () => {
  it('when a processed meeting is well formed, then it parses', () => {
    const parsed = meetingEventSchema.safeParse({
      id: 'evt_1',
      type: 'meeting.processed',
      createdAt: '2026-11-20T16:00:00Z',
      workspaceId: 'ws_1',
      data: { meeting },
    });
    expect(parsed.success).toBe(true);
  });

  it('when fields are wrong, then every wrong path is reported', () => {
    const parsed = meetingEventSchema.safeParse({
      id: 'evt_1',
      type: 'meeting.processed',
      createdAt: '2026-11-20T16:00:00Z',
      workspaceId: 'ws_1',
      data: {
        meeting: {
          ...meeting,
          version: 0,
          endedAt: '2026-11-20T14:00:00Z',
          associations: { accountId: "x' OR Name != '" },
        },
      },
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual([
      'data.meeting.associations.accountId',
      'data.meeting.endedAt',
      'data.meeting.version',
    ]);
  });

  it('when endedAt is before startedAt, then endedAt is reported', () => {
    const parsed = meetingEventSchema.safeParse({
      id: 'evt_1',
      type: 'meeting.updated',
      createdAt: '2026-11-20T16:00:00Z',
      workspaceId: 'ws_1',
      data: { meeting: { ...meeting, endedAt: '2026-11-20T14:00:00Z' } },
    });
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['data.meeting.endedAt']);
  });
});
