/**
 * Contacts for unknown guests and late relinks in a batch (issue 9 on issue 11's batched sync),
 * against the local org: the guest's Contact rides in its own meeting's graph, a Contact node the org
 * refuses costs only that meeting a second graph (the other meetings of the call are written once),
 * and a relinked meeting is written again with a Contact created since. Checked by what the org holds.
 */
import type { Meeting } from '../../src/meetings/schema.ts';
import { passwordConnection, type Connection } from '../../src/salesforce/connection.ts';
import {
  associationSettingsSchema,
  type AssociationSettings,
} from '../../src/settings/association-settings.ts';
import { syncBatch, type BatchItem, type BatchOutcome } from '../../src/sync/sync-batch.ts';
import type { SyncOutcome } from '../../src/domain/meeting-outcome.ts';
import { meeting as baseMeeting } from '../associations/fixtures.ts';
import { startTestOrg, type TestOrg } from '../support/test-org.ts';

jest.setTimeout(60_000);

let t: TestOrg;
beforeAll(async () => {
  t = await startTestOrg();
});
afterAll(() => t.stop());

const ON: AssociationSettings = associationSettingsSchema.parse({ contactCreation: { enabled: true } });
const OFF: AssociationSettings = associationSettingsSchema.parse({});

let n = 0;
function meeting(guests: { email: string; name?: string }[]): Meeting {
  n += 1;
  return baseMeeting({
    id: `mtg_batch_guest_${n}`,
    recordingUrl: `https://app.salescaling.com/recordings/batch-guest-${n}`,
    participants: [
      { email: 'seller@vendor.example', internal: true },
      ...guests.map((g) => ({ ...g, internal: false })),
    ],
  });
}

function account(name: string, website: string): string {
  const [id] = t.org.seed('Account', [{ Name: name, Website: website }]);
  return id!;
}

const upserts = (meetings: readonly Meeting[], relink = false): BatchItem[] =>
  meetings.map((m) => ({
    input: { kind: 'upsert', meeting: m, ...(relink ? { relink } : {}) },
    previous: null,
  }));

function outcomeOf(result: BatchOutcome, id: string): SyncOutcome {
  const r = result.results.get(id);
  if (!r?.ok) throw new Error(`${id}: ${String(r?.error)}`);
  return r.outcome;
}

async function contactsWith(email: string): Promise<{ Id: string; AccountId: string | null }[]> {
  return (
    await t.conn.query<{ Id: string; AccountId: string | null }>(
      `SELECT Id, AccountId FROM Contact WHERE Email = '${email}'`,
    )
  ).records;
}

async function eventsOf(meetingId: string): Promise<{ Id: string; WhoId: string | null }[]> {
  return (
    await t.conn.query<{ Id: string; WhoId: string | null }>(
      `SELECT Id, WhoId FROM Event WHERE Salescaling_Meeting_Id__c = '${meetingId}'`,
    )
  ).records;
}

async function relatedContacts(eventId: string): Promise<string[]> {
  const r = await t.conn.query<{ RelationId: string }>(
    `SELECT RelationId FROM EventRelation WHERE EventId = '${eventId}' AND IsWhat = false`,
  );
  return r.records.map((x) => x.RelationId).sort();
}

/** Three meetings of one workspace: two with known contacts, one with an unknown guest of `domain`. */
function threeMeetings(tag: string, domain: string) {
  const acc = account(`${tag} Co`, `https://www.${domain}/`);
  // Under an Account: visible to any user who can read it (Contact sharing is Controlled by Parent).
  const known = [1, 2].map((i) => t.seedContact(`${tag} Known ${i}`, `known${i}@${tag}.example`, acc));
  const guestEmail = `new.guest@${domain}`;
  const meetings = [
    meeting([{ email: `known1@${tag}.example` }]),
    meeting([{ email: guestEmail, name: 'New Guest' }]),
    meeting([{ email: `known2@${tag}.example` }]),
  ];
  return { acc, known, guestEmail, meetings };
}

describe('syncBatch with contacts for unknown guests', () => {
  it('when one meeting of a batch has an unknown guest whose domain names one Account, then the org holds one Contact under it and one Event per meeting', async () => {
    const { acc, known, guestEmail, meetings } = threeMeetings('batchon', 'batch-guest.example');
    const { result, calls } = await t.callsDuring(() => syncBatch(t.conn, t.profile, upserts(meetings), ON));

    const contacts = await contactsWith(guestEmail);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]!.AccountId).toBe(acc);
    const guestId = contacts[0]!.Id;
    for (const m of meetings) expect([m.id, (await eventsOf(m.id)).length]).toEqual([m.id, 1]);
    const [guestEvent] = await eventsOf(meetings[1]!.id);
    expect(guestEvent!.WhoId).toBe(guestId);
    expect(await relatedContacts(guestEvent!.Id)).toEqual([guestId]);
    expect(outcomeOf(result, meetings[1]!.id).linked).toContainEqual({
      recordId: guestId,
      type: 'Contact',
      why: 'created_for_guest',
    });
    // The other meetings are linked to their own contacts only.
    expect((await eventsOf(meetings[0]!.id))[0]!.WhoId).toBe(known[0]);
    expect((await eventsOf(meetings[2]!.id))[0]!.WhoId).toBe(known[1]);
    // The shared look-ups (2 composites: with the calendar windows the batch asks 6 queries, and a
    // composite carries at most 5), the rules' look-up (Accounts by domain), the three graphs in one call.
    expect(result.apiCalls).toBe(calls);
    expect(calls).toBe(4);

    // Synced again as a batch: the Contact is matched by email, not created a second time.
    const again = await syncBatch(
      t.conn,
      t.profile,
      meetings.map((m) => ({
        input: { kind: 'upsert' as const, meeting: { ...m, version: m.version + 1 } },
        previous: outcomeOf(result, m.id).written,
      })),
      ON,
    );
    expect(await contactsWith(guestEmail)).toHaveLength(1);
    for (const m of meetings) expect([m.id, (await eventsOf(m.id)).length]).toEqual([m.id, 1]);
    expect(outcomeOf(again, meetings[1]!.id).linked).toContainEqual({
      recordId: guestId,
      type: 'Contact',
      why: 'email_match',
    });
  });

  it('when the org refuses the Contact node, then only that meeting is sent again without it, and every meeting is written once', async () => {
    const user = await t.org.createUser({
      profile: 'Minimum Access - Salesforce',
      permissionSets: ['Salescaling_Integration_User'],
    });
    const denied: Connection = await passwordConnection({
      loginUrl: t.org.url,
      clientId: t.org.clientId,
      clientSecret: t.org.clientSecret,
      redirectUri: 'http://localhost:1717/OauthRedirect',
      username: user.username,
      password: user.password,
      apiVersion: '66.0',
    });
    const { acc, guestEmail, meetings } = threeMeetings('batchdeny', 'batch-denied.example');
    const { result, calls } = await t.callsDuring(() =>
      syncBatch(denied, { ...t.profile, connectedUserId: user.id }, upserts(meetings), ON),
    );

    expect(await contactsWith(guestEmail)).toEqual([]);
    for (const m of meetings) {
      expect(outcomeOf(result, m.id).state).toBe('synced');
      expect([m.id, (await eventsOf(m.id)).length]).toEqual([m.id, 1]);
    }
    const guestOutcome = outcomeOf(result, meetings[1]!.id);
    expect(guestOutcome.dropped).toContainEqual(
      expect.objectContaining({ email: guestEmail, reason: 'contact_not_created' }),
    );
    expect(guestOutcome.dropped.find((d) => d.reason === 'contact_not_created')?.detail).toMatch(
      /^INSUFFICIENT_ACCESS_OR_READONLY: /,
    );
    expect((await eventsOf(meetings[1]!.id))[0]!.WhoId).toBeNull();
    const guestEvent = (
      await t.conn.query<{ WhatId: string | null }>(
        `SELECT WhatId FROM Event WHERE Salescaling_Meeting_Id__c = '${meetings[1]!.id}'`,
      )
    ).records[0];
    expect(guestEvent?.WhatId).toBe(acc);
    for (const m of [meetings[0]!, meetings[2]!])
      expect(outcomeOf(result, m.id).dropped.some((d) => d.reason === 'contact_not_created')).toBe(false);
    // One graph call more than the accepted batch: the refused meeting's graph alone.
    expect(result.apiCalls).toBe(calls);
    expect(calls).toBe(5);
  });

  it('when a batch relinks a meeting already written, then a Contact created since is related to its Event', async () => {
    const acc = account('Relink Co', 'https://relink-batch.example');
    const known = t.seedContact('Relink Known', 'known@relink-batch.example', acc);
    const m = meeting([{ email: 'known@relink-batch.example' }, { email: 'later@relink-batch.example' }]);
    const first = await syncBatch(t.conn, t.profile, upserts([m]), OFF);
    const [event] = await eventsOf(m.id);
    expect(await relatedContacts(event!.Id)).toEqual([known]);

    const later = t.seedContact('Relink Later', 'later@relink-batch.example', acc);
    const previous = outcomeOf(first, m.id).written;
    // The same version without relink changes nothing; with relink it is written again.
    await syncBatch(t.conn, t.profile, [{ input: { kind: 'upsert', meeting: m }, previous }], OFF);
    expect(await relatedContacts(event!.Id)).toEqual([known]);
    const relinked = await syncBatch(
      t.conn,
      t.profile,
      [{ input: { kind: 'upsert', meeting: m, relink: true }, previous }],
      OFF,
    );
    expect(await eventsOf(m.id)).toHaveLength(1);
    expect(await relatedContacts(event!.Id)).toEqual([known, later].sort());
    expect(outcomeOf(relinked, m.id).linked).toContainEqual({
      recordId: later,
      type: 'Contact',
      why: 'email_match',
    });
  });
});
