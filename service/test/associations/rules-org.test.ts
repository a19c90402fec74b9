/**
 * The workspace's association rules against the local org: each case syncs a meeting and asserts on
 * what the org holds afterwards (the Event's WhatId, what the note is linked to), and on the API
 * calls the org counted.
 */
import type { Meeting } from '../../src/meetings/schema.ts';
import {
  DEFAULT_SETTINGS,
  associationSettingsSchema,
  type AssociationSettingsInput,
} from '../../src/settings/association-settings.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import type { SyncOutcome } from '../../src/domain/meeting-outcome.ts';
import { startTestOrg, type TestOrg } from '../support/test-org.ts';
import { meeting as baseMeeting } from './fixtures.ts';

let t: TestOrg;
let n = 0;

beforeAll(async () => {
  t = await startTestOrg();
});
afterAll(async () => {
  await t.stop();
});

/** Meetings start on 2026-11-20 (the fixtures' day); close dates below are counted from it. */
function meeting(emails: string[], overrides: Partial<Meeting> = {}): Meeting {
  n += 1;
  return baseMeeting({
    id: `mtg_rules_${n}`,
    recordingUrl: `https://app.salescaling.com/recordings/rules-${n}`,
    participants: [
      { email: 'seller@vendor.example', internal: true },
      ...emails.map((email) => ({ email, internal: false })),
    ],
    ...overrides,
  });
}

const settings = (input: AssociationSettingsInput = {}) => associationSettingsSchema.parse(input);

async function sync(
  m: Meeting,
  input: AssociationSettingsInput = {},
): Promise<{ out: SyncOutcome; calls: number }> {
  const { result, calls } = await t.callsDuring(() =>
    syncMeeting(t.conn, t.profile, { kind: 'upsert', meeting: m }, null, settings(input)),
  );
  return { out: result, calls };
}

async function eventOf(
  meetingId: string,
): Promise<{ Id: string; WhatId: string | null; WhoId: string | null }> {
  const r = await t.conn.query<{ Id: string; WhatId: string | null; WhoId: string | null }>(
    `SELECT Id, WhatId, WhoId FROM Event WHERE Salescaling_Meeting_Id__c = '${meetingId}'`,
  );
  expect(r.records).toHaveLength(1);
  return r.records[0]!;
}

async function eventCount(meetingId: string): Promise<number> {
  const r = await t.conn.query(`SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = '${meetingId}'`);
  return r.totalSize;
}

async function noteLinks(eventId: string): Promise<string[]> {
  const onEvent = await t.conn.query<{ ContentDocumentId: string }>(
    `SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = '${eventId}'`,
  );
  const noteId = onEvent.records[0]?.ContentDocumentId;
  const links = await t.conn.query<{ LinkedEntityId: string }>(
    `SELECT LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = '${noteId}'`,
  );
  return links.records.map((l) => l.LinkedEntityId);
}

function account(name: string, website: string | null = null): string {
  const [id] = t.org.seed('Account', [{ Name: name, Website: website }]);
  return id!;
}
function opportunity(name: string, accountId: string, closeDate: string, stage = 'Prospecting'): string {
  const [id] = t.org.seed('Opportunity', [
    { Name: name, AccountId: accountId, CloseDate: closeDate, StageName: stage },
  ]);
  return id!;
}
function role(opportunityId: string, contactId: string): void {
  t.org.seed('OpportunityContactRole', [{ OpportunityId: opportunityId, ContactId: contactId }]);
}

describe('the opportunity rule', () => {
  it('when a linked contact holds a role on one open Opportunity, then that one takes WhatId over a nearer one', async () => {
    const acc = account('Role Co');
    const ana = t.seedContact('Ana', 'ana@role.example', acc);
    const withRole = opportunity('Role deal', acc, '2026-12-20');
    opportunity('Nearer deal', acc, '2026-11-21');
    role(withRole, ana);
    const m = meeting(['ana@role.example']);
    const { out, calls } = await sync(m);

    const event = await eventOf(m.id);
    expect(event.WhatId).toBe(withRole);
    expect(event.WhoId).toBe(ana);
    expect(await noteLinks(event.Id)).toEqual(expect.arrayContaining([withRole, acc, ana]));
    expect(out.linked).toContainEqual({ recordId: withRole, type: 'Opportunity', why: 'contact_role' });
    // one composite look-up (the Opportunities ride in it) and one graph write
    expect(calls).toBe(2);
  });

  it('when no Opportunity has a linked contact’s role, then the close date nearest the meeting wins', async () => {
    const acc = account('Near Co');
    t.seedContact('Bo', 'bo@near.example', acc);
    opportunity('Far', acc, '2026-12-30');
    const near = opportunity('Near', acc, '2026-11-15');
    opportunity('Later', acc, '2026-11-30');
    const m = meeting(['bo@near.example']);
    const { out } = await sync(m);

    expect((await eventOf(m.id)).WhatId).toBe(near);
    expect(out.linked).toContainEqual({ recordId: near, type: 'Opportunity', why: 'nearest_close_date' });
  });

  it('when two open Opportunities are equally near, then none is picked, the Account keeps WhatId and both are reported', async () => {
    const acc = account('Tie Co');
    t.seedContact('Cy', 'cy@tie.example', acc);
    const before = opportunity('Before', acc, '2026-11-10');
    const after = opportunity('After', acc, '2026-11-30');
    const m = meeting(['cy@tie.example']);
    const { out } = await sync(m);

    const event = await eventOf(m.id);
    expect(event.WhatId).toBe(acc);
    expect(await noteLinks(event.Id)).not.toEqual(expect.arrayContaining([before]));
    expect(out.linked.filter((l) => l.type === 'Opportunity')).toEqual([]);
    expect(out.dropped).toEqual(
      expect.arrayContaining([
        { recordId: before, reason: 'opportunity_tie' },
        { recordId: after, reason: 'opportunity_tie' },
      ]),
    );
  });

  it('when the only near Opportunities are closed, then none is linked, even one with a contact role', async () => {
    const acc = account('Closed Co');
    const di = t.seedContact('Di', 'di@closed.example', acc);
    const won = opportunity('Won', acc, '2026-11-20', 'Closed Won');
    opportunity('Lost', acc, '2026-11-19', 'Closed Lost');
    role(won, di);
    const m = meeting(['di@closed.example']);
    const { out } = await sync(m);

    expect((await eventOf(m.id)).WhatId).toBe(acc);
    expect(out.linked.some((l) => l.type === 'Opportunity')).toBe(false);
  });

  it('when the close date lies beyond the window, then it is not picked and is reported', async () => {
    const acc = account('Window Co');
    t.seedContact('Ed', 'ed@window.example', acc);
    const far = opportunity('Next year', acc, '2027-11-20');
    const m = meeting(['ed@window.example']);
    const { out } = await sync(m, { opportunityRule: { closeDateWindowDays: 30 } });

    expect((await eventOf(m.id)).WhatId).toBe(acc);
    expect(out.dropped).toContainEqual({ recordId: far, reason: 'outside_close_date_window' });
  });

  it('when a closed Opportunity is picked by hand, then it takes WhatId', async () => {
    const acc = account('Picked Co');
    t.seedContact('Flo', 'flo@picked.example', acc);
    const won = opportunity('Won by hand', acc, '2026-11-20', 'Closed Won');
    const m = meeting(['flo@picked.example'], { associations: { opportunityId: won } });
    await sync(m);
    expect((await eventOf(m.id)).WhatId).toBe(won);
  });

  it('when the rule is off, then the Account keeps WhatId as before the rule existed', async () => {
    const acc = account('Off Co');
    const gus = t.seedContact('Gus', 'gus@off.example', acc);
    const deal = opportunity('Only deal', acc, '2026-11-20');
    role(deal, gus);
    const m = meeting(['gus@off.example']);
    const { out, calls } = await sync(m, { opportunityRule: { enabled: false } });

    expect((await eventOf(m.id)).WhatId).toBe(acc);
    expect(out.linked.some((l) => l.type === 'Opportunity')).toBe(false);
    expect(calls).toBe(2);
  });
});

describe('Account by email domain', () => {
  it('when nobody matches by email and one Account’s Website names the domain, then that Account takes WhatId', async () => {
    const globex = account('Globex', 'https://www.Globex.io/contact');
    const m = meeting(['hank@globex.io']);
    const { out, calls } = await sync(m);

    expect((await eventOf(m.id)).WhatId).toBe(globex);
    expect(out.linked).toEqual([{ recordId: globex, type: 'Account', why: 'website_domain' }]);
    // the Accounts by domain cost one more look-up call, only because nobody matched by email
    expect(calls).toBe(3);
  });

  it('when the domain holds a hyphen, then it still matches the Website', async () => {
    const hyphen = account('Acme Corp', 'https://acme-corp.io/');
    const m = meeting(['nora@acme-corp.io']);
    await sync(m);
    expect((await eventOf(m.id)).WhatId).toBe(hyphen);
  });

  it('when two Accounts share the domain, then none is linked, both are reported and the meeting is skipped', async () => {
    const a = account('Shared One', 'shared.io');
    const b = account('Shared Two', 'http://shared.io/eu');
    const m = meeting(['ivy@shared.io']);
    const { out } = await sync(m);

    expect(await eventCount(m.id)).toBe(0);
    expect(out.state).toBe('skipped');
    expect(out.dropped).toEqual(
      expect.arrayContaining([
        { recordId: a, email: 'ivy@shared.io', reason: 'ambiguous_domain' },
        { recordId: b, email: 'ivy@shared.io', reason: 'ambiguous_domain' },
      ]),
    );
  });

  it('when the participant writes from free-mail, then no Account is matched even one whose Website is that provider', async () => {
    account('Gmail fan club', 'gmail.com');
    const m = meeting(['jo.private@gmail.com']);
    const { out, calls } = await sync(m);

    expect(await eventCount(m.id)).toBe(0);
    expect(out.state).toBe('skipped');
    expect(out.linked).toEqual([]);
    expect(calls).toBe(1);
  });

  it('when an admin maps the domain to an Account, then that Account wins over the Website match', async () => {
    account('Initech by website', 'initech.dev');
    const mapped = account('Initech Holdings');
    const open = opportunity('Initech pilot', mapped, '2026-11-25');
    const m = meeting(['kim@initech.dev']);
    await sync(m, { domainMatching: { domainAccounts: [{ domain: 'initech.dev', accountId: mapped }] } });

    // the mapped Account's open Opportunity takes WhatId by the opportunity rule
    const event = await eventOf(m.id);
    expect(event.WhatId).toBe(open);
    expect(await noteLinks(event.Id)).toEqual(expect.arrayContaining([open, mapped]));
  });

  it('when domain matching is off, then the meeting is skipped as before', async () => {
    account('Hooli', 'hooli.xyz');
    const m = meeting(['lu@hooli.xyz']);
    const { out, calls } = await sync(m, { domainMatching: { enabled: false } });
    expect(await eventCount(m.id)).toBe(0);
    expect(out.state).toBe('skipped');
    expect(calls).toBe(1);
  });

  it('when the domain is the workspace’s own (the organizer’s), then it never matches', async () => {
    account('Vendor itself', 'vendor.example');
    const m = meeting(['colleague@vendor.example']);
    const { out } = await sync(m);
    expect(await eventCount(m.id)).toBe(0);
    expect(out.state).toBe('skipped');
  });
});

describe('exclusions', () => {
  it('when a participant’s email is never linked, then their Contact is not linked and the meeting is skipped', async () => {
    t.seedContact('Mo', 'mo@private.example', account('Private Co'));
    const m = meeting(['mo@private.example']);
    const { out } = await sync(m, { exclusions: { neverLinkEmails: ['MO@private.example'] } });
    expect(await eventCount(m.id)).toBe(0);
    expect(out.dropped).toContainEqual({ email: 'mo@private.example', reason: 'excluded' });
  });

  it('when a domain is never linked, then its Contacts and its Account by Website are not linked, and another guest still is', async () => {
    const acc = account('Never Co', 'https://never.example');
    t.seedContact('Nev', 'nev@never.example', acc);
    t.seedContact('Sub', 'sub@eu.never.example', acc);
    const other = t.seedContact('Oda', 'oda@other-co.example', account('Other Co'));
    const alone = meeting(['nev@never.example', 'sub@eu.never.example']);
    const skipped = await sync(alone, { exclusions: { neverLinkDomains: ['never.example'] } });
    expect(await eventCount(alone.id)).toBe(0);
    expect(skipped.out.state).toBe('skipped');
    expect(skipped.out.dropped).toEqual(
      expect.arrayContaining([
        { email: 'nev@never.example', reason: 'excluded' },
        { email: 'sub@eu.never.example', reason: 'excluded' },
      ]),
    );

    const mixed = meeting(['nev@never.example', 'oda@other-co.example']);
    const { out } = await sync(mixed, { exclusions: { neverLinkDomains: ['never.example'] } });
    expect((await eventOf(mixed.id)).WhoId).toBe(other);
    expect(out.linked.map((l) => l.recordId)).not.toContain(acc);
  });

  it('when an internal domain is listed, then its people are not linked but the others are', async () => {
    const acc = account('Mixed Co');
    t.seedContact('Sub', 'sub@subsidiary.example', acc);
    const ext = t.seedContact('Ext', 'ext@mixed.example', acc);
    const m = meeting(['sub@subsidiary.example', 'ext@mixed.example']);
    const { out } = await sync(m, { exclusions: { internalDomains: ['subsidiary.example'] } });
    expect((await eventOf(m.id)).WhoId).toBe(ext);
    expect(out.linked.filter((l) => l.type === 'Contact').map((l) => l.recordId)).toEqual([ext]);
    expect(out.dropped).toContainEqual({ email: 'sub@subsidiary.example', reason: 'internal_domain' });
  });

  it('when the organizer opted out, then nothing is written', async () => {
    t.seedContact('Ola', 'ola@optout.example', account('Opt Co'));
    const m = meeting(['ola@optout.example']);
    const { out, calls } = await sync(m, { exclusions: { optedOutOrganizers: ['seller@vendor.example'] } });
    expect(await eventCount(m.id)).toBe(0);
    expect(out).toMatchObject({ state: 'skipped', reason: 'organizer_opted_out' });
    expect(calls).toBe(1);
  });

  it('when meetings without an external participant are not written, then a hand-picked Account alone does not write it', async () => {
    const acc = account('Internal only Co');
    const m = meeting([], { associations: { accountId: acc } });
    const off = await sync(m, { exclusions: { writeMeetingsWithoutExternalParticipant: false } });
    expect(off.out).toMatchObject({ state: 'skipped', reason: 'no_external_participant' });
    expect(await eventCount(m.id)).toBe(0);

    const on = await sync(m);
    expect(on.out.state).toBe('synced');
    expect((await eventOf(m.id)).WhatId).toBe(acc);
  });
});

it('the defaults are what the admin guide documents', () => {
  expect(DEFAULT_SETTINGS).toMatchObject({
    opportunityRule: { enabled: true, closeDateWindowDays: 90 },
    domainMatching: { enabled: true, domainAccounts: [] },
    calendarEventEnrichment: { enabled: true },
    lateMatching: { windowDays: 7 },
    contactCreation: { enabled: false },
    exclusions: { writeMeetingsWithoutExternalParticipant: true },
  });
});

describe('the room the rules take in the look-up call', () => {
  it('when a person deleted the Task, then an update (the Task read by its id) does not bring it back and says so', async () => {
    const acc = account('Task Co');
    t.seedContact('Tia', 'tia@task.example', acc);
    const m = meeting(['tia@task.example']);
    const first = await sync(m);
    const taskId = first.out.written.taskId!;
    await t.conn.sobject('Task').destroy(taskId);

    const { result: second } = await t.callsDuring(() =>
      syncMeeting(
        t.conn,
        t.profile,
        { kind: 'upsert', meeting: { ...m, version: 2, title: 'Again' } },
        first.out.written,
        settings(),
      ),
    );
    expect(second.dropped).toContainEqual({ recordId: taskId, reason: 'deleted_in_salesforce' });
    const live = await t.conn.query(`SELECT Id FROM Task WHERE Id = '${taskId}'`);
    expect(live.totalSize).toBe(0);
    const event = await eventOf(m.id);
    const subject = await t.conn.query<{ Subject: string }>(
      `SELECT Subject FROM Event WHERE Id = '${event.Id}'`,
    );
    expect(subject.records[0]?.Subject).toBe('Again');
  });

  it('when a first sync wrote but its ids were lost, then the next one finds the Event and the Task and writes neither again', async () => {
    const acc = account('Lost Co');
    t.seedContact('Lou', 'lou@lost.example', acc);
    const m = meeting(['lou@lost.example']);
    await sync(m);
    await sync({ ...m, version: 2 });
    expect(await eventCount(m.id)).toBe(1);
    const tasks = await t.conn.query(`SELECT Id FROM Task WHERE Salescaling_Meeting_Id__c = '${m.id}'`);
    expect(tasks.totalSize).toBe(1);
  });
});
