/**
 * POST /v1/workspaces/{id}/meetings/simulate over HTTP against a connected local org: what it answers
 * and, above all, that the org and the store hold exactly what they held before. Also the settings
 * saved through the API reaching the worker's sync.
 */
import { meeting, processedEvent } from '../support/fixtures.ts';
import { api, sendWebhook } from '../support/service.ts';
import { orgAdminToken, orgQuery, startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
let acme: string;
let buyer: string;
let pilot: string;
let globex: string;

beforeAll(async () => {
  stack = await startStack({ org: { autoApprove: true } });
  [acme] = stack.org.seed('Account', [{ Name: 'Acme' }]) as [string];
  [globex] = stack.org.seed('Account', [{ Name: 'Globex', Website: 'www.globex.io' }]) as [string];
  [buyer] = stack.org.seed('Contact', [
    { LastName: 'Buyer', Email: 'buyer@example.org', AccountId: acme },
  ]) as [string];
  [pilot] = stack.org.seed('Opportunity', [
    { Name: 'Acme pilot', AccountId: acme, CloseDate: '2026-11-27', StageName: 'Prospecting' },
  ]) as [string];
  stack.org.seed('Opportunity', [
    { Name: 'Acme renewal', AccountId: acme, CloseDate: '2026-11-20', StageName: 'Closed Won' },
  ]);
  expect((await stack.connect()).outcome).toBe('connected');
});
afterAll(async () => {
  await stack?.dispose();
});

/** What the org holds that a sync would change. */
async function orgState(): Promise<Record<string, number>> {
  const count = async (object: string) => (await orgQuery(stack.org, `SELECT Id FROM ${object}`)).length;
  return {
    Event: await count('Event'),
    Task: await count('Task'),
    ContentNote: await count('ContentNote'),
    EventRelation: await count('EventRelation'),
    Contact: await count('Contact'),
  };
}

const simulate = (body: unknown, ws = 'ws_1') =>
  api(stack.svc.url, 'POST', `/v1/workspaces/${ws}/meetings/simulate`, body);

describe('the meeting simulator', () => {
  it('when a meeting is simulated, then it answers the links and records with reasons, and nothing is written anywhere', async () => {
    const before = await orgState();
    const countersBefore = stack.org.counters();
    const m = meeting({ id: 'mtg_sim_1' });
    const res = await simulate({ meeting: m });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: 'linked',
      whoId: buyer,
      whatId: pilot,
      alreadyWritten: null,
      settingsVersion: 0,
    });
    expect(res.body['linked']).toEqual(
      expect.arrayContaining([
        { recordId: buyer, type: 'Contact', why: 'email_match' },
        { recordId: acme, type: 'Account', why: 'contact_account' },
        { recordId: pilot, type: 'Opportunity', why: 'nearest_close_date' },
      ]),
    );
    expect(res.body['records']).toMatchObject({
      event: { subject: 'Discovery call', whoId: buyer, whatId: pilot },
      task: { whoId: buyer, whatId: pilot },
      note: { linkedEntityIds: expect.arrayContaining([buyer, acme, pilot]) },
    });
    // One composite look-up, nothing else: no write reached the org.
    expect(res.body['apiCalls']).toBe(1);
    const countersAfter = stack.org.counters();
    const changed = Object.keys(countersAfter).filter((k) => countersAfter[k] !== countersBefore[k]);
    expect(changed.sort()).toEqual(['composite', 'total'].filter((k) => k in countersAfter).sort());
    expect(await orgState()).toEqual(before);
    // Nor in the store: the service knows no such meeting.
    expect((await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/meetings/mtg_sim_1')).status).toBe(404);
  });

  it('when only the domain matches, then the simulator says which Account and why', async () => {
    const res = await simulate({
      meeting: meeting({ id: 'mtg_sim_2', participants: [{ email: 'kim@globex.io', internal: false }] }),
    });
    expect(res.body).toMatchObject({ outcome: 'linked', whoId: null, whatId: globex });
    expect(res.body['linked']).toEqual([{ recordId: globex, type: 'Account', why: 'website_domain' }]);
  });

  it('when the settings change, then the simulation follows them', async () => {
    const saved = await api(stack.svc.url, 'PUT', '/v1/workspaces/ws_1/salesforce/settings', {
      version: 0,
      settings: { opportunityRule: { enabled: false } },
    });
    expect(saved.status).toBe(200);
    const res = await simulate({ meeting: meeting({ id: 'mtg_sim_3' }) });
    expect(res.body).toMatchObject({ whatId: acme, settingsVersion: 1 });
    const back = await api(stack.svc.url, 'PUT', '/v1/workspaces/ws_1/salesforce/settings', {
      version: 1,
      settings: {},
    });
    expect(back.status).toBe(200);
  });

  it('when Contacts for unknown guests is on, then the simulation lists the Contact a sync would create, and creates none', async () => {
    const current = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce/settings');
    const on = await api(stack.svc.url, 'PUT', '/v1/workspaces/ws_1/salesforce/settings', {
      version: current.body['version'],
      settings: { contactCreation: { enabled: true } },
    });
    expect(on.status).toBe(200);
    const before = await orgState();
    const res = await simulate({
      meeting: meeting({
        id: 'mtg_sim_guest',
        participants: [{ email: 'Kim.Lee@globex.io', name: 'Kim Lee', internal: false }],
      }),
    });
    expect(res.body).toMatchObject({ outcome: 'linked', whoId: '@{newContact0.id}', whatId: globex });
    expect(res.body['linked']).toEqual(
      expect.arrayContaining([{ recordId: '@{newContact0.id}', type: 'Contact', why: 'created_for_guest' }]),
    );
    expect((res.body['records'] as Record<string, unknown>)['contacts']).toEqual([
      {
        ref: '@{newContact0.id}',
        firstName: 'Kim',
        lastName: 'Lee',
        email: 'kim.lee@globex.io',
        accountId: globex,
      },
    ]);
    expect(await orgState()).toEqual(before);
    const off = await api(stack.svc.url, 'PUT', '/v1/workspaces/ws_1/salesforce/settings', {
      version: on.body['version'],
      settings: {},
    });
    expect(off.status).toBe(200);
  });

  it('when the meeting is invalid, then 422 with the paths, and when the workspace is not connected, then 409', async () => {
    const bad = await simulate({ meeting: { id: 'x' } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('meeting.startedAt');
    expect((await simulate({ meeting: meeting() }, 'ws_nobody')).status).toBe(409);
  });
});

describe('settings reach the sync', () => {
  it('when an admin never links a participant’s email, then the worker skips the meeting and the org holds no Event', async () => {
    const current = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce/settings');
    const saved = await api(stack.svc.url, 'PUT', '/v1/workspaces/ws_1/salesforce/settings', {
      version: current.body['version'],
      settings: { exclusions: { neverLinkEmails: ['buyer@example.org'] } },
    });
    expect(saved.status).toBe(200);
    const m = meeting({ id: 'mtg_excluded' });
    expect((await sendWebhook(stack.svc.url, processedEvent(m))).status).toBe(202);
    const status = await stack.waitFor(
      'mtg_excluded',
      (s) => s['state'] !== 'queued' && s['state'] !== 'syncing',
    );
    expect(status).toMatchObject({ state: 'skipped', reason: 'no_crm_match' });
    expect(status['dropped']).toContainEqual({ email: 'buyer@example.org', reason: 'excluded' });
    expect(
      await orgQuery(stack.org, "SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'mtg_excluded'"),
    ).toEqual([]);
  });
});

describe('Contacts for unknown guests through the service', () => {
  it('when an admin turns it on, then the worker creates the guest’s Contact under the domain’s Account and links the meeting to it', async () => {
    const current = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_1/salesforce/settings');
    const saved = await api(stack.svc.url, 'PUT', '/v1/workspaces/ws_1/salesforce/settings', {
      version: current.body['version'],
      settings: { contactCreation: { enabled: true } },
    });
    expect(saved.status).toBe(200);
    const m = meeting({
      id: 'mtg_guest_e2e',
      participants: [{ email: 'ivo.novak@globex.io', name: 'Ivo Novak', internal: false }],
    });
    expect((await sendWebhook(stack.svc.url, processedEvent(m))).status).toBe(202);
    const status = await stack.waitFor(
      'mtg_guest_e2e',
      (s) => s['state'] === 'synced' || s['state'] === 'failed',
    );
    expect(status['state']).toBe('synced');
    const [contact] = await orgQuery<{ Id: string; FirstName: string; LastName: string; AccountId: string }>(
      stack.org,
      "SELECT Id, FirstName, LastName, AccountId FROM Contact WHERE Email = 'ivo.novak@globex.io'",
    );
    expect(contact).toMatchObject({ FirstName: 'Ivo', LastName: 'Novak', AccountId: globex });
    expect(status['linked']).toContainEqual({
      recordId: contact!.Id,
      type: 'Contact',
      why: 'created_for_guest',
    });
    const [event] = await orgQuery<{ WhoId: string; WhatId: string }>(
      stack.org,
      "SELECT WhoId, WhatId FROM Event WHERE Salescaling_Meeting_Id__c = 'mtg_guest_e2e'",
    );
    expect(event).toEqual(expect.objectContaining({ WhoId: contact!.Id, WhatId: globex }));
  });

  it('when the connected user may not create Contacts, then the status requires it only while the setting is on, naming the permission set; meetings sync without the Contact until it is assigned and the meeting resynced', async () => {
    const user = await stack.org.createUser({
      profile: 'Minimum Access - Salesforce',
      permissionSets: ['Salescaling_Integration_User'],
    });
    const connected = await stack.connect('ws_min', {
      user: { username: user.username, password: user.password },
    });
    expect(connected.outcome).toBe('connected');
    const permissions = async () =>
      (await api(stack.svc.url, 'GET', '/v1/workspaces/ws_min/salesforce')).body['permissions'] as {
        ok: boolean;
        missing: string[];
        details: { name: string; fix: string }[];
      };
    expect((await permissions()).missing).not.toContain('Contact.create');

    const saved = await api(stack.svc.url, 'PUT', '/v1/workspaces/ws_min/salesforce/settings', {
      version: 0,
      settings: { contactCreation: { enabled: true } },
    });
    expect(saved.status).toBe(200);
    const now = await permissions();
    expect(now.ok).toBe(false);
    expect(now.missing).toContain('Contact.create');
    expect(now.details.find((d) => d.name === 'Contact.create')?.fix).toMatch(/Salescaling Contact Creation/);

    // A meeting then syncs without the guest's Contact, saying why …
    const m = meeting({
      id: 'mtg_guest_refused',
      participants: [{ email: 'rae.refused@globex.io', name: 'Rae Refused', internal: false }],
    });
    expect((await sendWebhook(stack.svc.url, processedEvent(m, undefined, 'ws_min'))).status).toBe(202);
    const refused = await stack.waitFor('mtg_guest_refused', (x) => x['state'] === 'synced', 'ws_min');
    expect(refused['dropped']).toContainEqual(
      expect.objectContaining({ email: 'rae.refused@globex.io', reason: 'contact_not_created' }),
    );
    const contactOf = () =>
      orgQuery<{ Id: string }>(stack.org, "SELECT Id FROM Contact WHERE Email = 'rae.refused@globex.io'");
    expect(await contactOf()).toEqual([]);

    // … and once the admin assigns the permission set, a resync creates and links it.
    const token = await orgAdminToken(stack.org);
    const [set] = await orgQuery<{ Id: string }>(
      stack.org,
      "SELECT Id FROM PermissionSet WHERE Name = 'Salescaling_Contact_Creation'",
    );
    const assigned = await fetch(`${stack.org.url}/services/data/v66.0/sobjects/PermissionSetAssignment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ AssigneeId: user.id, PermissionSetId: set!.Id }),
    });
    expect(assigned.status).toBe(201);
    expect(
      (await api(stack.svc.url, 'POST', '/v1/workspaces/ws_min/meetings/mtg_guest_refused/resync')).status,
    ).toBe(202);
    const until = Date.now() + 15_000;
    while ((await contactOf()).length === 0 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    const [rae] = await contactOf();
    expect(rae).toBeDefined();
    const [event] = await orgQuery<{ WhoId: string }>(
      stack.org,
      "SELECT WhoId FROM Event WHERE Salescaling_Meeting_Id__c = 'mtg_guest_refused'",
    );
    expect(event?.WhoId).toBe(rae!.Id);
    // The status learns it at the next check (Check again on the admin page).
    const rechecked = await api(stack.svc.url, 'GET', '/v1/workspaces/ws_min/salesforce?recheck=true');
    expect((rechecked.body['permissions'] as { missing: string[] }).missing).not.toContain('Contact.create');
  });
});
