/**
 * Sharing and field-level security live inside the query engine, keyed by the request's user, so
 * every way of reading holds to them: REST query, composite subrequests, SOSL search, relationship
 * fields. Checked with one account the user may not see and one they own.
 */
import { passwordGrantToken, startLocalOrg, type LocalOrg } from '../../src/index.ts';
import { client, passwordToken, V, type Call } from '../support/http.ts';

let org: LocalOrg;
let admin: Call;
let user: Call;
let hiddenId: string;
let ownId: string;
let userId: string;

beforeAll(async () => {
  org = await startLocalOrg({ knobs: { sharing: { Account: 'Private' } } });
  admin = client(org, await passwordToken(org));
  const created = await org.createUser();
  userId = created.id;
  user = client(org, await passwordGrantToken(org, created));
  hiddenId = (await admin('POST', `${V}/sobjects/Account`, { Name: 'Zephyrine Hidden' })).body.id;
  ownId = (await user('POST', `${V}/sobjects/Account`, { Name: 'Zephyrine Own' })).body.id;
});
afterAll(async () => {
  await org.stop();
});

const q = (soql: string) => `${V}/query?q=${encodeURIComponent(soql)}`;

describe('the running user inside the query engine', () => {
  it('when a composite subrequest queries, then it sees only what the user may read', async () => {
    const res = await user('POST', `${V}/composite`, {
      compositeRequest: [
        { method: 'GET', url: q("SELECT Id FROM Account WHERE Name LIKE 'Zephyrine%'"), referenceId: 'accs' },
      ],
    });
    expect(res.status).toBe(200);
    const ids = res.body.compositeResponse[0].body.records.map((r: { Id: string }) => r.Id);
    expect(ids).toEqual([ownId]);
  });

  it('when the user searches with SOSL, then records they cannot read are not found', async () => {
    const res = await user(
      'GET',
      `${V}/search?q=${encodeURIComponent('FIND {Zephyrine} RETURNING Account(Id)')}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.searchRecords.map((r: { Id: string }) => r.Id)).toEqual([ownId]);
    const adminRes = await admin(
      'GET',
      `${V}/search?q=${encodeURIComponent('FIND {Zephyrine} RETURNING Account(Id)')}`,
    );
    expect(adminRes.body.searchRecords.map((r: { Id: string }) => r.Id).sort()).toEqual(
      [hiddenId, ownId].sort(),
    );
  });

  it('when a record points at one the user cannot read, then the relationship reads as null', async () => {
    const contact = await admin('POST', `${V}/sobjects/Contact`, {
      LastName: 'Pointer',
      AccountId: hiddenId,
      OwnerId: userId,
    });
    expect(contact.status).toBe(201);
    // The user owns the contact, so they read it; its account stays hidden behind the lookup.
    const res = await user('GET', q(`SELECT Id, Account.Name FROM Contact WHERE Id = '${contact.body.id}'`));
    expect(res.body.totalSize).toBe(1);
    expect(res.body.records[0].Account).toBeNull();
    const asAdmin = await admin('GET', q(`SELECT Account.Name FROM Contact WHERE Id = '${contact.body.id}'`));
    expect(asAdmin.body.records[0].Account.Name).toBe('Zephyrine Hidden');
    const event = await user('POST', `${V}/sobjects/Event`, {
      Subject: 'Own meeting',
      DurationInMinutes: 30,
      ActivityDateTime: '2026-11-20T16:00:00.000+0000',
      WhatId: hiddenId,
    });
    // A lookup to a record the user cannot see is refused, and nothing is stored.
    expect(event.status).toBe(400);
    expect(event.body[0].errorCode).toBe('INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY');
    const stored = await admin('GET', q("SELECT Id FROM Event WHERE Subject = 'Own meeting'"));
    expect(stored.body.totalSize).toBe(0);
  });

  it('when UserRecordAccess is queried without a user and a record, then the query is refused', async () => {
    const res = await user('GET', q('SELECT RecordId, HasReadAccess FROM UserRecordAccess'));
    expect(res.status).toBe(400);
    expect(res.body[0].errorCode).toBe('MALFORMED_QUERY');
    const ok = await user(
      'GET',
      q(
        `SELECT RecordId, HasReadAccess FROM UserRecordAccess WHERE UserId = '${userId}' AND RecordId IN ('${hiddenId}', '${ownId}')`,
      ),
    );
    expect(ok.status).toBe(200);
    const byId = Object.fromEntries(
      ok.body.records.map((r: { RecordId: string; HasReadAccess: boolean }) => [r.RecordId, r.HasReadAccess]),
    );
    expect(byId).toEqual({ [hiddenId]: false, [ownId]: true });
  });
});
