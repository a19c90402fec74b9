/**
 * Contacts for unknown guests against the local org: each case syncs a meeting and asserts on what
 * the org holds afterwards (the Contact, its Account, the Event's WhoId and relations), connected as
 * a Standard User with the package's permission sets, or as a Minimum Access user whose permission
 * sets do or do not grant create on Contact.
 */
import type { Meeting } from '../../src/meetings/schema.ts';
import { passwordConnection, type Connection } from '../../src/salesforce/connection.ts';
import { checkOrg, missingForSettings } from '../../src/salesforce/org-check.ts';
import {
  associationSettingsSchema,
  type AssociationSettingsInput,
} from '../../src/settings/association-settings.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import type { SyncOutcome, WrittenRecords } from '../../src/domain/meeting-outcome.ts';
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

const ON: AssociationSettingsInput = { contactCreation: { enabled: true } };

function meeting(guests: { email: string; name?: string }[], overrides: Partial<Meeting> = {}): Meeting {
  n += 1;
  return baseMeeting({
    id: `mtg_guest_${n}`,
    recordingUrl: `https://app.salescaling.com/recordings/guest-${n}`,
    participants: [
      { email: 'seller@vendor.example', internal: true },
      ...guests.map((g) => ({ ...g, internal: false })),
    ],
    ...overrides,
  });
}

async function sync(
  m: Meeting,
  input: AssociationSettingsInput = ON,
  conn: Connection = t.conn,
  previous: WrittenRecords | null = null,
): Promise<{ out: SyncOutcome; calls: number }> {
  const { result, calls } = await t.callsDuring(() =>
    syncMeeting(
      conn,
      t.profile,
      { kind: 'upsert', meeting: m },
      previous,
      associationSettingsSchema.parse(input),
    ),
  );
  return { out: result, calls };
}

interface ContactRow {
  Id: string;
  FirstName: string | null;
  LastName: string;
  Email: string;
  AccountId: string | null;
}
async function contactsWith(email: string): Promise<ContactRow[]> {
  const r = await t.conn.query<ContactRow>(
    `SELECT Id, FirstName, LastName, Email, AccountId FROM Contact WHERE Email = '${email}'`,
  );
  return r.records;
}

async function eventOf(
  meetingId: string,
): Promise<{ Id: string; WhoId: string | null; WhatId: string | null }> {
  const r = await t.conn.query<{ Id: string; WhoId: string | null; WhatId: string | null }>(
    `SELECT Id, WhoId, WhatId FROM Event WHERE Salescaling_Meeting_Id__c = '${meetingId}'`,
  );
  expect(r.records).toHaveLength(1);
  return r.records[0]!;
}

async function relatedContacts(eventId: string): Promise<string[]> {
  const r = await t.conn.query<{ RelationId: string }>(
    `SELECT RelationId FROM EventRelation WHERE EventId = '${eventId}' AND IsWhat = false`,
  );
  return r.records.map((x) => x.RelationId).sort();
}

function account(name: string, website: string | null): string {
  const [id] = t.org.seed('Account', [{ Name: name, Website: website }]);
  return id!;
}

/** A Minimum Access user holding only these permission sets, logged in over OAuth. */
async function minimumAccessConnection(permissionSets: string[]): Promise<Connection> {
  const user = await t.org.createUser({ profile: 'Minimum Access - Salesforce', permissionSets });
  return passwordConnection({
    loginUrl: t.org.url,
    clientId: t.org.clientId,
    clientSecret: t.org.clientSecret,
    redirectUri: 'http://localhost:1717/OauthRedirect',
    username: user.username,
    password: user.password,
    apiVersion: '66.0',
  });
}

describe('contacts for unknown guests', () => {
  it('when on and two guests’ domain names one Account, then both become Contacts under it, related to the Event, in the same 3 calls as without them', async () => {
    const acc = account('Umbrella', 'https://www.umbrella-corp.example/');
    const m = meeting([
      { email: 'Nina.Patel@umbrella-corp.example', name: 'Nina Patel' },
      { email: 'li.wei@umbrella-corp.example' },
    ]);
    const { out, calls } = await sync(m);

    const [nina] = await contactsWith('nina.patel@umbrella-corp.example');
    const [li] = await contactsWith('li.wei@umbrella-corp.example');
    expect(nina).toMatchObject({ FirstName: 'Nina', LastName: 'Patel', AccountId: acc });
    expect(li).toMatchObject({ FirstName: 'Li', LastName: 'Wei', AccountId: acc });
    const event = await eventOf(m.id);
    expect(event).toMatchObject({ WhoId: nina!.Id, WhatId: acc });
    expect(await relatedContacts(event.Id)).toEqual([nina!.Id, li!.Id].sort());
    expect(out.linked).toEqual(
      expect.arrayContaining([
        { recordId: acc, type: 'Account', why: 'website_domain' },
        { recordId: nina!.Id, type: 'Contact', why: 'created_for_guest' },
        { recordId: li!.Id, type: 'Contact', why: 'created_for_guest' },
      ]),
    );
    // Nobody is reported as not found any more: they exist now.
    expect(out.dropped.filter((d) => d.reason === 'not_found')).toEqual([]);
    // look-up, Accounts by domain, one graph (the Contacts ride in it)
    expect(calls).toBe(3);
  });

  it('when the meeting is synced again, then the created Contact is matched by email and not created twice', async () => {
    account('Stark', 'stark.example');
    const m = meeting([{ email: 'pepper@stark.example', name: 'Potts, Pepper' }]);
    const first = await sync(m);
    const [pepper] = await contactsWith('pepper@stark.example');
    expect(pepper).toMatchObject({ FirstName: 'Pepper', LastName: 'Potts' });

    const second = await sync({ ...m, version: 2, title: 'Stark follow-up' }, ON, t.conn, first.out.written);
    expect(await contactsWith('pepper@stark.example')).toHaveLength(1);
    expect(second.out.linked).toContainEqual({ recordId: pepper!.Id, type: 'Contact', why: 'email_match' });
    expect((await eventOf(m.id)).WhoId).toBe(pepper!.Id);
  });

  it('when off (the default), then no Contact is created and the Account alone is linked', async () => {
    const acc = account('Wayne', 'wayne.example');
    const m = meeting([{ email: 'lucius@wayne.example', name: 'Lucius Fox' }]);
    const { out } = await sync(m, {});
    expect(await contactsWith('lucius@wayne.example')).toEqual([]);
    expect(await eventOf(m.id)).toMatchObject({ WhoId: null, WhatId: acc });
    expect(out.dropped).toContainEqual({ email: 'lucius@wayne.example', reason: 'not_found' });
  });

  it('when the domain is free-mail, shared by two Accounts, internal or never linked, then no Contact is created', async () => {
    account('Gmail lovers', 'gmail.com');
    account('Twin A', 'twins.example');
    account('Twin B', 'https://twins.example/b');
    account('Subsidiary', 'sub.example');
    account('Private', 'private.example');
    const guests = [
      { email: 'free@gmail.com', name: 'Free Mail' },
      { email: 'one@twins.example', name: 'Twin One' },
      { email: 'us@sub.example', name: 'Our Sub' },
      { email: 'secret@private.example', name: 'Se Cret' },
    ];
    for (const g of guests) {
      const m = meeting([g]);
      const { out } = await sync(m, {
        ...ON,
        exclusions: { internalDomains: ['sub.example'], neverLinkDomains: ['private.example'] },
      });
      expect(out.state).toBe('skipped');
      expect(await contactsWith(g.email)).toEqual([]);
    }
  });

  it('when a known contact matched, then an unknown colleague whose domain names one Account becomes a Contact beside them, in 3 calls', async () => {
    const acc = account('Known Co', 'known.example');
    const known = t.seedContact('Known', 'known@known.example', acc);
    const m = meeting([
      { email: 'known@known.example' },
      { email: 'new.face@known.example', name: 'New Face' },
    ]);
    const { out, calls } = await sync(m);
    const [face] = await contactsWith('new.face@known.example');
    expect(face).toMatchObject({ FirstName: 'New', LastName: 'Face', AccountId: acc });
    const event = await eventOf(m.id);
    expect(event.WhoId).toBe(known);
    expect(await relatedContacts(event.Id)).toEqual([known, face!.Id].sort());
    expect(out.linked).toContainEqual({ recordId: face!.Id, type: 'Contact', why: 'created_for_guest' });
    // look-up, Accounts by the guest's domain (only because creation is on), one graph
    expect(calls).toBe(3);
  });

  it('when a known contact matched and the other guest’s domain names two Accounts, then no Contact is created and both are reported', async () => {
    const acc = account('Solo Co', 'solo.example');
    const solo = t.seedContact('Solo', 'solo@solo.example', acc);
    const a = account('Dup One', 'dup.example');
    const b = account('Dup Two', 'www.dup.example');
    const m = meeting([{ email: 'solo@solo.example' }, { email: 'who@dup.example', name: 'Who Knows' }]);
    const { out } = await sync(m);
    expect(await contactsWith('who@dup.example')).toEqual([]);
    expect((await eventOf(m.id)).WhoId).toBe(solo);
    expect(out.dropped).toEqual(
      expect.arrayContaining([
        { recordId: a, email: 'who@dup.example', reason: 'ambiguous_domain' },
        { recordId: b, email: 'who@dup.example', reason: 'ambiguous_domain' },
      ]),
    );
  });

  it('when a known contact matched and the setting is off, then the look-up stays one call and nobody is created', async () => {
    const acc = account('Quiet Co', 'quiet.example');
    t.seedContact('Quiet', 'quiet@quiet.example', acc);
    const m = meeting([{ email: 'quiet@quiet.example' }, { email: 'other@quiet.example' }]);
    const { calls } = await sync(m, { opportunityRule: { enabled: false } });
    expect(await contactsWith('other@quiet.example')).toEqual([]);
    expect(calls).toBe(2);
  });
});

describe('when the connected user may not create Contacts', () => {
  it('then the status requires create on Contact while the setting is on, and the meeting still syncs without the Contact, saying why', async () => {
    const denied = await minimumAccessConnection(['Salescaling_Integration_User']);
    const check = (await checkOrg(denied)).check;
    expect(check.settingPermissionsMissing).toEqual(['Contact.create']);
    expect(missingForSettings(check, associationSettingsSchema.parse(ON))).toContain('Contact.create');
    expect(missingForSettings(check, associationSettingsSchema.parse({}))).not.toContain('Contact.create');

    const acc = account('Refusing Co', 'refusing.example');
    const m = meeting([{ email: 'guest@refusing.example', name: 'Gus Guest' }]);
    const { out, calls } = await sync(m, ON, denied);

    expect(out.state).toBe('synced');
    expect(await contactsWith('guest@refusing.example')).toEqual([]);
    expect(await eventOf(m.id)).toMatchObject({ WhoId: null, WhatId: acc });
    expect(out.linked.some((l) => l.type === 'Contact')).toBe(false);
    const refused = out.dropped.find((d) => d.reason === 'contact_not_created');
    expect(refused).toMatchObject({ email: 'guest@refusing.example' });
    // Salesforce's own words, without the fix text meant for a refused meeting record
    expect(refused?.detail).toMatch(/^INSUFFICIENT_ACCESS_OR_READONLY: /);
    expect(refused?.detail).not.toMatch(/Fix:/);
    // the refused graph, then the meeting alone
    expect(calls).toBe(4);
  });

  it('then the Salescaling_Contact_Creation permission set grants it', async () => {
    const granted = await minimumAccessConnection([
      'Salescaling_Integration_User',
      'Salescaling_Contact_Creation',
    ]);
    expect((await checkOrg(granted)).check.settingPermissionsMissing).toEqual([]);

    const acc = account('Granting Co', 'granting.example');
    const m = meeting([{ email: 'gia@granting.example', name: 'Gia Granted' }]);
    const { out } = await sync(m, ON, granted);
    const [gia] = await contactsWith('gia@granting.example');
    expect(gia).toMatchObject({ FirstName: 'Gia', LastName: 'Granted', AccountId: acc });
    expect((await eventOf(m.id)).WhoId).toBe(gia!.Id);
    expect(out.linked).toContainEqual({ recordId: gia!.Id, type: 'Contact', why: 'created_for_guest' });
  });
});
