/**
 * CONTRACT §6 and §7 end to end: a signed webhook in, the worker syncing, and what the local org
 * holds afterwards, read as the org's admin; the meeting status the Salescaling backend reads.
 */
import { SalesforceError } from '../../src/salesforce/errors.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import type { SyncMeetingFn } from '../../src/worker/worker.ts';
import { deletedEvent, meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook } from '../support/service.ts';
import { orgDelete, orgQuery, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(60_000);

const ext = (...emails: string[]) => emails.map((email) => ({ email, internal: false }));
const settled = (m: Record<string, unknown>) =>
  ['synced', 'skipped', 'failed', 'deleted'].includes(String(m['state']));
const sorted = (a: readonly string[]) => [...a].sort();

describe('what a meeting writes (CONTRACT §6, §7)', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.dispose();
  });

  async function seedTwoAccounts(s: Stack) {
    const [acme = '', globex = ''] = s.org.seed('Account', [{ Name: 'Acme' }, { Name: 'Globex' }]);
    const [ana = '', bo = '', cy = ''] = s.org.seed('Contact', [
      { LastName: 'Ana', Email: 'ana@acme.example', AccountId: acme },
      { LastName: 'Bo', Email: 'bo@acme.example', AccountId: acme },
      { LastName: 'Cy', Email: 'cy@globex.example', AccountId: globex },
    ]);
    return { acme, globex, ana, bo, cy };
  }

  it('when one meeting is sent, then the org holds its Event, note and completed task, linked as the cascade says', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const r = await seedTwoAccounts(stack);
    await stack.connect();
    const title = `Quarterly review ${'x'.repeat(300)}`;
    const m = meeting({
      id: 'm_full',
      title,
      organizer: { email: 'not-a-user@vendor.example' },
      participants: [
        ...ext('ANA@acme.example', 'cy@globex.example', 'bo@acme.example', 'stranger@nowhere.example'),
        { email: 'colleague@vendor.example', internal: true },
      ],
      notes: [
        { id: 'n2', category: 'Next steps', text: 'Send the quote', at: 125 },
        { id: 'n1', category: 'Pain points', text: 'Manual reporting', at: 30 },
      ],
      clips: [
        {
          id: 'c1',
          title: 'Budget',
          category: 'Pain points',
          startSec: 60,
          endSec: 75,
          url: 'https://c.example/1',
        },
      ],
    });
    expect((await sendWebhook(stack.svc.url, processedEvent(m))).status).toBe(202);
    const status = await stack.waitFor('m_full', settled);
    expect(status).toMatchObject({ state: 'synced', attempts: expect.any(Number), lastError: null });
    const ids = status['salesforce'] as { eventId: string; noteId: string; taskId: string };

    const [event, ...more] = await orgQuery<Record<string, unknown>>(
      stack.org,
      `SELECT Id, Subject, Type, IsPrivate, OwnerId, WhoId, WhatId, StartDateTime, EndDateTime FROM Event WHERE Salescaling_Meeting_Id__c = 'm_full'`,
    );
    expect(more).toHaveLength(0);
    const subject = String(event?.['Subject']);
    expect(subject).toHaveLength(255);
    expect(subject.endsWith('…')).toBe(true);
    expect(title.startsWith(subject.slice(0, -1))).toBe(true);
    expect(event).toMatchObject({
      Id: ids.eventId,
      Type: 'Meeting',
      IsPrivate: false,
      // the organizer is no Salesforce user: the connected user (the integration user) owns it
      OwnerId: (await stack.integrationUser()).id,
      WhoId: r.ana, // the earliest participant
      WhatId: r.acme, // the account most linked contacts belong to
    });
    expect(Date.parse(String(event?.['StartDateTime']))).toBe(Date.parse(m.startedAt));
    expect(Date.parse(String(event?.['EndDateTime']))).toBe(Date.parse(m.endedAt));

    const relations = await orgQuery<{ RelationId: string; IsParent: boolean; IsInvitee: boolean }>(
      stack.org,
      `SELECT RelationId, IsParent, IsInvitee FROM EventRelation WHERE EventId = '${ids.eventId}' AND IsWhat = false`,
    );
    expect(sorted(relations.map((x) => x.RelationId))).toEqual(sorted([r.ana, r.bo, r.cy]));
    for (const x of relations) expect([x.IsParent, x.IsInvitee]).toEqual([true, false]);

    const links = await orgQuery<{ LinkedEntityId: string }>(
      stack.org,
      `SELECT LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = '${ids.noteId}'`,
    );
    expect(links.map((l) => l.LinkedEntityId)).toEqual(
      expect.arrayContaining([ids.eventId, r.ana, r.bo, r.cy, r.acme, r.globex]),
    );

    const [task] = await orgQuery<{ Status: string; Description: string; WhoId: string; WhatId: string }>(
      stack.org,
      `SELECT Status, Description, WhoId, WhatId FROM Task WHERE Id = '${ids.taskId}'`,
    );
    expect(task).toMatchObject({ Status: 'Completed', WhoId: r.ana, WhatId: r.acme });
    const d = task?.Description ?? '';
    // grouped by category, in time order, each with its time and link
    expect(d.indexOf('Manual reporting')).toBeLessThan(d.indexOf('Clip: Budget'));
    expect(d).toMatch(
      /Pain points\n• 00:30 Manual reporting[^\n]*\n• 01:00–01:15 Clip: Budget — https:\/\/c\.example\/1/,
    );
    expect(d).toMatch(/Next steps\n• 02:05 Send the quote/);

    expect(status['linked']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ recordId: r.ana, type: 'Contact', why: expect.any(String) }),
        expect.objectContaining({ recordId: r.acme, type: 'Account' }),
        expect.objectContaining({ recordId: r.globex, type: 'Account' }),
      ]),
    );
    expect(status['dropped']).toEqual(
      expect.arrayContaining([{ email: 'stranger@nowhere.example', reason: 'not_found' }]),
    );
    expect(JSON.stringify(status['dropped'])).not.toContain('colleague@vendor.example');
  });

  it('when Shared Activities is off, then only the WhoId contact is related and the others are dropped with the reason', async () => {
    stack = await startStack({ org: { autoApprove: true, knobs: { sharedActivities: false } } });
    const r = await seedTwoAccounts(stack);
    await stack.connect();
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'm_nsa', participants: ext('ana@acme.example', 'bo@acme.example') })),
    );
    const status = await stack.waitFor('m_nsa', settled);
    expect(status['state']).toBe('synced');
    const [event] = await orgQuery<{ Id: string; WhoId: string }>(
      stack.org,
      `SELECT Id, WhoId FROM Event WHERE Salescaling_Meeting_Id__c = 'm_nsa'`,
    );
    expect(event?.WhoId).toBe(r.ana);
    const people = await orgQuery<{ RelationId: string }>(
      stack.org,
      `SELECT RelationId FROM EventRelation WHERE EventId = '${event?.Id}'`,
    );
    expect(people.map((p) => p.RelationId).filter((id) => id !== r.ana)).toEqual([]);
    expect(status['dropped']).toEqual(
      expect.arrayContaining([expect.objectContaining({ recordId: r.bo, reason: 'shared_activities_off' })]),
    );
  });

  it('when hand-picked records were deleted or never existed, then they are dropped with the reason and the meeting syncs', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const r = await seedTwoAccounts(stack);
    const [opp = ''] = stack.org.seed('Opportunity', [
      { Name: 'Gone deal', StageName: 'Prospecting', CloseDate: '2026-12-31', AccountId: r.acme },
    ]);
    await stack.connect();
    await orgDelete(stack.org, 'Contact', r.bo);
    await orgDelete(stack.org, 'Opportunity', opp);
    await sendWebhook(
      stack.svc.url,
      processedEvent(
        meeting({
          id: 'm_picked',
          participants: ext('ana@acme.example'),
          associations: { contactIds: [r.bo, '003000000000000AAA'], opportunityId: opp },
        }),
      ),
    );
    const status = await stack.waitFor('m_picked', settled);
    expect(status['state']).toBe('synced');
    expect(status['dropped']).toEqual(
      expect.arrayContaining([
        { recordId: r.bo, reason: 'deleted' },
        { recordId: '003000000000000AAA', reason: 'not_found' },
        { recordId: opp, reason: 'deleted' },
      ]),
    );
    const [event] = await orgQuery<{ WhoId: string; WhatId: string }>(
      stack.org,
      `SELECT WhoId, WhatId FROM Event WHERE Salescaling_Meeting_Id__c = 'm_picked'`,
    );
    expect(event).toMatchObject({ WhoId: r.ana, WhatId: r.acme });
  });

  it('when a meeting matches nothing, then it is skipped (no_crm_match), and a later version with a match is written', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const r = await seedTwoAccounts(stack);
    await stack.connect();
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'm_later', participants: ext('nobody@nowhere.example') })),
    );
    expect(await stack.waitFor('m_later', settled)).toMatchObject({
      state: 'skipped',
      reason: 'no_crm_match',
    });
    expect(
      await orgQuery(stack.org, `SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'm_later'`),
    ).toEqual([]);

    await sendWebhook(stack.svc.url, {
      ...processedEvent(
        meeting({
          id: 'm_later',
          version: 2,
          participants: ext('nobody@nowhere.example', 'cy@globex.example'),
        }),
      ),
      type: 'meeting.updated',
    });
    const status = await stack.waitFor('m_later', (m) => m['version'] === 2 && settled(m));
    expect(status['state']).toBe('synced');
    const events = await orgQuery<{ WhoId: string }>(
      stack.org,
      `SELECT WhoId FROM Event WHERE Salescaling_Meeting_Id__c = 'm_later'`,
    );
    expect(events).toEqual([expect.objectContaining({ WhoId: r.cy })]);
  });

  it('when meeting.deleted carries only {id, version}, then the Event, note and task leave the org', async () => {
    stack = await startStack({ org: { autoApprove: true } });
    await seedTwoAccounts(stack);
    await stack.connect();
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'm_gone', participants: ext('ana@acme.example') })),
    );
    const ids = (await stack.waitFor('m_gone', settled))['salesforce'] as Record<string, string>;
    const res = await sendWebhook(stack.svc.url, deletedEvent('m_gone', 1));
    expect(res.status).toBe(202);
    expect(await stack.waitFor('m_gone', (m) => m['state'] === 'deleted')).toMatchObject({
      state: 'deleted',
    });
    expect(await orgQuery(stack.org, `SELECT Id FROM Event WHERE Id = '${ids['eventId']}'`)).toEqual([]);
    expect(await orgQuery(stack.org, `SELECT Id FROM Task WHERE Id = '${ids['taskId']}'`)).toEqual([]);
    expect(await orgQuery(stack.org, `SELECT Id FROM ContentDocument WHERE Id = '${ids['noteId']}'`)).toEqual(
      [],
    );
  });

  it('when a failed meeting is resynced after the cause is fixed, then its latest version is written once', async () => {
    let refuse = true;
    const sometimesRefusing: SyncMeetingFn = async (conn, org, input, previous) => {
      if (refuse)
        throw new SalesforceError(
          'record',
          'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          'Subject: blocked by a rule',
        );
      return syncMeeting(conn, org, input, previous);
    };
    stack = await startStack({ org: { autoApprove: true }, service: { syncMeeting: sometimesRefusing } });
    await seedTwoAccounts(stack);
    await stack.connect();
    await sendWebhook(
      stack.svc.url,
      processedEvent(meeting({ id: 'm_retry', participants: ext('ana@acme.example') })),
    );
    expect(await stack.waitFor('m_retry', settled)).toMatchObject({
      state: 'failed',
      lastError: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Subject: blocked by a rule',
    });

    refuse = false; // the admin relaxed the rule
    const resync = await api(stack.svc.url, 'POST', '/v1/workspaces/ws_1/meetings/m_retry/resync');
    expect(resync.status).toBe(202);
    expect(resync.body).toMatchObject({ meetingId: 'm_retry' });
    expect(await stack.waitFor('m_retry', (m) => m['state'] === 'synced')).toMatchObject({ lastError: null });
    expect(
      await orgQuery(stack.org, `SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'm_retry'`),
    ).toHaveLength(1);
  });
});
