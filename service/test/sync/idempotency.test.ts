/**
 * Issue 14 items 1 and 2 at the sync core, against the local org: the package's meeting id is a
 * unique, case-sensitive External ID, so
 * - two writes of one meeting racing (a restarted service while the killed one's write is still
 *   landing) leave one Event, one Task and one note: the loser's graph fails whole with
 *   DUPLICATE_VALUE and it takes the update path;
 * - meeting ids differing only in case are two meetings, each updated on its own records.
 */
import type { Meeting } from '../../src/meetings/schema.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import { meeting as baseMeeting } from '../associations/fixtures.ts';
import { startTestOrg, type TestOrg } from './local-org.ts';

jest.setTimeout(30_000);

let t: TestOrg;
beforeAll(async () => {
  t = await startTestOrg();
  t.seedContact('Buyer', 'bea@acme.example', t.seedAccount('Acme'));
});
afterAll(() => t.stop());

const m = (id: string, overrides: Partial<Meeting> = {}): Meeting =>
  baseMeeting({
    id,
    recordingUrl: 'https://app.salescaling.com/recordings/1',
    participants: [
      { email: 'seller@vendor.example', internal: true },
      { email: 'bea@acme.example', internal: false },
    ],
    ...overrides,
  });

interface Row {
  Id: string;
  Subject: string;
  Salescaling_Meeting_Id__c: string;
}

/** Rows whose meeting id is exactly `id` (SOQL `=` ignores case, so the test filters itself). */
async function rows(object: 'Event' | 'Task', id: string): Promise<Row[]> {
  const r = await t.conn.query<Row>(
    `SELECT Id, Subject, Salescaling_Meeting_Id__c FROM ${object} WHERE Salescaling_Meeting_Id__c = '${id}'`,
  );
  return r.records.filter((x) => x.Salescaling_Meeting_Id__c === id);
}

async function notesOn(eventId: string): Promise<string[]> {
  const r = await t.conn.query<{ ContentDocumentId: string }>(
    `SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = '${eventId}'`,
  );
  return r.records.map((x) => x.ContentDocumentId);
}

const noteCount = async (): Promise<number> => (await t.conn.query('SELECT Id FROM ContentNote')).totalSize;

describe('exactly once by the unique meeting id', () => {
  it('when two writes of a new meeting race while the org is slow to commit, then one Event, one Task and one note', async () => {
    t.org.setKnobs({ writeLatencyMs: 300 });
    try {
      const notesBefore = await noteCount();
      const meeting = m('mtg_race_1');
      const input = { kind: 'upsert', meeting } as const;
      const [a, b] = await Promise.all([
        syncMeeting(t.conn, t.profile, input, null),
        syncMeeting(t.conn, t.profile, input, null),
      ]);
      const events = await rows('Event', 'mtg_race_1');
      const tasks = await rows('Task', 'mtg_race_1');
      expect(events).toHaveLength(1);
      expect(tasks).toHaveLength(1);
      expect(await notesOn(events[0]!.Id)).toHaveLength(1);
      expect(await noteCount()).toBe(notesBefore + 1);
      expect([a.state, b.state]).toEqual(['synced', 'synced']);
      expect(a.written.eventId).toBe(events[0]!.Id);
      expect(b.written.eventId).toBe(events[0]!.Id);
      expect(b.written.taskId).toBe(a.written.taskId);
    } finally {
      t.org.setKnobs({ writeLatencyMs: 0 });
    }
  });

  it('when a newer version races the first write, then the newer version is what the one Event says', async () => {
    t.org.setKnobs({ writeLatencyMs: 300 });
    try {
      const v1 = m('mtg_race_2', { title: 'First title', version: 1 });
      const v2 = m('mtg_race_2', { title: 'Second title', version: 2 });
      const [, second] = await Promise.all([
        syncMeeting(t.conn, t.profile, { kind: 'upsert', meeting: v1 }, null),
        new Promise((r) => setTimeout(r, 50)).then(() =>
          syncMeeting(t.conn, t.profile, { kind: 'upsert', meeting: v2 }, null),
        ),
      ]);
      expect(second.state).toBe('synced');
      const events = await rows('Event', 'mtg_race_2');
      expect(events).toHaveLength(1);
      expect(events[0]!.Subject).toContain('Second title');
      expect(await rows('Task', 'mtg_race_2')).toHaveLength(1);
    } finally {
      t.org.setKnobs({ writeLatencyMs: 0 });
    }
  });

  it('when meeting ids differ only in case, then each has its own records and its own updates', async () => {
    const lower = await syncMeeting(
      t.conn,
      t.profile,
      { kind: 'upsert', meeting: m('mtg_under_X', { title: 'Lower' }) },
      null,
    );
    const upper = await syncMeeting(
      t.conn,
      t.profile,
      { kind: 'upsert', meeting: m('MTG_UNDER_X', { title: 'Upper' }) },
      null,
    );
    expect(upper.written.eventId).not.toBe(lower.written.eventId);
    expect(upper.written.taskId).not.toBe(lower.written.taskId);
    await syncMeeting(
      t.conn,
      t.profile,
      { kind: 'upsert', meeting: m('MTG_UNDER_X', { title: 'Upper again', version: 2 }) },
      upper.written,
    );
    const lowerEvents = await rows('Event', 'mtg_under_X');
    const upperEvents = await rows('Event', 'MTG_UNDER_X');
    expect(lowerEvents.map((e) => e.Subject)).toEqual([expect.stringContaining('Lower')]);
    expect(upperEvents.map((e) => e.Subject)).toEqual([expect.stringContaining('Upper again')]);
    expect(await rows('Task', 'mtg_under_X')).toHaveLength(1);
    expect(await rows('Task', 'MTG_UNDER_X')).toHaveLength(1);
  });
});
