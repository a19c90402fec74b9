/**
 * Issue 14 items 1 and 2 at the sync core, against the local org. The package's meeting id is an
 * External ID, not unique (activity custom fields do not offer it), so exactly once rests on
 * - the look-up: a write that landed (an orphan of a killed process, once it has settled) is found by
 *   the meeting id and updated, never written a second time;
 * - the create fence: the caller notes the create before the org receives it, and is told when the
 *   org answered it (refused: it can no longer land);
 * and meeting ids differing only in case are two meetings, each updated on its own records.
 */
import { eventually } from '../../../scripts/test-support/eventually.ts';
import type { Meeting } from '../../src/meetings/schema.ts';
import { SalesforceError, classifySalesforceError, isUnanswered } from '../../src/salesforce/errors.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import { WriteFenceError, type CreateFence } from '../../src/sync/types.ts';
import { DEFAULT_SETTINGS } from '../../src/settings/association-settings.ts';
import { meeting as baseMeeting } from '../associations/fixtures.ts';
import { startTestOrg, type TestOrg } from '../support/test-org.ts';

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

/** A fence that records what the sync told it, and what the org had received at that moment. */
function recordingFence(fail = false) {
  const seen: { beforeCreate: number[]; answered: number } = { beforeCreate: [], answered: 0 };
  const fence: CreateFence = {
    beforeCreate: async () => {
      seen.beforeCreate.push(t.org.counters()['graph'] ?? 0);
      if (fail) throw new Error('database away');
    },
    answered: async () => {
      seen.answered += 1;
    },
  };
  return { fence, seen };
}

describe('exactly once without a unique meeting id', () => {
  it('when an orphaned create lands after the look-up found nothing, then a sync after it has settled finds it and updates it: one Event, one Task, one note', async () => {
    t.org.setKnobs({ writeLatencyMs: 300 });
    const notesBefore = await noteCount();
    let orphan: Promise<unknown>;
    try {
      // the killed process's write: sent, never awaited by anyone
      orphan = syncMeeting(
        t.conn,
        t.profile,
        { kind: 'upsert', meeting: m('mtg_orphan', { title: 'First' }) },
        null,
      ).catch(() => undefined);
      await eventually('the orphaned write in flight', () => t.org.inFlight(), {
        until: (n) => n > 0,
        timeoutMs: 10_000,
        intervalMs: 5,
      });
      await eventually('the orphaned write committed', () => t.org.inFlight(), {
        until: (n) => n === 0,
        timeoutMs: 10_000,
        intervalMs: 20,
      });
    } finally {
      t.org.setKnobs({ writeLatencyMs: 0 });
    }
    await orphan;
    // the restarted process knows nothing of it (previous null)
    const after = await syncMeeting(
      t.conn,
      t.profile,
      { kind: 'upsert', meeting: m('mtg_orphan', { title: 'Second', version: 2 }) },
      null,
    );
    const events = await rows('Event', 'mtg_orphan');
    expect(events).toHaveLength(1);
    expect(events[0]!.Subject).toContain('Second');
    expect(await rows('Task', 'mtg_orphan')).toHaveLength(1);
    expect(await notesOn(events[0]!.Id)).toHaveLength(1);
    expect(await noteCount()).toBe(notesBefore + 1);
    expect(after.written.eventId).toBe(events[0]!.Id);
  });

  it('when a meeting is created, then the fence is told before the org receives the write, and not told "answered" (the stored outcome clears it)', async () => {
    const { fence, seen } = recordingFence();
    const graphsBefore = t.org.counters()['graph'] ?? 0;
    const out = await syncMeeting(
      t.conn,
      t.profile,
      { kind: 'upsert', meeting: m('mtg_fenced') },
      null,
      DEFAULT_SETTINGS,
      fence,
    );
    expect(out.state).toBe('synced');
    expect(seen.beforeCreate).toEqual([graphsBefore]);
    expect(t.org.counters()['graph']).toBe(graphsBefore + 1);
    expect(seen.answered).toBe(0);
    // an update creates nothing: the fence is not involved
    await syncMeeting(
      t.conn,
      t.profile,
      { kind: 'upsert', meeting: m('mtg_fenced', { version: 2, title: 'Again' }) },
      out.written,
      DEFAULT_SETTINGS,
      fence,
    );
    expect(seen.beforeCreate).toHaveLength(1);
  });

  it('when the fence cannot be set, then nothing is sent and the fence error comes out as it is', async () => {
    const { fence } = recordingFence(true);
    const graphsBefore = t.org.counters()['graph'] ?? 0;
    await expect(
      syncMeeting(
        t.conn,
        t.profile,
        { kind: 'upsert', meeting: m('mtg_unfenced') },
        null,
        DEFAULT_SETTINGS,
        fence,
      ),
    ).rejects.toBeInstanceOf(WriteFenceError);
    expect(t.org.counters()['graph'] ?? 0).toBe(graphsBefore);
    expect(await rows('Event', 'mtg_unfenced')).toEqual([]);
  });

  it('when the org refuses the create, then the fence is told it was answered', async () => {
    const { fence, seen } = recordingFence();
    t.org.setKnobs({
      customerRules: {
        validationRules: [
          { object: 'Event', name: 'Needs_Place', blankField: 'Location', message: 'Where?' },
        ],
      } as never,
    });
    try {
      await expect(
        syncMeeting(
          t.conn,
          t.profile,
          { kind: 'upsert', meeting: m('mtg_refused') },
          null,
          DEFAULT_SETTINGS,
          fence,
        ),
      ).rejects.toMatchObject({ errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' });
    } finally {
      t.org.setKnobs({ customerRules: {} as never });
    }
    expect(seen.beforeCreate).toHaveLength(1);
    expect(seen.answered).toBe(1);
    expect(await rows('Event', 'mtg_refused')).toEqual([]);
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

describe('which failed creates may still land', () => {
  it('when the call timed out or the network failed, then it is unanswered; any answer from Salesforce is not', () => {
    const timeout = new SalesforceError(
      'transient',
      'REQUEST_TIMEOUT',
      'Salesforce did not answer within 60 s',
    );
    expect(isUnanswered(timeout)).toBe(true);
    const reset = classifySalesforceError(
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }),
    );
    expect(isUnanswered(reset)).toBe(true);
    for (const answered of [
      classifySalesforceError({
        errorCode: 'UNABLE_TO_LOCK_ROW',
        message: 'unable to obtain exclusive access',
      }),
      classifySalesforceError({ errorCode: 'ERROR_HTTP_503', message: 'Service Unavailable' }),
      classifySalesforceError({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'limit' }),
      classifySalesforceError({ errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Where?' }),
      new SalesforceError('transient', 'GRAPH_INCOMPLETE', 'graph meeting did not report every node'),
    ]) {
      expect(isUnanswered(answered)).toBe(false);
    }
  });
});
