/**
 * Issue 9 through the whole service (signed webhook, store, worker, status API) against the local
 * org: a calendar tool's Event is enriched and the status says so; the seller's later edit survives
 * the next version and the status names it; a delete leaves the tool's Event. What the sync remembers
 * writing travels through the store between versions.
 */
import { passwordGrantToken } from '../../../emulator/src/index.ts';
import { deletedEvent, meeting, processedEvent } from '../support/fixtures.ts';
import { sendWebhook } from '../support/service.ts';
import { orgAdminCall, orgQuery, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(90_000);

let stack: Stack;
afterAll(async () => {
  await stack?.dispose();
});

const done = (m: Record<string, unknown>) =>
  ['synced', 'skipped', 'failed', 'deleted'].includes(String(m['state']));

it('when the seller’s calendar already wrote the meeting and the seller later edits it, then the status shows the enriched Event and the kept edit, and a delete leaves the tool’s Event', async () => {
  stack = await startStack({ org: { autoApprove: true } });
  const [acme = '', globex = ''] = stack.org.seed('Account', [{ Name: 'Acme' }, { Name: 'Globex' }]);
  const [bea = ''] = stack.org.seed('Contact', [
    { LastName: 'Buyer', Email: 'bea@acme.example', AccountId: acme },
  ]);
  const seller = await stack.org.createUser({ username: 'seller@example.com.localorg', lastName: 'Seller' });
  const calendar = (
    await orgAdminCall<{ id: string }>(stack.org, 'POST', '/sobjects/Event', {
      OwnerId: seller.id,
      Subject: 'Discovery call',
      StartDateTime: '2026-11-20T15:00:00Z',
      EndDateTime: '2026-11-20T15:30:00Z',
      WhoId: bea,
      Description: 'Invite body',
    })
  ).id;
  await stack.connect();

  const m = meeting({ id: 'mtg_e2e_cal', participants: [{ email: 'bea@acme.example', internal: false }] });
  await sendWebhook(stack.svc.url, processedEvent(m));
  const first = await stack.waitFor(m.id, done);
  expect(first).toMatchObject({ state: 'synced', salesforce: { eventId: calendar } });
  expect(first['linked']).toContainEqual({
    recordId: calendar,
    type: 'Event',
    why: 'calendar_event_subject_and_attendee_match',
  });
  const events = () =>
    orgQuery<{
      Id: string;
      Subject: string;
      WhatId: string | null;
      Description: string;
      Salescaling_Meeting_Id__c: string | null;
    }>(
      stack.org,
      `SELECT Id, Subject, WhatId, Description, Salescaling_Meeting_Id__c FROM Event WHERE OwnerId = '${seller.id}'`,
    );
  expect(await events()).toEqual([
    expect.objectContaining({
      Id: calendar,
      WhatId: acme,
      Description: 'Invite body',
      Salescaling_Meeting_Id__c: m.id,
    }),
  ]);

  // The seller moves the Event to Globex in Salesforce, signed in as himself.
  const token = await passwordGrantToken(stack.org, seller);
  const res = await fetch(`${stack.org.url}/services/data/v66.0/sobjects/Event/${calendar}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ WhatId: globex }),
  });
  expect(res.status).toBe(204);

  await sendWebhook(stack.svc.url, processedEvent({ ...m, version: 2, summary: 'Updated summary' }));
  const second = await stack.waitFor(m.id, (s) => s['syncedVersion'] === 2 && done(s));
  expect(second['dropped']).toContainEqual({
    recordId: calendar,
    reason: 'kept_person_edit',
    fields: ['WhatId'],
    by: seller.id,
  });
  expect(await events()).toEqual([
    expect.objectContaining({ Id: calendar, WhatId: globex, Subject: 'Discovery call' }),
  ]);

  await sendWebhook(stack.svc.url, deletedEvent(m.id, 3, 'evt_del_cal'));
  await stack.waitFor(m.id, (s) => s['state'] === 'deleted');
  expect(await events()).toEqual([
    expect.objectContaining({
      Id: calendar,
      WhatId: globex,
      Description: 'Invite body',
      Salescaling_Meeting_Id__c: null,
    }),
  ]);
  expect(
    await orgQuery(stack.org, `SELECT Id FROM Task WHERE Salescaling_Meeting_Id__c = '${m.id}'`),
  ).toEqual([]);
});
