/**
 * The service's lone Event look-up (a reference OR the owner's untaken Events in a time window),
 * answered from the org's indexes, holds to sharing as the scan does: with activities Private, a user
 * who is not an administrator gets only their own Events, the administrator every one, and the
 * same query on Location (not indexed, so scanned) gives the same rows in the same order.
 */
import { passwordGrantToken, startLocalOrg, type LocalOrg } from '../../src/index.ts';
import { client, passwordToken, V, type Call } from '../support/http.ts';

let org: LocalOrg;
let admin: Call;
let user: Call;
let userId: string;
let adminId: string;
const mine: string[] = [];
const theirs: string[] = [];

const START = '2026-11-20T15:00:00Z';

beforeAll(async () => {
  org = await startLocalOrg({ knobs: { sharing: { Activity: 'Private' } } });
  const adminToken = await passwordToken(org);
  admin = client(org, adminToken);
  const created = await org.createUser({ permissionSets: ['Salescaling_Integration_User'] });
  const token = await passwordGrantToken(org, created);
  user = client(org, token);
  userId = (await user('GET', '/services/oauth2/userinfo')).body.user_id;
  adminId = (await admin('GET', '/services/oauth2/userinfo')).body.user_id;
  // Per owner: the meeting's own Event, an untaken one in the window, one taken by another meeting,
  // one outside the window.
  const rows = (owner: string) => [
    { Subject: `${owner} own`, StartDateTime: START, Ref: 'lone-1' },
    { Subject: `${owner} calendar`, StartDateTime: START, Ref: null },
    { Subject: `${owner} taken`, StartDateTime: START, Ref: `taken-${owner}` },
    { Subject: `${owner} later`, StartDateTime: '2026-11-20T18:00:00Z', Ref: null },
  ];
  for (const [call, owner, out] of [
    [admin, 'admin', theirs],
    [user, 'user', mine],
  ] as const) {
    for (const r of rows(owner)) {
      const saved = await call('POST', `${V}/sobjects/Event`, {
        Subject: r.Subject,
        StartDateTime: r.StartDateTime,
        DurationInMinutes: 30,
        Salescaling_Meeting_Id__c: r.Ref,
        Location: r.Ref,
      });
      if (saved.status !== 201) throw new Error(JSON.stringify(saved.body));
      out.push(saved.body.id);
    }
  }
});
afterAll(async () => {
  await org.stop();
});

const lone = (field: string, owners: readonly string[]) =>
  `SELECT Id, ${field} FROM Event WHERE ${field} = 'lone-1' OR (StartDateTime < 2026-11-20T15:30:00Z AND EndDateTime > ${START} AND IsDeleted = false AND ${field} = null AND (Owner.Email = 'nobody@example.com' OR OwnerId IN (${owners.map((o) => `'${o}'`).join(', ')}))) ORDER BY ${field} ASC NULLS LAST, CreatedDate ASC, Id ASC LIMIT 100`;

const ids = async (call: Call, soql: string): Promise<string[]> => {
  const res = await call('GET', `${V}/query?q=${encodeURIComponent(soql)}`);
  expect(res.status).toBe(200);
  return res.body.records.map((r: { Id: string }) => r.Id);
};

describe('the lone Event look-up from the indexes, under sharing', () => {
  it('when a user who is not an administrator asks, then only their Events come back, as the scan gives them', async () => {
    const owners = [userId, adminId];
    const indexed = await ids(user, lone('Salescaling_Meeting_Id__c', owners));
    expect(indexed).toEqual([mine[0], mine[1]]);
    expect(await ids(user, lone('Location', owners))).toEqual(indexed);
  });

  it('when the administrator asks, then every owner’s Events come back, as the scan gives them', async () => {
    const owners = [userId, adminId];
    const indexed = await ids(admin, lone('Salescaling_Meeting_Id__c', owners));
    expect(indexed).toEqual([theirs[0], mine[0], theirs[1], mine[1]]);
    expect(await ids(admin, lone('Location', owners))).toEqual(indexed);
  });
});
