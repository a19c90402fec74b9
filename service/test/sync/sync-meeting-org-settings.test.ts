/**
 * syncMeeting in orgs set up differently: without the package's fields, and without Shared Activities.
 */
import { meetingMarker } from '../../src/plan/marker.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import type { WrittenRecords } from '../../src/domain/meeting-outcome.ts';
import type { Meeting } from '../../src/meetings/schema.ts';
import { meeting as baseMeeting } from '../associations/fixtures.ts';
import { startTestOrg, type TestOrg } from '../support/test-org.ts';

const external = (...emails: string[]) => [
  { email: 'seller@vendor.example', internal: true },
  ...emails.map((email) => ({ email, internal: false })),
];

async function sync(t: TestOrg, m: Meeting, previous: WrittenRecords | null) {
  return t.callsDuring(() => syncMeeting(t.conn, t.profile, { kind: 'upsert', meeting: m }, previous));
}

describe('without the package installed', () => {
  let t: TestOrg;
  beforeAll(async () => {
    t = await startTestOrg({ packageInstalled: false });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('when a meeting is synced twice without saved ids, then the meeting reference finds the first write and nothing is duplicated', async () => {
    expect(t.profile.packageFields).toEqual({});
    const acme = t.seedAccount('No Package Co');
    const ann = t.seedContact('Ann', 'ann@nopkg.example', acme);
    const m = baseMeeting({ id: 'mtg_nopkg', participants: external('ann@nopkg.example') });
    // Task.CallObject is a standard field of every org's Task (Salesforce's Task reference); the local
    // org does not model it yet. Until it does, the sync must fail loudly as a record error naming
    // the field — never write without a way to find its task again.
    const taskFields = (await t.conn.sobject('Task').describe()).fields.map((f) => f.name);
    if (!taskFields.includes('CallObject')) {
      await expect(sync(t, m, null)).rejects.toMatchObject({
        kind: 'record',
        message: expect.stringContaining('CallObject'),
      });
      expect((await t.conn.query(`SELECT Id FROM Event WHERE WhoId = '${ann}'`)).totalSize).toBe(0);
      return;
    }
    const first = await sync(t, m, null);
    expect(first.calls).toBeLessThanOrEqual(3);
    expect(first.result.state).toBe('synced');
    const second = await sync(t, { ...m, version: 2, title: 'Second' }, null);
    expect(second.result.written).toMatchObject({
      eventId: first.result.written.eventId,
      noteId: first.result.written.noteId,
      taskId: first.result.written.taskId,
    });

    const marker = meetingMarker(m.id);
    const events = await t.conn.query<{ Id: string; Subject: string; WhoId: string }>(
      `SELECT Id, Subject, WhoId FROM Event WHERE Location = '${marker}'`,
    );
    expect(events.records).toEqual([
      expect.objectContaining({ Id: first.result.written.eventId, Subject: 'Second', WhoId: ann }),
    ]);
    const tasks = await t.conn.query(`SELECT Id FROM Task WHERE CallObject = '${marker}'`);
    expect(tasks.totalSize).toBe(1);
  });
});

describe('with Shared Activities off', () => {
  let t: TestOrg;
  beforeAll(async () => {
    t = await startTestOrg({ sharedActivities: false });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('when several contacts match, then only the WhoId contact is linked and the others are reported', async () => {
    expect(t.profile.sharedActivities).toBe(false);
    const acme = t.seedAccount('Solo Co');
    const first = t.seedContact('First', 'first@solo.example', acme);
    const second = t.seedContact('Second', 'second@solo.example', acme);
    const m = baseMeeting({
      id: 'mtg_solo',
      participants: external('first@solo.example', 'second@solo.example'),
    });
    const { result, calls } = await sync(t, m, null);
    expect(calls).toBeLessThanOrEqual(3);
    const events = await t.conn.query<{ Id: string; WhoId: string; WhatId: string }>(
      `SELECT Id, WhoId, WhatId FROM Event WHERE Salescaling_Meeting_Id__c = 'mtg_solo'`,
    );
    expect(events.records).toEqual([expect.objectContaining({ WhoId: first, WhatId: acme })]);
    expect(result.dropped).toContainEqual({
      recordId: second,
      email: 'second@solo.example',
      reason: 'shared_activities_off',
    });

    const update = await sync(
      t,
      { ...m, version: 2, participants: external('second@solo.example') },
      result.written,
    );
    expect(update.result.written.eventId).toBe(result.written.eventId);
    const after = await t.conn.query<{ WhoId: string }>(
      `SELECT WhoId FROM Event WHERE Id = '${result.written.eventId}'`,
    );
    expect(after.records[0]?.WhoId).toBe(second);
  });
});
