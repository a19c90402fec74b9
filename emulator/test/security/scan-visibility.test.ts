/**
 * A scan checks sharing only on the rows its WHERE keeps, after the WHERE: the answer must be the rows
 * the administrator's same query returns that the user may read — each read checked by the user's own
 * GET of the record, a path that does not go through the query engine. Events are Controlled by Parent
 * (read through their Who and What, https://help.salesforce.com/s/articleView?id=sf.security_sharing_owd_about.htm),
 * contacts follow their account, accounts are private. (A path through a parent the user cannot read
 * is null for them, so a WHERE on such a path is left out of the comparison with the administrator.)
 */
import { passwordGrantToken, startLocalOrg, type LocalOrg } from '../../src/index.ts';
import { client, passwordToken, V, type Call } from '../support/http.ts';

let org: LocalOrg;
let admin: Call;
let user: Call;
/** Every record the test made, and whether the user's own GET of it answers 200. */
const readable = new Map<string, boolean>();

beforeAll(async () => {
  org = await startLocalOrg({ knobs: { sharing: { Account: 'Private' } } });
  admin = client(org, await passwordToken(org));
  const created = await org.createUser();
  user = client(org, await passwordGrantToken(org, created));
  const make = async (as: Call, type: string, body: Record<string, unknown>): Promise<string> => {
    const r = await as('POST', `${V}/sobjects/${type}`, body);
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const hiddenAccount = await make(admin, 'Account', { Name: 'Diff Hidden' });
  const ownAccount = await make(user, 'Account', { Name: 'Diff Own' });
  const hiddenContact = await make(admin, 'Contact', { LastName: 'Diff Hidden', AccountId: hiddenAccount });
  const ownContact = await make(user, 'Contact', { LastName: 'Diff Own', AccountId: ownAccount });
  // The administrator's contact under the user's account: readable through the account.
  await make(admin, 'Contact', { LastName: 'Diff Planted', AccountId: ownAccount });
  const event = (as: Call, subject: string, related: Record<string, string>) =>
    make(as, 'Event', {
      Subject: subject,
      Location: 'Diff room',
      StartDateTime: '2026-11-20T16:00:00.000+0000',
      DurationInMinutes: 30,
      ...related,
    });
  await event(admin, 'A hidden who', { WhoId: hiddenContact });
  await event(admin, 'B own who', { WhoId: ownContact });
  await event(admin, 'C own what', { WhatId: ownAccount });
  await event(admin, 'D nothing related', {});
  await event(admin, 'E hidden who, own what', { WhoId: hiddenContact, WhatId: ownAccount });
  await event(admin, 'F own who, hidden what', { WhoId: ownContact, WhatId: hiddenAccount });
  await event(user, 'G the user’s own', {});
  // Related through EventRelation rows only: a contact the user reads, then one they do not and the
  // user as an invitee (an invitee is not a parent).
  const relation = async (subject: string, relationIds: string[]) => {
    const id = await event(admin, subject, {});
    for (const relationId of relationIds)
      await make(admin, 'EventRelation', { EventId: id, RelationId: relationId });
  };
  await relation('H own contact as relation', [ownContact]);
  await relation('I hidden contact and the user as relations', [hiddenContact, created.id]);
  for (const [type, where] of [
    ['Account', "Name LIKE 'Diff%'"],
    ['Contact', "LastName LIKE 'Diff%'"],
    ['Event', "Location = 'Diff room'"],
  ]) {
    for (const id of await ids(admin, `SELECT Id FROM ${type} WHERE ${where}`)) {
      readable.set(id, (await user('GET', `${V}/sobjects/${type}/${id}`)).status === 200);
    }
  }
});
afterAll(async () => {
  await org.stop();
});

async function query(
  call: Call,
  soql: string,
): Promise<{ totalSize: number; records: Record<string, unknown>[] }> {
  const res = await call('GET', `${V}/query?q=${encodeURIComponent(soql)}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function ids(call: Call, soql: string): Promise<string[]> {
  return (await query(call, soql)).records.map((r) => r.Id as string);
}

const canRead = (id: string): boolean => {
  const known = readable.get(id);
  if (known === undefined) throw new Error(`${id} was not made by this test`);
  return known;
};

describe('a scan checks sharing after its WHERE', () => {
  it('when the records are made, then the user reads some of each object and not others', () => {
    // Both answers occur for every object, so the comparisons below can tell a leak from a loss.
    expect(readable.size).toBe(2 + 3 + 9);
    expect([...readable.values()].filter(Boolean).length).toBeGreaterThanOrEqual(5);
    expect([...readable.values()].filter((r) => !r).length).toBeGreaterThanOrEqual(4);
  });

  it('when the user scans the Events, then they read those with a parent they read, and their own', async () => {
    const subjects = (
      await query(user, "SELECT Subject FROM Event WHERE Location = 'Diff room' ORDER BY Subject")
    ).records;
    expect(subjects.map((r) => r.Subject)).toEqual([
      'B own who',
      'C own what',
      'E hidden who, own what',
      'F own who, hidden what',
      'G the user’s own',
      'H own contact as relation',
    ]);
  });

  it.each([
    "SELECT Id FROM Event WHERE Location = 'Diff room'",
    "SELECT Id FROM Event WHERE Location = 'Diff room' AND Subject != 'C own what' ORDER BY Subject DESC",
    "SELECT Id FROM Contact WHERE LastName LIKE 'Diff%' AND Account.Name != null ORDER BY LastName",
    "SELECT Id FROM Account WHERE Name LIKE 'Diff%' ORDER BY Name",
  ])('when the user runs %s, then they get the administrator’s rows they may read', async (soql) => {
    const expected = (await ids(admin, soql)).filter(canRead);
    expect(await ids(user, soql)).toEqual(expected);
  });

  it('when a LIMIT or COUNT() applies, then it counts only rows the user may read', async () => {
    const all = (
      await ids(admin, "SELECT Id FROM Event WHERE Location = 'Diff room' ORDER BY Subject")
    ).filter(canRead);
    expect(
      await ids(user, "SELECT Id FROM Event WHERE Location = 'Diff room' ORDER BY Subject LIMIT 2"),
    ).toEqual(all.slice(0, 2));
    const count = await query(user, "SELECT COUNT() FROM Event WHERE Location = 'Diff room'");
    expect(count.totalSize).toBe(all.length);
    const grouped = await query(user, "SELECT COUNT(Id) n FROM Event WHERE Location = 'Diff room'");
    expect(grouped.records[0]?.n).toBe(all.length);
  });

  it('when a semi-join or a child subquery scans, then its rows are the ones the user may read', async () => {
    const contacts = await query(admin, "SELECT Id, AccountId FROM Contact WHERE LastName LIKE 'Diff%'");
    const accountsOfReadable = new Set(
      contacts.records.filter((c) => canRead(c.Id as string)).map((c) => c.AccountId as string),
    );
    const semi =
      "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE LastName LIKE 'Diff%') ORDER BY Name";
    const expected = (await ids(admin, semi)).filter((id) => canRead(id) && accountsOfReadable.has(id));
    expect(await ids(user, semi)).toEqual(expected);
    const withChildren = await query(
      user,
      "SELECT Id, (SELECT Id FROM Contacts WHERE LastName LIKE 'Diff%' ORDER BY LastName) FROM Account WHERE Name LIKE 'Diff%'",
    );
    for (const account of withChildren.records) {
      const asAdmin = await query(
        admin,
        `SELECT Id, (SELECT Id FROM Contacts WHERE LastName LIKE 'Diff%' ORDER BY LastName) FROM Account WHERE Id = '${account.Id as string}'`,
      );
      const children = (r: Record<string, unknown>) =>
        ((r.Contacts as { records: { Id: string }[] } | null)?.records ?? []).map((c) => c.Id);
      expect(children(account)).toEqual(children(asAdmin.records[0]!).filter(canRead));
    }
  });
});
