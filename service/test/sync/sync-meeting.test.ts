/**
 * syncMeeting against the local org over HTTP: every case asserts on what the org holds afterwards
 * and on the API calls the org counted.
 */
import { seeded } from '../../../scripts/test-support/seeded-random.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import { checkOrg } from '../../src/salesforce/org-check.ts';
import type { SyncOutcome, WrittenRecords } from '../../src/domain/meeting-outcome.ts';
import type { Meeting } from '../../src/meetings/schema.ts';
import { meeting as baseMeeting } from '../associations/fixtures.ts';
import { orgDelete } from '../support/stack.ts';
import { startTestOrg, type TestOrg } from '../support/test-org.ts';

let t: TestOrg;
let n = 0;

beforeAll(async () => {
  t = await startTestOrg();
});
afterAll(async () => {
  await t.stop();
});

/** A meeting with its own id, so the cases share one org without seeing each other. */
function meeting(overrides: Partial<Meeting> = {}): Meeting {
  n += 1;
  return baseMeeting({
    id: `mtg_sync_${n}`,
    recordingUrl: `https://app.salescaling.com/recordings/${n}`,
    ...overrides,
  });
}

const external = (...emails: string[]) => [
  { email: 'seller@vendor.example', internal: true },
  ...emails.map((email) => ({ email, internal: false })),
];

async function sync(
  m: Meeting,
  previous: WrittenRecords | null = null,
): Promise<{ out: SyncOutcome; calls: number }> {
  const { result, calls } = await t.callsDuring(() =>
    syncMeeting(t.conn, t.profile, { kind: 'upsert', meeting: m }, previous),
  );
  return { out: result, calls };
}

interface EventRow {
  Id: string;
  Subject: string;
  WhoId: string | null;
  WhatId: string | null;
  OwnerId: string;
  Type: string;
  IsPrivate: boolean;
  Description: string;
  StartDateTime: string;
  Salescaling_Meeting_Id__c: string | null;
}

async function eventsOf(meetingId: string): Promise<EventRow[]> {
  const r = await t.conn.query<EventRow>(
    `SELECT Id, Subject, WhoId, WhatId, OwnerId, Type, IsPrivate, Description, StartDateTime, Salescaling_Meeting_Id__c FROM Event WHERE Salescaling_Meeting_Id__c = '${meetingId}'`,
  );
  return r.records;
}

async function relationsOf(
  eventId: string,
): Promise<{ RelationId: string; IsParent: boolean; IsInvitee: boolean; IsWhat: boolean }[]> {
  const r = await t.conn.query<{
    RelationId: string;
    IsParent: boolean;
    IsInvitee: boolean;
    IsWhat: boolean;
  }>(`SELECT RelationId, IsParent, IsInvitee, IsWhat FROM EventRelation WHERE EventId = '${eventId}'`);
  return r.records;
}

async function noteLinks(noteId: string): Promise<string[]> {
  const r = await t.conn.query<{ LinkedEntityId: string }>(
    `SELECT LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = '${noteId}'`,
  );
  return r.records.map((x) => x.LinkedEntityId);
}

/** The records' ids, without what the sync remembers writing on them. */
const ids = (w: WrittenRecords) => ({ eventId: w.eventId, noteId: w.noteId, taskId: w.taskId });

const sorted = (ids: readonly (string | null)[]): string[] =>
  ids.filter((x): x is string => x !== null).sort();

describe('syncMeeting against the local org', () => {
  it('when a new meeting has contacts across accounts, then one Event, note and task hold them, in at most 3 calls', async () => {
    const acme = t.seedAccount('Acme');
    const globex = t.seedAccount('Globex');
    const ana = t.seedContact('Ana', 'ana@acme.example', acme);
    const bo = t.seedContact('Bo', 'bo@acme.example', acme);
    const cy = t.seedContact('Cy', 'cy@globex.example', globex);
    const m = meeting({
      title: 'Pricing review',
      participants: external(
        'ana@acme.example',
        'BO@acme.example',
        'cy@globex.example',
        'nobody@else.example',
      ),
      summary: '## Outcome\n\n- **Budget** approved\n<script>alert(1)</script>',
      notes: [{ id: 'n1', category: 'Next steps', text: 'Send the quote', at: 95 }],
      clips: [
        {
          id: 'c1',
          title: 'Budget',
          category: 'Pain points',
          startSec: 30,
          endSec: 45,
          url: 'https://c.example/1',
        },
      ],
    });
    const { out, calls } = await sync(m);

    expect(calls).toBeLessThanOrEqual(3);
    expect(out.apiCalls).toBe(calls);
    expect(out.state).toBe('synced');
    const [event, ...more] = await eventsOf(m.id);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({
      Id: out.written.eventId,
      Subject: 'Pricing review',
      Type: 'Meeting',
      IsPrivate: false,
      WhoId: ana,
      WhatId: acme,
      OwnerId: t.userId,
    });
    expect(event!.Description).toContain('Recording: https://app.salescaling.com/recordings/');
    const relations = await relationsOf(event!.Id);
    const people = relations.filter((r) => !r.IsWhat);
    expect(sorted(people.map((r) => r.RelationId))).toEqual(sorted([ana, bo, cy]));
    for (const r of people) expect([r.IsParent, r.IsInvitee]).toEqual([true, false]);

    const note = (
      await t.conn.query<{ Id: string; Title: string; Content: string }>(
        `SELECT Id, Title FROM ContentNote WHERE Id = '${out.written.noteId}'`,
      )
    ).records[0];
    expect(note?.Title).toBe('Meeting summary: Pricing review');
    const body = await t.conn.request<string>(
      `/services/data/v66.0/sobjects/ContentNote/${out.written.noteId}/Content`,
    );
    const html = typeof body === 'string' ? body : JSON.stringify(body);
    expect(html).toContain('<ul><li><b>Budget</b> approved</li></ul>');
    expect(html).not.toContain('<script');
    expect(sorted(await noteLinks(out.written.noteId!))).toEqual(
      expect.arrayContaining(sorted([event!.Id, ana, bo, cy, acme, globex])),
    );

    const task = (
      await t.conn.query<{ Id: string; Status: string; Description: string; WhoId: string; WhatId: string }>(
        `SELECT Id, Status, Description, WhoId, WhatId FROM Task WHERE Id = '${out.written.taskId}'`,
      )
    ).records[0];
    expect(task).toMatchObject({ Status: 'Completed', WhoId: ana, WhatId: acme });
    expect(task!.Description).toContain('Next steps\n• 01:35 Send the quote');
    expect(task!.Description).toContain('Pain points\n• 00:30–00:45 Clip: Budget — https://c.example/1');
    const taskRelations = await t.conn.query<{ RelationId: string }>(
      `SELECT RelationId FROM TaskRelation WHERE TaskId = '${task!.Id}' AND IsWhat = false`,
    );
    expect(sorted(taskRelations.records.map((r) => r.RelationId))).toEqual(sorted([ana, bo, cy]));
    expect(out.dropped).toContainEqual({ email: 'nobody@else.example', reason: 'not_found' });
  });

  it('when an opportunity is hand-picked, then it is the WhatId and the note is linked to it', async () => {
    const acme = t.seedAccount('Acme Opp');
    const dee = t.seedContact('Dee', 'dee@acme-opp.example', acme);
    const opp = t.seedOpportunity('Acme renewal', acme);
    const m = meeting({
      participants: external('dee@acme-opp.example'),
      associations: { opportunityId: opp.slice(0, 15) },
    });
    const { out, calls } = await sync(m);
    expect(calls).toBeLessThanOrEqual(3);
    const [event] = await eventsOf(m.id);
    expect(event).toMatchObject({ WhoId: dee, WhatId: opp });
    expect(await noteLinks(out.written.noteId!)).toEqual(expect.arrayContaining([opp, dee, event!.Id]));
  });

  it('when only a lead matches, then the lead is the WhoId and nothing is in WhatId', async () => {
    const lead = t.seedLead('Lee', 'lee@prospect.example');
    const m = meeting({ participants: external('lee@prospect.example') });
    await sync(m);
    const [event] = await eventsOf(m.id);
    expect(event).toMatchObject({ WhoId: lead, WhatId: null });
  });

  it('when only internal people attend, then the meeting is skipped and nothing is written', async () => {
    const m = meeting({ participants: external() });
    const { out, calls } = await sync(m);
    expect(out).toMatchObject({
      state: 'skipped',
      reason: 'no_crm_match',
      written: { eventId: null, noteId: null, taskId: null },
    });
    expect(calls).toBe(1);
    expect(await eventsOf(m.id)).toHaveLength(0);
  });

  it('when the organizer is an active user, then that user owns the Event', async () => {
    const owner = t.seedUser('Seller', 'owner@vendor.example');
    t.seedContact('Eve', 'eve@owned.example', t.seedAccount('Owned'));
    const m = meeting({
      organizer: { email: 'OWNER@vendor.example' },
      participants: external('eve@owned.example'),
    });
    await sync(m);
    expect((await eventsOf(m.id))[0]?.OwnerId).toBe(owner);
  });

  it('when a newer version changes the participants, then the same records are updated and relations added and removed', async () => {
    const acme = t.seedAccount('Update Co');
    const a = t.seedContact('A', 'a@update.example', acme);
    const b = t.seedContact('B', 'b@update.example', acme);
    const c = t.seedContact('C', 'c@update.example', acme);
    const m1 = meeting({ participants: external('a@update.example', 'b@update.example') });
    const first = await sync(m1);
    const m2 = {
      ...m1,
      version: 2,
      title: 'Renamed',
      summary: 'Second *version*',
      participants: external('b@update.example', 'c@update.example'),
    };
    const second = await sync(m2, first.out.written);

    expect(second.calls).toBeLessThanOrEqual(3);
    // the ids (what the sync remembers writing, eventState, follows the new version)
    expect(ids(second.out.written)).toEqual(ids(first.out.written));
    const events = await eventsOf(m1.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ Id: first.out.written.eventId, Subject: 'Renamed', WhoId: b });
    const people = (await relationsOf(events[0]!.Id)).filter((r) => !r.IsWhat).map((r) => r.RelationId);
    expect(sorted(people)).toEqual(sorted([b, c]));
    const content = await t.conn.request<string>(
      `/services/data/v66.0/sobjects/ContentNote/${first.out.written.noteId}/Content`,
    );
    expect(String(content)).toContain('<p>Second <i>version</i></p>');
    const links = await noteLinks(first.out.written.noteId!);
    expect(links).toEqual(expect.arrayContaining([b, c]));
    expect(links).not.toContain(a);
    const taskPeople = await t.conn.query<{ RelationId: string }>(
      `SELECT RelationId FROM TaskRelation WHERE TaskId = '${first.out.written.taskId}' AND IsWhat = false`,
    );
    expect(sorted(taskPeople.records.map((r) => r.RelationId))).toEqual(sorted([b, c]));

    // The same version again, or an older one, changes nothing.
    const stale = await sync({ ...m1, title: 'Old title' }, second.out.written);
    expect(stale.out.state).toBe('synced');
    expect((await eventsOf(m1.id))[0]?.Subject).toBe('Renamed');
  });

  it('when the caller lost what was written (a crash before saving), then a second sync finds it and writes no second Event', async () => {
    t.seedContact('Crash', 'crash@x.example', t.seedAccount('Crash Co'));
    const m = meeting({ participants: external('crash@x.example') });
    const first = await sync(m, null);
    const again = await sync({ ...m, version: 2, title: 'After crash' }, null);
    const events = await eventsOf(m.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.Subject).toBe('After crash');
    expect(ids(again.out.written)).toEqual(ids(first.out.written));
    const tasks = await t.conn.query(`SELECT Id FROM Task WHERE Salescaling_Meeting_Id__c = '${m.id}'`);
    expect(tasks.totalSize).toBe(1);
  });

  it('when a person deleted the Event in Salesforce, then an update does not bring it back and says so', async () => {
    t.seedContact('Gone', 'gone@x.example', t.seedAccount('Gone Co'));
    const m = meeting({ participants: external('gone@x.example') });
    const first = await sync(m);
    await t.conn.sobject('Event').destroy(first.out.written.eventId!);
    const second = await sync({ ...m, version: 2 }, first.out.written);
    expect(await eventsOf(m.id)).toHaveLength(0);
    expect(second.out.dropped).toContainEqual({
      recordId: first.out.written.eventId,
      reason: 'deleted_in_salesforce',
    });
    const crashed = await sync({ ...m, version: 3 }, null);
    expect(await eventsOf(m.id)).toHaveLength(0);
    expect(crashed.out.state).toBe('synced');
    // Without the Event, the task still tells which version wrote it: an older one changes nothing.
    await sync({ ...m, version: 2, title: 'Stale' }, crashed.out.written);
    const task = await t.conn.query<{ Subject: string }>(
      `SELECT Subject FROM Task WHERE Id = '${first.out.written.taskId}'`,
    );
    expect(task.records[0]?.Subject).toBe('Notes and clips: Discovery call');
  });

  it('when the meeting is deleted, then its Event, note and task are removed', async () => {
    t.seedContact('Del', 'del@x.example', t.seedAccount('Del Co'));
    const m = meeting({ participants: external('del@x.example') });
    const first = await sync(m);
    const { result, calls } = await t.callsDuring(() =>
      syncMeeting(t.conn, t.profile, { kind: 'delete', meetingId: m.id, version: 2 }, first.out.written),
    );
    expect(result.state).toBe('deleted');
    expect(calls).toBeLessThanOrEqual(3);
    expect(await eventsOf(m.id)).toHaveLength(0);
    expect(
      (await t.conn.query(`SELECT Id FROM Task WHERE Id = '${first.out.written.taskId}'`)).totalSize,
    ).toBe(0);
    expect(
      (await t.conn.query(`SELECT Id FROM ContentNote WHERE Id = '${first.out.written.noteId}'`)).totalSize,
    ).toBe(0);
  });

  it("when an email holds a quote, then it matches (o'brien), and an injection attempt matches nothing", async () => {
    const acme = t.seedAccount('Quote Co');
    const ob = t.seedContact("O'Brien", "o'brien@quote.example", acme);
    t.seedContact('Other', 'other@quote.example', acme);
    const m = meeting({ participants: external("O'Brien@quote.example", "x' OR Name != '") });
    const { out } = await sync(m);
    expect((await eventsOf(m.id))[0]?.WhoId).toBe(ob);
    expect(out.linked.filter((l) => l.type === 'Contact').map((l) => l.recordId)).toEqual([ob]);
  });
});

describe('syncMeeting when the people change', () => {
  it('when an update leaves only a lead, then the contacts are removed and the lead becomes the WhoId, and back again', async () => {
    const acme = t.seedAccount('Switch Co');
    const a = t.seedContact('SwA', 'a@switch.example', acme);
    const b = t.seedContact('SwB', 'b@switch.example', acme);
    const lead = t.seedLead('SwLead', 'lead@switch.example');
    const m1 = meeting({ participants: external('a@switch.example', 'b@switch.example') });
    const first = await sync(m1);
    const toLead = await sync(
      { ...m1, version: 2, participants: external('lead@switch.example') },
      first.out.written,
    );
    expect(toLead.calls).toBeLessThanOrEqual(3);
    let [event] = await eventsOf(m1.id);
    expect(event).toMatchObject({ Id: first.out.written.eventId, WhoId: lead, WhatId: null });
    expect((await relationsOf(event!.Id)).map((r) => r.RelationId)).toEqual([lead]);

    await sync(
      { ...m1, version: 3, participants: external('b@switch.example', 'a@switch.example') },
      toLead.out.written,
    );
    [event] = await eventsOf(m1.id);
    expect(event).toMatchObject({ WhoId: b, WhatId: acme });
    const people = (await relationsOf(event!.Id)).filter((r) => !r.IsWhat).map((r) => r.RelationId);
    expect(sorted(people)).toEqual(sorted([a, b]));
  });
});

describe('syncMeeting over a meeting’s life', () => {
  it('when a skipped meeting gets a matching participant in an update, then it is written then', async () => {
    const m = meeting({ participants: external('later@x.example') });
    expect((await sync(m)).out.state).toBe('skipped');
    const later = t.seedContact('Later', 'later@x.example', t.seedAccount('Later Co'));
    const { out } = await sync({ ...m, version: 2 });
    expect(out.state).toBe('synced');
    expect((await eventsOf(m.id))[0]?.WhoId).toBe(later);
  });

  it('when a person deleted the note, then an update keeps it deleted and still updates the Event and task', async () => {
    t.seedContact('NoteGone', 'notegone@x.example', t.seedAccount('NoteGone Co'));
    const m = meeting({ participants: external('notegone@x.example') });
    const first = await sync(m);
    await t.conn.sobject('ContentNote').destroy(first.out.written.noteId!);
    const { out } = await sync({ ...m, version: 2, title: 'Still here' }, first.out.written);
    expect(out.dropped).toContainEqual({
      recordId: first.out.written.noteId,
      reason: 'deleted_in_salesforce',
    });
    expect((await eventsOf(m.id))[0]?.Subject).toBe('Still here');
    const notes = await t.conn.query(
      `SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '${first.out.written.eventId}'`,
    );
    expect(notes.totalSize).toBe(0);
  });
});

describe('syncMeeting limits and faults', () => {
  it('when 60 contacts attend, then 50 are related to the Event and task, the rest reported, still in at most 3 calls', async () => {
    const acme = t.seedAccount('Big Co');
    const emails = Array.from({ length: 60 }, (_, i) => `p${i}@big.example`);
    const ids = emails.map((email, i) => t.seedContact(`P${i}`, email, acme));
    const m = meeting({ participants: external(...emails) });
    const { out, calls } = await sync(m);
    expect(calls).toBeLessThanOrEqual(3);
    const [event] = await eventsOf(m.id);
    const people = (await relationsOf(event!.Id)).filter((r) => !r.IsWhat).map((r) => r.RelationId);
    expect(sorted(people)).toEqual(sorted(ids.slice(0, 50)));
    expect(out.dropped.filter((d) => d.reason === 'over_contact_limit').map((d) => d.recordId)).toEqual(
      ids.slice(50),
    );
  });

  it('when hand-picked records are deleted or do not exist, then they are reported and the meeting syncs on what remains', async () => {
    const acme = t.seedAccount('Picked Co');
    const kept = t.seedContact('Kept', 'kept@picked.example', acme);
    const binned = t.seedContact('Binned', 'binned@picked.example', acme);
    const goneAccount = t.seedAccount('Gone Account');
    // An admin deletes them (the integration user may edit CRM records, never delete them).
    await orgDelete(t.org, 'Contact', binned);
    await orgDelete(t.org, 'Account', goneAccount);
    const m = meeting({
      participants: external('kept@picked.example'),
      associations: { contactIds: [binned], accountId: goneAccount, opportunityId: '006000000000000AAA' },
    });
    const { out } = await sync(m);
    expect((await eventsOf(m.id))[0]).toMatchObject({ WhoId: kept, WhatId: acme });
    expect(out.dropped).toEqual(
      expect.arrayContaining([
        { recordId: binned, reason: 'deleted' },
        { recordId: goneAccount, reason: 'deleted' },
        { recordId: '006000000000000AAA', reason: 'not_found' },
      ]),
    );
  });

  it('when Salesforce refuses a field, then syncMeeting throws a record error with its message and writes nothing at all', async () => {
    t.seedContact('Refused', 'refused@x.example', t.seedAccount('Refused Co'));
    const m = meeting({ participants: external('refused@x.example') });
    const profile = {
      ...t.profile,
      packageFields: { ...t.profile.packageFields, recordingUrl: 'Not_A_Field__c' },
    };
    const countNotes = async (): Promise<number> =>
      (await t.conn.query(`SELECT Id FROM ContentNote WHERE Title = 'Meeting summary: Discovery call'`))
        .totalSize;
    const notesBefore = await countNotes();
    await expect(syncMeeting(t.conn, profile, { kind: 'upsert', meeting: m }, null)).rejects.toMatchObject({
      name: 'SalesforceError',
      kind: 'record',
      message: expect.stringContaining('Not_A_Field__c'),
    });
    expect(await eventsOf(m.id)).toHaveLength(0);
    expect(
      (await t.conn.query(`SELECT Id FROM Task WHERE Salescaling_Meeting_Id__c = '${m.id}'`)).totalSize,
    ).toBe(0);
    expect(await countNotes()).toBe(notesBefore);
    await syncMeeting(t.conn, t.profile, { kind: 'upsert', meeting: m }, null);
    expect(await countNotes()).toBe(notesBefore + 1);
  });

  it(
    'when a third of all calls fail and every retry starts without saved ids, then each meeting still has exactly one Event',
    seeded(async () => {
      const acme = t.seedAccount('Flaky Co');
      t.seedContact('Flaky', 'flaky@x.example', acme);
      const meetings = Array.from({ length: 8 }, () =>
        meeting({ participants: external('flaky@x.example') }),
      );
      t.org.setKnobs({ failureRate: 0.34, failureKinds: ['UNABLE_TO_LOCK_ROW', '503'] });
      try {
        for (const m of meetings) {
          for (const version of [1, 2]) {
            for (let attempt = 0; ; attempt += 1) {
              try {
                await syncMeeting(t.conn, t.profile, { kind: 'upsert', meeting: { ...m, version } }, null);
                break;
              } catch (err) {
                expect(err).toMatchObject({ kind: 'transient' });
                if (attempt > 50) throw err;
              }
            }
          }
        }
      } finally {
        t.org.setKnobs({ failureRate: 0 });
      }
      for (const m of meetings) expect(await eventsOf(m.id)).toHaveLength(1);
    }),
  );

  it('when Salesforce answers with a lock error, then syncMeeting throws a transient error and writes nothing', async () => {
    t.seedContact('Locked', 'locked@x.example', t.seedAccount('Locked Co'));
    const m = meeting({ participants: external('locked@x.example') });
    t.org.setKnobs({ failureRate: 1, failureKinds: ['UNABLE_TO_LOCK_ROW'] });
    try {
      await expect(sync(m)).rejects.toMatchObject({ name: 'SalesforceError', kind: 'transient' });
    } finally {
      t.org.setKnobs({ failureRate: 0 });
    }
    expect(await eventsOf(m.id)).toHaveLength(0);
    const { out } = await sync(m);
    expect(out.state).toBe('synced');
    expect(await eventsOf(m.id)).toHaveLength(1);
  });
});

describe('syncMeeting and the org’s Event Type picklist', () => {
  it('when the local org is checked, then its Event Type takes "Meeting" and the check grants every permission', async () => {
    const org = await checkOrg(t.conn);
    expect(org.eventType).toBe('Meeting');
    expect(org.check.missingPermissions).toEqual([]);
  });

  it('when the check found a restricted Type picklist without "Meeting", then the Event is written without a Type, on create and on update', async () => {
    t.seedContact('Typeless', 'typeless@x.example', t.seedAccount('Typeless Co'));
    const profile = { ...t.profile, eventType: null };
    const m = meeting({ participants: external('typeless@x.example') });
    const first = await syncMeeting(t.conn, profile, { kind: 'upsert', meeting: m }, null);
    expect(first.state).toBe('synced');
    expect((await eventsOf(m.id))[0]).toMatchObject({ Type: null });

    await syncMeeting(
      t.conn,
      profile,
      { kind: 'upsert', meeting: { ...m, version: m.version + 1, title: 'Renamed' } },
      first.written,
    );
    const events = await eventsOf(m.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ Subject: 'Renamed', Type: null });
  });
});
