/**
 * A user who is not an administrator reads through the org's indexes too (Name, Email, lookups), and
 * the index answers only what sharing lets them read: the same rows as the scan, never more. Checked
 * with one account the user may not see and one they own, each with a contact.
 */
import { passwordGrantToken, startLocalOrg, type LocalOrg } from '../../src/index.ts';
import { client, passwordToken, V, type Call } from '../support/http.ts';

let org: LocalOrg;
let admin: Call;
let user: Call;
let hiddenId: string;
let ownId: string;
let ownContactId: string;

beforeAll(async () => {
  org = await startLocalOrg({ knobs: { sharing: { Account: 'Private', Contact: 'Private' } } });
  admin = client(org, await passwordToken(org));
  const created = await org.createUser();
  user = client(org, await passwordGrantToken(org, created));
  hiddenId = (await admin('POST', `${V}/sobjects/Account`, { Name: 'Quillon Hidden' })).body.id;
  ownId = (await user('POST', `${V}/sobjects/Account`, { Name: 'Quillon Own' })).body.id;
  const hiddenContact = await admin('POST', `${V}/sobjects/Contact`, {
    LastName: 'Hidden',
    Email: 'quillon@hidden.example',
    AccountId: hiddenId,
  });
  expect(hiddenContact.status).toBe(201);
  const ownContact = await user('POST', `${V}/sobjects/Contact`, {
    LastName: 'Own',
    Email: 'quillon@own.example',
    AccountId: ownId,
  });
  expect(ownContact.status).toBe(201);
  ownContactId = ownContact.body.id;
});
afterAll(async () => {
  await org.stop();
});

const ids = async (call: Call, soql: string): Promise<string[]> => {
  const res = await call('GET', `${V}/query?q=${encodeURIComponent(soql)}`);
  expect(res.status).toBe(200);
  return res.body.records.map((r: { Id: string }) => r.Id).sort();
};

describe('indexed look-ups for a user who is not an administrator', () => {
  it('when the user queries an indexed field, then only the rows they may read come back', async () => {
    const byName = "SELECT Id FROM Account WHERE Name IN ('Quillon Hidden', 'Quillon Own')";
    expect(await ids(user, byName)).toEqual([ownId]);
    expect(await ids(admin, byName)).toEqual([hiddenId, ownId].sort());
    const byEmail = "SELECT Id FROM Contact WHERE Email IN ('quillon@hidden.example', 'QUILLON@own.example')";
    expect(await ids(user, byEmail)).toEqual([ownContactId]);
    expect(await ids(admin, byEmail)).toHaveLength(2);
  });

  it('when a semi-join or a child subquery reads an index, then it holds to sharing too', async () => {
    const semi =
      "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email LIKE 'quillon@%' AND Email IN ('quillon@hidden.example', 'quillon@own.example'))";
    expect(await ids(user, semi)).toEqual([ownId]);
    expect(await ids(admin, semi)).toEqual([hiddenId, ownId].sort());
    // The admin's contact under the user's own account stays out of the user's child rows.
    const planted = await admin('POST', `${V}/sobjects/Contact`, { LastName: 'Planted', AccountId: ownId });
    expect(planted.status).toBe(201);
    const res = await user(
      'GET',
      `${V}/query?q=${encodeURIComponent(`SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Id = '${ownId}'`)}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.records[0].Contacts.records.map((r: { Id: string }) => r.Id)).toEqual([ownContactId]);
    const asAdmin = await admin(
      'GET',
      `${V}/query?q=${encodeURIComponent(`SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Id = '${ownId}'`)}`,
    );
    expect(asAdmin.body.records[0].Contacts.records.map((r: { Id: string }) => r.Id).sort()).toEqual(
      [ownContactId, planted.body.id].sort(),
    );
  });
});
