/**
 * Issue 8, "Done when": the recordings card against the local org. The component's EXACT query and
 * variables (exported by meetingsQuery.ts) are POSTed to the org's UI API GraphQL endpoint as a
 * Standard User holding only the package's `Salescaling_Recordings_Viewer` permission set, on an
 * Account, a Contact and an Opportunity page (with contact roles); the meetings are synced by the
 * service (connected as the integration user). The meetings the card gets must be exactly those the
 * org holds for the record, read as the admin with plain SOQL. Without the viewer set the org answers
 * the GraphQL error field-level security gives, and the card shows its seller-facing message.
 */
import { passwordGrantToken, type LocalOrg } from '../../../emulator/src/index.ts';
import {
  MEETINGS_OPERATION,
  MEETINGS_QUERY_TEXT,
  meetingVariables,
  type OpportunityWindow,
} from '../../../force-app/main/default/lwc/salescalingRecordings/meetingsQuery.ts';
import { sellerErrorMessage } from '../../../force-app/main/default/lwc/salescalingUtils/salescalingUtils.ts';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { sendWebhook } from '../support/service.ts';
import { orgQuery, startStack, type Stack } from '../support/stack.ts';

jest.setTimeout(60_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function asUser(org: LocalOrg, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${org.url}/services/data/v66.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

/** What the card does on a page: its exact document, operation name and variables, as `user`. */
async function card(org: LocalOrg, token: string, variables: unknown) {
  return asUser(org, token, 'POST', '/graphql', {
    query: MEETINGS_QUERY_TEXT,
    operationName: MEETINGS_OPERATION,
    variables,
  });
}

/** The meeting ids the card shows (primary and related connections merged), for Events and Tasks. */
function shown(body: Json): { events: string[]; tasks: string[]; total: number } {
  const q = body['data'].uiapi.query;
  const ids = (c: Json) => (c.edges as Json[]).map((e) => String(e['node'].Salescaling_Meeting_Id__c.value));
  return {
    events: [...ids(q.events), ...ids(q.relatedEvents)].sort(),
    tasks: [...ids(q.tasks), ...ids(q.relatedTasks)].sort(),
    total: Number(q.events.totalCount) + Number(q.relatedEvents.totalCount),
  };
}

const quote = (ids: readonly string[]) => ids.map((id) => `'${id}'`).join(', ');

/** The meeting ids the org holds on Events with these ids or these Who/What, read as the admin. */
async function meetingIdsOf(stack: Stack, where: string): Promise<string[]> {
  const rows = await orgQuery<{ Salescaling_Meeting_Id__c: string }>(
    stack.org,
    `SELECT Salescaling_Meeting_Id__c FROM Event WHERE Salescaling_Meeting_Id__c != null AND (${where})`,
  );
  return [...new Set(rows.map((r) => r.Salescaling_Meeting_Id__c))].sort();
}

/** The same for Tasks (the card bounds an Opportunity's related tasks by their CreatedDate). */
async function taskMeetingIdsOf(stack: Stack, where: string): Promise<string[]> {
  const rows = await orgQuery<{ Salescaling_Meeting_Id__c: string }>(
    stack.org,
    `SELECT Salescaling_Meeting_Id__c FROM Task WHERE Salescaling_Meeting_Id__c != null AND (${where})`,
  );
  return [...new Set(rows.map((r) => r.Salescaling_Meeting_Id__c))].sort();
}

async function relatedTaskIds(stack: Stack, contactIds: readonly string[]): Promise<string[]> {
  const rows = await orgQuery<{ TaskId: string }>(
    stack.org,
    `SELECT TaskId FROM TaskRelation WHERE RelationId IN (${quote(contactIds)})`,
  );
  return rows.map((r) => r.TaskId);
}

async function relatedEventIds(stack: Stack, contactIds: readonly string[]): Promise<string[]> {
  if (contactIds.length === 0) return [];
  const rows = await orgQuery<{ EventId: string }>(
    stack.org,
    `SELECT EventId FROM EventRelation WHERE RelationId IN (${quote(contactIds)})`,
  );
  return rows.map((r) => r.EventId);
}

describe('the recordings card against the local org, as a Standard User with the viewer set (issue 8)', () => {
  let stack: Stack;
  let w: { acme: string; globex: string; bea: string; bo: string; cy: string; opp: string };

  beforeAll(async () => {
    stack = await startStack({ org: { autoApprove: true } });
    const org = stack.org;
    const [acme = '', globex = ''] = org.seed('Account', [{ Name: 'Acme' }, { Name: 'Globex' }]);
    const [bea = '', bo = '', cy = ''] = org.seed('Contact', [
      { LastName: 'Bea', Email: 'bea@acme.example', AccountId: acme },
      { LastName: 'Bo', Email: 'bo@acme.example', AccountId: acme },
      { LastName: 'Cy', Email: 'cy@globex.example', AccountId: globex },
    ]);
    const [opp = ''] = org.seed('Opportunity', [
      { Name: 'Globex renewal', StageName: 'Prospecting', CloseDate: '2027-03-31', AccountId: globex },
    ]);
    // Bo (of Acme) has a contact role on Globex's opportunity: his meetings count on its page.
    org.seed('OpportunityContactRole', [{ OpportunityId: opp, ContactId: bo, Role: 'Influencer' }]);
    await org.createUser({ username: 'seller@example.com.localorg', lastName: 'Seller' });
    w = { acme, globex, bea, bo, cy, opp };
    await stack.connect();

    const ext = (...emails: string[]) => emails.map((email) => ({ email, internal: false }));
    const meetings = [
      meeting({ id: 'm_acme', participants: ext('bea@acme.example', 'bo@acme.example') }),
      meeting({ id: 'm_bo', participants: ext('bo@acme.example') }),
      meeting({ id: 'm_globex', participants: ext('cy@globex.example') }),
      meeting({ id: 'm_mixed', participants: ext('cy@globex.example', 'bo@acme.example') }),
      meeting({ id: 'm_opp', participants: ext('cy@globex.example'), associations: { opportunityId: opp } }),
      meeting({ id: 'm_nobody', participants: ext('stranger@nowhere.example') }),
    ];
    for (const m of meetings) await sendWebhook(stack.svc.url, processedEvent(m));
    for (const m of meetings)
      await stack.waitFor(m.id, (s) => ['synced', 'skipped', 'failed'].includes(String(s['state'])));
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  async function viewerToken(permissionSets: string[]): Promise<string> {
    const user = await stack.org.createUser({ lastName: 'Viewer', permissionSets });
    return passwordGrantToken(stack.org, user);
  }

  it('on a Contact page, the meetings are exactly those whose Who or related contact she is', async () => {
    const token = await viewerToken(['Salescaling_Recordings_Viewer']);
    for (const contact of [w.bea, w.bo, w.cy]) {
      const res = await card(stack.org, token, meetingVariables('Contact', contact, 50));
      expect(res.status).toBe(200);
      expect(res.body['errors']).toBeUndefined();
      const related = await relatedEventIds(stack, [contact]);
      const expected = await meetingIdsOf(
        stack,
        `WhoId = '${contact}'${related.length ? ` OR Id IN (${quote(related)})` : ''}`,
      );
      expect(expected.length).toBeGreaterThan(0);
      const got = shown(res.body);
      expect(got.events).toEqual(expected);
      expect(got.tasks).toEqual(expected);
      expect(got.total).toBe(expected.length);
    }
    // Bo is the related (not primary) contact of m_acme: the case the old OR query could not ask.
    const bo = shown((await card(stack.org, token, meetingVariables('Contact', w.bo, 50))).body);
    expect(bo.events).toEqual(expect.arrayContaining(['m_acme', 'm_bo', 'm_mixed']));
  });

  it('on an Account page, the meetings are exactly those on the account or with any of its contacts', async () => {
    const token = await viewerToken(['Salescaling_Recordings_Viewer']);
    for (const account of [w.acme, w.globex]) {
      const res = await card(stack.org, token, meetingVariables('Account', account, 50));
      expect(res.body['errors']).toBeUndefined();
      const contacts = (
        await orgQuery<{ Id: string }>(stack.org, `SELECT Id FROM Contact WHERE AccountId = '${account}'`)
      ).map((c) => c.Id);
      const related = await relatedEventIds(stack, contacts);
      const expected = await meetingIdsOf(
        stack,
        `WhatId = '${account}' OR AccountId = '${account}'${related.length ? ` OR Id IN (${quote(related)})` : ''}`,
      );
      expect(expected.length).toBeGreaterThan(0);
      expect(shown(res.body).events).toEqual(expected);
      expect(shown(res.body).tasks).toEqual(expected);
    }
    // m_mixed is Globex's (its What) and Acme's too, through Bo.
    const acme = shown((await card(stack.org, token, meetingVariables('Account', w.acme, 50))).body);
    expect(acme.events).toEqual(expect.arrayContaining(['m_acme', 'm_bo', 'm_mixed']));
  });

  it('on an Opportunity page with a contact role, the meetings are those on it or with a contact-role contact while it was open', async () => {
    const token = await viewerToken(['Salescaling_Recordings_Viewer']);
    // What the page reads before asking (getRecord and the contact roles' related list), as the viewer.
    const [opp] = (
      await asUser(
        stack.org,
        token,
        'GET',
        `/query?q=${encodeURIComponent(`SELECT CreatedDate, IsClosed, CloseDate FROM Opportunity WHERE Id = '${w.opp}'`)}`,
      )
    ).body['records'] as Json[];
    const roles = (
      await asUser(
        stack.org,
        token,
        'GET',
        `/query?q=${encodeURIComponent(`SELECT ContactId FROM OpportunityContactRole WHERE OpportunityId = '${w.opp}'`)}`,
      )
    ).body['records'] as Json[];
    const window: OpportunityWindow = {
      createdDate: String(opp?.['CreatedDate']),
      closeDate: opp?.['IsClosed'] ? String(opp['CloseDate']) : null,
      contactIds: roles.map((r) => String(r['ContactId'])),
    };
    expect(window.contactIds).toEqual([w.bo]);
    const res = await card(stack.org, token, meetingVariables('Opportunity', w.opp, 50, window));
    const since = new Date(window.createdDate).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(res.body['errors']).toBeUndefined();
    const related = await relatedEventIds(stack, window.contactIds);
    const expected = await meetingIdsOf(
      stack,
      `WhatId = '${w.opp}' OR (Id IN (${quote(related)}) AND StartDateTime >= ${since})`,
    );
    // The fixtures' meetings start before the opportunity was created: only m_opp is on its page.
    expect(expected).toEqual(['m_opp']);
    expect(shown(res.body).events).toEqual(expected);
    // The task of each meeting was created after the opportunity: Bo's tasks count on its page.
    const relatedTasks = await relatedTaskIds(stack, window.contactIds);
    const expectedTasks = await taskMeetingIdsOf(
      stack,
      `WhatId = '${w.opp}' OR (Id IN (${quote(relatedTasks)}) AND CreatedDate >= ${since})`,
    );
    expect(expectedTasks).toEqual(expect.arrayContaining(['m_acme', 'm_bo', 'm_opp']));
    expect(shown(res.body).tasks).toEqual(expectedTasks);

    // With the window opened to before those meetings, Bo's meetings (through his role) count too.
    const early = { ...window, createdDate: '2026-01-01T00:00:00.000Z' };
    const wider = await card(stack.org, token, meetingVariables('Opportunity', w.opp, 50, early));
    const expectedWider = await meetingIdsOf(stack, `WhatId = '${w.opp}' OR Id IN (${quote(related)})`);
    expect(expectedWider).toEqual(expect.arrayContaining(['m_acme', 'm_bo', 'm_opp']));
    expect(shown(wider.body).events).toEqual(expectedWider);
  });

  it('without the viewer permission set, the org answers field-level security’s error and the card asks for the permission set', async () => {
    const token = await viewerToken([]);
    const res = await card(stack.org, token, meetingVariables('Contact', w.bea, 50));
    expect(res.status).toBe(200);
    const errors = res.body['errors'] as Json[];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({
      message: expect.stringMatching(/Salescaling_Meeting_Id__c/),
      extensions: { ErrorType: expect.any(String) },
    });
    expect(res.body['data'] ?? null).toBeNull();
    expect(sellerErrorMessage(errors)).toContain('Salescaling Recordings Viewer permission set');
    expect(sellerErrorMessage(errors)).toMatch(/missing access to Salescaling's meeting fields/);
  });
});
