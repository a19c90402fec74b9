/**
 * Batched syncs against the local org (issue 11): many meetings of one workspace share their look-ups
 * and go out as one graph per meeting, many graphs per call. Checked by what the org holds afterwards
 * and by the org's own call counters; each meeting is decided as it would be alone.
 */
import type { Meeting } from '../../src/meetings/schema.ts';
import { syncBatch, type BatchFence } from '../../src/sync/sync-batch.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import type { SyncOutcome } from '../../src/domain/meeting-outcome.ts';
import { DEFAULT_SETTINGS } from '../../src/settings/association-settings.ts';
import { meeting as baseMeeting } from '../associations/fixtures.ts';
import { startTestOrg, type TestOrg } from '../support/test-org.ts';

jest.setTimeout(60_000);

let t: TestOrg;
const buyers: string[] = [];
beforeAll(async () => {
  t = await startTestOrg();
  for (let a = 0; a < 5; a++) {
    const account = t.seedAccount(`Account ${a}`);
    t.seedOpportunity(`Deal ${a}`, account);
    for (let c = 0; c < 4; c++) {
      const email = `buyer${a}.${c}@acct${a}.example`;
      t.seedContact(`Buyer ${a}.${c}`, email, account);
      buyers.push(email);
    }
  }
  t.seedContact('Loner', 'loner@nowhere.example', null);
  t.seedLead('Lead', 'lead@prospect.example');
});
afterAll(() => t.stop());

const m = (id: string, emails: readonly string[], overrides: Partial<Meeting> = {}): Meeting =>
  baseMeeting({
    id,
    participants: [
      { email: 'seller@vendor.example', internal: true },
      ...emails.map((email) => ({ email, internal: false })),
    ],
    ...overrides,
  });

/** A varied backlog: 1–3 contacts of one or two accounts, a lead, nobody known, a hand-picked account. */
function backlog(prefix: string, n: number): Meeting[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `${prefix}${i}`;
    if (i % 10 === 7) return m(id, ['lead@prospect.example']);
    if (i % 10 === 8) return m(id, ['stranger@unknown.example']);
    if (i % 10 === 9) return m(id, ['loner@nowhere.example']);
    const first = buyers[(i * 3) % buyers.length]!;
    const second = buyers[(i * 7 + 1) % buyers.length]!;
    return m(id, i % 2 === 0 ? [first] : [first, second]);
  });
}

async function count(object: string, where: string): Promise<number> {
  return (await t.conn.query(`SELECT Id FROM ${object} WHERE ${where}`)).totalSize;
}

const comparable = (o: SyncOutcome) => ({
  state: o.state,
  reason: o.reason,
  linked: o.linked,
  dropped: o.dropped,
});

function recordingFence() {
  const marked: string[][] = [];
  const answered: string[][] = [];
  const fence: BatchFence = {
    beforeCreate: async (ids) => {
      marked.push([...ids]);
      return new Set(ids);
    },
    answered: async (ids) => void answered.push([...ids]),
  };
  return { fence, marked, answered };
}

describe('syncBatch', () => {
  it('when 120 new meetings are synced as a batch, then each is written once, linked as alone, for few calls', async () => {
    const batch = backlog('bat', 120);
    const alone = backlog('one', 20);
    const aloneOutcomes = [];
    for (const meeting of alone)
      aloneOutcomes.push(
        await syncMeeting(t.conn, t.profile, { kind: 'upsert', meeting }, null, DEFAULT_SETTINGS),
      );
    const { fence, marked, answered } = recordingFence();
    const { result, calls } = await t.callsDuring(() =>
      syncBatch(
        t.conn,
        t.profile,
        batch.map((meeting) => ({ input: { kind: 'upsert' as const, meeting }, previous: null })),
        DEFAULT_SETTINGS,
        fence,
      ),
    );
    expect(result.apiCalls).toBe(calls);
    // 120 meetings: a few look-up composites and a few graph calls, nowhere near 2 per meeting.
    expect(calls).toBeLessThanOrEqual(8);
    expect(result.results.size).toBe(120);
    for (const [i, meeting] of batch.entries()) {
      const r = result.results.get(meeting.id);
      if (!r?.ok) throw new Error(`${meeting.id}: ${String(r?.error)}`);
      // The same decision as the lone sync of the same participants (the lone run covers i < 20).
      if (i < 20) expect(comparable(r.outcome)).toEqual(comparable(aloneOutcomes[i]!));
      const events = await count('Event', `Salescaling_Meeting_Id__c = '${meeting.id}'`);
      const tasks = await count('Task', `Salescaling_Meeting_Id__c = '${meeting.id}'`);
      const expected = r.outcome.state === 'skipped' ? 0 : 1;
      expect([meeting.id, events, tasks]).toEqual([meeting.id, expected, expected]);
      if (expected === 1) {
        const event = (
          await t.conn.query<{ Id: string; WhatId: string | null }>(
            `SELECT Id, WhatId FROM Event WHERE Salescaling_Meeting_Id__c = '${meeting.id}'`,
          )
        ).records[0]!;
        expect(event.Id).toBe(r.outcome.written.eventId);
        expect(await count('ContentDocumentLink', `LinkedEntityId = '${event.Id}'`)).toBe(1);
      }
    }
    // Every create marked before its call; the written ones are cleared with their outcome (the
    // worker's one transaction), so the batch clears only the answered ones it did not write.
    const written = batch.filter((b) => {
      const r = result.results.get(b.id);
      return r?.ok === true && r.outcome.written.eventId !== null;
    });
    expect(marked.flat().length).toBeGreaterThan(0);
    expect(marked.flat().sort()).toEqual(written.map((b) => b.id).sort());
    expect(answered.flat()).toEqual([]);
  });

  it('when the batch runs again, then nothing is written twice, and updates and deletes batch too', async () => {
    const batch = backlog('rer', 40);
    const items = batch.map((meeting) => ({ input: { kind: 'upsert' as const, meeting }, previous: null }));
    const first = await syncBatch(t.conn, t.profile, items, DEFAULT_SETTINGS);
    // Again with the ids forgotten (a crash before they were stored): found, not created again.
    const again = await syncBatch(t.conn, t.profile, items, DEFAULT_SETTINGS);
    for (const meeting of batch) {
      const a = first.results.get(meeting.id);
      const b = again.results.get(meeting.id);
      if (!a?.ok || !b?.ok) throw new Error(`${meeting.id} failed`);
      // The same records (what the sync remembers writing on them is known only to the first run).
      expect(b.outcome.written).toMatchObject({
        eventId: a.outcome.written.eventId,
        noteId: a.outcome.written.noteId,
        taskId: a.outcome.written.taskId,
      });
      const expected = a.outcome.state === 'skipped' ? 0 : 1;
      expect(await count('Event', `Salescaling_Meeting_Id__c = '${meeting.id}'`)).toBe(expected);
    }
    // A new version of each: updated in place, the subject changed.
    const updated = batch.map((meeting) => ({
      input: { kind: 'upsert' as const, meeting: { ...meeting, version: 2, title: `${meeting.title} v2` } },
      previous: (first.results.get(meeting.id) as { outcome: SyncOutcome }).outcome.written,
    }));
    const { result: update, calls: updateCalls } = await t.callsDuring(() =>
      syncBatch(t.conn, t.profile, updated, DEFAULT_SETTINGS),
    );
    expect(updateCalls).toBeLessThanOrEqual(6);
    for (const meeting of batch) {
      const r = update.results.get(meeting.id);
      if (!r?.ok) throw new Error(`${meeting.id}: ${String(r?.error)}`);
      if (r.outcome.state === 'skipped') continue;
      const rows = await t.conn.query<{ Subject: string }>(
        `SELECT Subject FROM Event WHERE Salescaling_Meeting_Id__c = '${meeting.id}'`,
      );
      expect(rows.records.map((x) => x.Subject)).toEqual([`${meeting.title} v2`]);
    }
    // Deleted: every Event, note and task of the batch gone.
    const deletions = batch.map((meeting) => ({
      input: { kind: 'delete' as const, meetingId: meeting.id, version: 3 },
      previous: (update.results.get(meeting.id) as { outcome: SyncOutcome }).outcome.written,
    }));
    const { result: deleted, calls: deleteCalls } = await t.callsDuring(() =>
      syncBatch(t.conn, t.profile, deletions, DEFAULT_SETTINGS),
    );
    expect(deleteCalls).toBeLessThanOrEqual(4);
    for (const meeting of batch) {
      const r = deleted.results.get(meeting.id);
      if (!r?.ok) throw new Error(`${meeting.id}: ${String(r?.error)}`);
      expect(r.outcome.state).toBe('deleted');
      expect(await count('Event', `Salescaling_Meeting_Id__c = '${meeting.id}'`)).toBe(0);
      expect(await count('Task', `Salescaling_Meeting_Id__c = '${meeting.id}'`)).toBe(0);
    }
  });

  it('when the org refuses one meeting, then only that meeting fails and the others are written', async () => {
    // A customer's validation rule: an Event must have a WhatId; the loner's contact has no Account.
    t.org.setKnobs({
      customerRules: {
        validationRules: [{ object: 'Event', name: 'Needs_What', blankField: 'WhatId', message: 'Link it' }],
      } as never,
    });
    try {
      const batch = [m('iso0', [buyers[0]!]), m('iso1', ['loner@nowhere.example']), m('iso2', [buyers[5]!])];
      const { fence, marked, answered } = recordingFence();
      const result = await syncBatch(
        t.conn,
        t.profile,
        batch.map((meeting) => ({ input: { kind: 'upsert' as const, meeting }, previous: null })),
        DEFAULT_SETTINGS,
        fence,
      );
      // The refused create's mark is cleared by the batch (its retry must not wait for it to settle).
      expect(marked.flat().sort()).toEqual(['iso0', 'iso1', 'iso2']);
      expect(answered.flat()).toEqual(['iso1']);
      expect(result.results.get('iso0')?.ok).toBe(true);
      expect(result.results.get('iso2')?.ok).toBe(true);
      expect(result.results.get('iso1')).toMatchObject({
        ok: false,
        error: { kind: 'record', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
      });
      expect(await count('Event', `Salescaling_Meeting_Id__c IN ('iso0', 'iso2')`)).toBe(2);
      expect(await count('Event', `Salescaling_Meeting_Id__c = 'iso1'`)).toBe(0);
      expect(await count('Task', `Salescaling_Meeting_Id__c = 'iso1'`)).toBe(0);
    } finally {
      t.org.setKnobs({ customerRules: {} as never });
    }
  });

  it('when a lease is lost before the write, then that meeting is not sent and the others are', async () => {
    const batch = [m('fen0', [buyers[1]!]), m('fen1', [buyers[2]!])];
    const fence: BatchFence = {
      beforeCreate: async (ids) => new Set(ids.filter((id) => id !== 'fen1')),
      answered: async () => undefined,
    };
    const result = await syncBatch(
      t.conn,
      t.profile,
      batch.map((meeting) => ({ input: { kind: 'upsert' as const, meeting }, previous: null })),
      DEFAULT_SETTINGS,
      fence,
    );
    expect(result.results.get('fen0')?.ok).toBe(true);
    expect(result.results.get('fen1')).toMatchObject({ ok: false, error: { name: 'WriteFenceError' } });
    expect(await count('Event', `Salescaling_Meeting_Id__c = 'fen0'`)).toBe(1);
    expect(await count('Event', `Salescaling_Meeting_Id__c = 'fen1'`)).toBe(0);
  });
});
