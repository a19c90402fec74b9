/**
 * Calendar enrichment and a person's edit in a batch (issues 9 and 11 together): several meetings of
 * one seller synced by `syncBatch`, against the local org as the integration user (a Standard User
 * with the package's permission set), judged by what the org holds afterwards. The shared look-up
 * gives each meeting the rows its own look-up would (checked against `lookUpMeeting` for the same
 * meetings), so a batch enriches, creates and keeps edits exactly as lone syncs do.
 */
import { passwordGrantToken } from '../../../emulator/src/index.ts';
import type { Meeting } from '../../src/meetings/schema.ts';
import { meetingMarker } from '../../src/plan/marker.ts';
import { lookUpMeetings } from '../../src/salesforce/batch-lookups.ts';
import { CallCounter } from '../../src/salesforce/composite.ts';
import { lookUpMeeting } from '../../src/salesforce/lookups.ts';
import { associationSettingsSchema } from '../../src/settings/association-settings.ts';
import { syncBatch, type BatchItem, type BatchOutcome } from '../../src/sync/sync-batch.ts';
import type { SyncOutcome } from '../../src/domain/meeting-outcome.ts';
import { meeting as baseMeeting } from '../associations/fixtures.ts';
import { orgAdminCall, orgQuery } from '../support/stack.ts';
import { startTestOrg, type TestOrg } from '../support/test-org.ts';

jest.setTimeout(60_000);

let t: TestOrg;
beforeAll(async () => {
  t = await startTestOrg();
});
afterAll(async () => {
  await t.stop();
});

// No open Opportunity rule: the Account is the WhatId, so the seller's pick of a deal is a change.
const settings = associationSettingsSchema.parse({ opportunityRule: { enabled: false } });

interface EventRow {
  Id: string;
  Subject: string;
  WhoId: string | null;
  WhatId: string | null;
  Description: string | null;
  Location: string | null;
  Salescaling_Meeting_Id__c: string | null;
}

const EVENT_FIELDS = 'Id, Subject, WhoId, WhatId, Description, Location, Salescaling_Meeting_Id__c';

function eventsOf(ownerId: string): Promise<EventRow[]> {
  return orgQuery<EventRow>(
    t.org,
    `SELECT ${EVENT_FIELDS} FROM Event WHERE OwnerId = '${ownerId}' ORDER BY Id`,
  );
}

async function relationIds(eventId: string): Promise<string[]> {
  const rows = await orgQuery<{ RelationId: string }>(
    t.org,
    `SELECT RelationId FROM EventRelation WHERE EventId = '${eventId}' AND IsWhat = false`,
  );
  return rows.map((r) => r.RelationId).sort();
}

function outcomeOf(batch: BatchOutcome, id: string): SyncOutcome {
  const r = batch.results.get(id);
  if (r === undefined) throw new Error(`${id}: no result`);
  if (!r.ok) throw new Error(`${id}: ${String(r.error)}`);
  return r.outcome;
}

const externals = (...emails: string[]) => emails.map((email) => ({ email, internal: false }));

describe('a batch beside a calendar tool and a person’s edit', () => {
  it('when one meeting of a batch has a calendar tool’s Event and another was edited by the seller, then the batch enriches the first (no second Event), and its next batch keeps the edit and follows the enriched Event to its delete', async () => {
    const email = 'sam.batch@vendor.example';
    const sam = await t.org.createUser({ username: `${email}.localorg`, lastName: 'Batch Seller' });
    const acme = t.seedAccount('Acme Batch');
    const ana = t.seedContact('Ana', 'ana@acme-batch.example', acme);
    const bo = t.seedContact('Bo', 'bo@acme-batch.example', acme);
    const di = t.seedContact('Di', 'di@acme-batch.example', acme);
    const edit = t.seedAccount('Edit Batch Co');
    const eve = t.seedContact('Eve', 'eve@edit-batch.example', edit);
    const fay = t.seedContact('Fay', 'fay@edit-batch.example', edit);
    // Owned by the connected user: editing an Event Controlled by Parent needs edit access to it.
    const [deal = ''] = t.org.seed('Opportunity', [
      {
        Name: 'Edit Batch deal',
        StageName: 'Prospecting',
        CloseDate: '2026-12-31',
        AccountId: edit,
        OwnerId: t.userId,
      },
    ]);
    // The calendar tool's Event: the seller's, an invitee, no Salescaling id.
    const calendar = (
      await orgAdminCall<{ id: string }>(t.org, 'POST', '/sobjects/Event', {
        OwnerId: sam.id,
        Subject: 'Acme batch call',
        StartDateTime: '2026-11-02T10:00:00Z',
        EndDateTime: '2026-11-02T10:30:00Z',
        Description: 'Join the video call: https://video.example/j/456',
        Location: 'Room 7',
        WhoId: ana,
      })
    ).id;
    await orgAdminCall(t.org, 'POST', '/sobjects/EventRelation', {
      EventId: calendar,
      RelationId: di,
      IsInvitee: true,
      IsParent: false,
    });

    const meetingAt = (id: string, title: string, emails: string[], hour: string): Meeting =>
      baseMeeting({
        id,
        title,
        startedAt: `2026-11-02T${hour}:02:00Z`,
        endedAt: `2026-11-02T${hour}:31:00Z`,
        organizer: { email, name: 'Sam' },
        participants: externals(...emails),
      });
    // A: the tool's meeting. C: the same subject and buyer in the same slot — the tool's Event can be
    // enriched once only, so C gets its own. B: another buyer in an overlapping slot (not a match).
    const a = meetingAt('mtg_bcal_a', 'Acme batch call', ['ana@acme-batch.example'], '10');
    const b = meetingAt(
      'mtg_bcal_b',
      'Edit Batch weekly',
      ['eve@edit-batch.example', 'fay@edit-batch.example'],
      '10',
    );
    const c = meetingAt('mtg_bcal_c', 'Acme batch call', ['ana@acme-batch.example'], '10');
    const extra = Array.from({ length: 5 }, (_, i) =>
      meetingAt(`mtg_bcal_x${i}`, `Other ${i}`, ['bo@acme-batch.example'], String(11 + i)),
    );
    const all = [a, b, c, ...extra];

    // The shared look-up gives each meeting what its own look-up finds (its own calendar window).
    const shared = await lookUpMeetings(
      t.conn,
      new CallCounter(),
      t.profile,
      all.map((m) => ({ meetingId: m.id, marker: meetingMarker(m.id), meeting: m, previous: null })),
      settings,
    );
    for (const m of all) {
      const alone = await lookUpMeeting(
        t.conn,
        new CallCounter(),
        t.profile,
        m.id,
        meetingMarker(m.id),
        m,
        null,
        settings,
      );
      expect([m.id, shared.get(m.id)?.calendarEvents]).toEqual([m.id, alone.calendarEvents]);
      expect(shared.get(m.id)?.event).toEqual(alone.event);
    }
    expect(shared.get(a.id)?.calendarEvents.map((e) => e.id)).toEqual([calendar]);

    // Batch 1: every meeting new.
    const items = (ms: readonly Meeting[]): BatchItem[] =>
      ms.map((meeting) => ({ input: { kind: 'upsert', meeting }, previous: null }));
    const first = await t.callsDuring(() => syncBatch(t.conn, t.profile, items(all), settings));
    expect(first.result.apiCalls).toBe(first.calls);
    // One look-up composite, the rule look-up at most, one graph call: fewer than 2 per meeting.
    expect(first.calls).toBeLessThanOrEqual(3);
    const outA = outcomeOf(first.result, a.id);
    const outB = outcomeOf(first.result, b.id);
    const outC = outcomeOf(first.result, c.id);
    expect(outA.written).toMatchObject({ eventId: calendar, eventEnriched: true });
    expect(outA.linked).toContainEqual({
      recordId: calendar,
      type: 'Event',
      why: 'calendar_event_subject_and_attendee_match',
    });
    expect(outC.written.eventId).not.toBe(calendar);

    // The org: the tool's Event enriched (its subject, description and place kept), one Event of
    // ours for every other meeting, none for A.
    const events = await eventsOf(sam.id);
    expect(events).toHaveLength(all.length);
    const byMeeting = new Map(events.map((e) => [e.Salescaling_Meeting_Id__c, e]));
    expect(byMeeting.get(a.id)).toMatchObject({
      Id: calendar,
      Subject: 'Acme batch call',
      Description: 'Join the video call: https://video.example/j/456',
      Location: 'Room 7',
      WhoId: ana,
      WhatId: acme,
    });
    for (const m of [b, c, ...extra])
      expect([m.id, byMeeting.get(m.id)?.Id]).toEqual([m.id, expect.any(String)]);
    expect(byMeeting.get(c.id)?.Id).toBe(outC.written.eventId);
    expect(await relationIds(calendar)).toEqual([ana, di].sort());
    const tasksOfA = await orgQuery<{ Id: string; WhatId: string }>(
      t.org,
      `SELECT Id, WhatId FROM Task WHERE Salescaling_Meeting_Id__c = '${a.id}'`,
    );
    expect(tasksOfA).toEqual([expect.objectContaining({ Id: outA.written.taskId, WhatId: acme })]);

    // Sam, signed in as himself, moves B's Event to the deal, renames it and drops Fay.
    const eventB = outB.written.eventId ?? '';
    expect(await relationIds(eventB)).toEqual([eve, fay].sort());
    const token = await passwordGrantToken(t.org, sam);
    const asSam = async (method: string, path: string, body?: unknown): Promise<void> => {
      const res = await fetch(`${t.org.url}/services/data/v66.0${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    };
    await asSam('PATCH', `/sobjects/Event/${eventB}`, { WhatId: deal, Subject: 'Edit Batch — renewal' });
    const [fayRow] = await orgQuery<{ Id: string }>(
      t.org,
      `SELECT Id FROM EventRelation WHERE EventId = '${eventB}' AND RelationId = '${fay}'`,
    );
    await asSam('DELETE', `/sobjects/EventRelation/${fayRow?.Id ?? ''}`);

    // Batch 2: a new version of A (Bo joins) and of B, with what batch 1 stored.
    const second = await syncBatch(
      t.conn,
      t.profile,
      [
        {
          input: {
            kind: 'upsert',
            meeting: {
              ...a,
              version: 2,
              title: 'Renamed in Salescaling',
              participants: externals('ana@acme-batch.example', 'bo@acme-batch.example'),
            },
          },
          previous: outA.written,
        },
        {
          input: { kind: 'upsert', meeting: { ...b, version: 2, title: 'Edit Batch weekly v2' } },
          previous: outB.written,
        },
      ],
      settings,
    );
    const outA2 = outcomeOf(second, a.id);
    const outB2 = outcomeOf(second, b.id);
    expect(outA2.written).toMatchObject({ eventId: calendar, eventEnriched: true });
    const [calendarNow] = await orgQuery<EventRow>(
      t.org,
      `SELECT ${EVENT_FIELDS} FROM Event WHERE Id = '${calendar}'`,
    );
    expect(calendarNow).toMatchObject({
      Subject: 'Acme batch call',
      Location: 'Room 7',
      Salescaling_Meeting_Id__c: a.id,
    });
    expect(await relationIds(calendar)).toEqual([ana, bo, di].sort());
    const [eventBNow] = await orgQuery<EventRow>(
      t.org,
      `SELECT ${EVENT_FIELDS} FROM Event WHERE Id = '${eventB}'`,
    );
    expect(eventBNow).toMatchObject({ Subject: 'Edit Batch — renewal', WhatId: deal, WhoId: eve });
    expect(eventBNow?.Description).toContain('meeting version 2');
    expect(await relationIds(eventB)).toEqual([eve]);
    expect(outB2.dropped).toContainEqual({
      recordId: eventB,
      reason: 'kept_person_edit',
      fields: ['WhatId', 'Subject', 'EventRelation'],
      by: sam.id,
    });
    expect(await eventsOf(sam.id)).toHaveLength(all.length);

    // Batch 3: A and B deleted. The tool's Event stays (what the sync added goes); B's Event goes.
    const third = await syncBatch(
      t.conn,
      t.profile,
      [
        { input: { kind: 'delete', meetingId: a.id, version: 3 }, previous: outA2.written },
        { input: { kind: 'delete', meetingId: b.id, version: 3 }, previous: outB2.written },
      ],
      settings,
    );
    expect(outcomeOf(third, a.id).state).toBe('deleted');
    expect(outcomeOf(third, b.id).state).toBe('deleted');
    const [calendarLeft] = await orgQuery<EventRow>(
      t.org,
      `SELECT ${EVENT_FIELDS} FROM Event WHERE Id = '${calendar}'`,
    );
    expect(calendarLeft).toMatchObject({
      Subject: 'Acme batch call',
      Location: 'Room 7',
      WhoId: ana,
      WhatId: null,
      Salescaling_Meeting_Id__c: null,
    });
    expect(await relationIds(calendar)).toEqual([ana, di].sort());
    expect(await orgQuery(t.org, `SELECT Id FROM Event WHERE Id = '${eventB}'`)).toHaveLength(0);
    expect(
      await orgQuery(t.org, `SELECT Id FROM Task WHERE Salescaling_Meeting_Id__c IN ('${a.id}', '${b.id}')`),
    ).toHaveLength(0);
  });
});
