/**
 * A batch is bounded by the bytes its meetings hold as well as by their count (WORKER_BATCH_BYTES),
 * so a backlog of large meetings never has hundreds of them in memory at once: against the local org,
 * a backlog of large meetings drains in batches whose stored size stays within the budget, a meeting
 * larger than the budget goes alone, and every meeting is written to the org exactly once.
 */
import type { SyncInput } from '../../src/domain/meeting-outcome.ts';
import { syncBatch } from '../../src/sync/sync-batch.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import type { SyncBatchFn, SyncMeetingFn } from '../../src/worker/worker.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { sendWebhook } from '../support/service.ts';
import { orgQuery, seedAcme, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(120_000);

const BUDGET = 40_000;

let stack: Stack;
afterAll(async () => {
  await stack?.dispose();
});

/** The stored size of each sync's meetings (the store keeps a meeting's input as this JSON). */
const syncs: { ids: string[]; bytes: number }[] = [];
const note = (input: unknown) => Buffer.byteLength(JSON.stringify(input));
const idOf = (input: SyncInput) => (input.kind === 'delete' ? input.meetingId : input.meeting.id);
const recordingBatch: SyncBatchFn = (conn, org, items, ...rest) => {
  syncs.push({
    ids: items.map((i) => idOf(i.input)),
    bytes: items.reduce((sum, i) => sum + note(i.input), 0),
  });
  return syncBatch(conn, org, items, ...rest);
};
const recordingLone: SyncMeetingFn = (conn, org, input, ...rest) => {
  syncs.push({ ids: [idOf(input)], bytes: note(input) });
  return syncMeeting(conn, org, input, ...rest);
};

/** A meeting of about `bytes` stored bytes: its notes carry the bulk. */
const large = (id: string, bytes: number) =>
  meeting({
    id,
    recordingUrl: `https://app.salescaling.com/recordings/${id}`,
    notes: Array.from({ length: Math.ceil(bytes / 1_000) }, (_, i) => ({
      id: `${id}-n${i}`,
      category: 'Next steps',
      text: `Note ${i}: ${'the buyer asked about the pilot. '.repeat(30)}`,
      at: i * 10,
    })),
  });

test('when a backlog of large meetings drains, then each batch holds at most the byte budget (a larger meeting goes alone) and every meeting is written once', async () => {
  stack = await startStack({
    env: { WORKER_BATCH_BYTES: String(BUDGET) },
    service: { syncMeeting: recordingLone, syncBatch: recordingBatch },
  });
  seedAcme(stack.org);
  // Queued before the connect: the whole backlog is due at once when the workspace connects.
  const backlog = [
    ...Array.from({ length: 12 }, (_, i) => large(`m_big${i}`, 9_000)),
    large('m_huge', BUDGET * 2),
  ];
  for (const m of backlog) await sendWebhook(stack.svc.url, processedEvent(m));
  await stack.connect();
  for (const m of backlog)
    expect(await stack.waitFor(m.id, (s) => s['state'] === 'synced', 'ws_1', 60_000)).toMatchObject({
      state: 'synced',
    });

  // What the org holds: one Event per meeting, none twice.
  const events = await orgQuery<{ Salescaling_Meeting_Id__c: string }>(
    stack.org,
    `SELECT Salescaling_Meeting_Id__c FROM Event WHERE Salescaling_Meeting_Id__c LIKE 'm_%'`,
  );
  expect(events.map((e) => e.Salescaling_Meeting_Id__c).sort()).toEqual(backlog.map((m) => m.id).sort());

  // Each sync carried at most the budget, or one meeting alone; the backlog still went out in batches.
  for (const s of syncs) if (s.ids.length > 1) expect(s.bytes).toBeLessThanOrEqual(BUDGET);
  expect(syncs.find((s) => s.ids.includes('m_huge'))?.ids).toEqual(['m_huge']);
  expect(Math.max(...syncs.map((s) => s.ids.length))).toBeGreaterThan(1);
  expect(syncs.flatMap((s) => s.ids).sort()).toEqual(backlog.map((m) => m.id).sort());
});
