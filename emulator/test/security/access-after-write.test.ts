/**
 * Record access is memoised while a request reads, never across a write: a composite that takes an
 * Event away from the user's parents answers the next subrequest as the org now holds it. On the
 * platform an activity Controlled by Parent is read through its Who and What
 * (https://help.salesforce.com/s/articleView?id=sf.security_sharing_owd_about.htm).
 */
import { passwordGrantToken, startLocalOrg, type LocalOrg } from '../../src/index.ts';
import { client, passwordToken, V, type Call } from '../support/http.ts';

let org: LocalOrg;
let admin: Call;
let user: Call;
let contactId: string;

beforeAll(async () => {
  org = await startLocalOrg({ knobs: { sharing: { Account: 'Private', Contact: 'Private' } } });
  admin = client(org, await passwordToken(org));
  const created = await org.createUser();
  user = client(org, await passwordGrantToken(org, created));
  const contact = await user('POST', `${V}/sobjects/Contact`, {
    LastName: 'Own',
    Email: 'own@after.example',
  });
  expect(contact.status).toBe(201);
  contactId = contact.body.id;
});
afterAll(async () => {
  await org.stop();
});

/** An Event the administrator owns, related to the user's contact only. */
async function adminEvent(subject: string): Promise<string> {
  const res = await admin('POST', `${V}/sobjects/Event`, {
    Subject: subject,
    StartDateTime: '2026-11-20T16:00:00.000+0000',
    EndDateTime: '2026-11-20T17:00:00.000+0000',
    WhoId: contactId,
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

const query = (soql: string) => ({ method: 'GET', url: `${V}/query?q=${encodeURIComponent(soql)}` });

describe('record access after a write in the same request', () => {
  it('when a composite unlinks an Event from the user’s contact, then its next query no longer returns it', async () => {
    const eventId = await adminEvent('Unlinked in the composite');
    const byId = `SELECT Id FROM Event WHERE Id = '${eventId}'`;
    const scan = `SELECT Id FROM Event WHERE Subject = 'Unlinked in the composite'`;
    const res = await user('POST', `${V}/composite`, {
      allOrNone: false,
      compositeRequest: [
        { ...query(byId), referenceId: 'before' },
        { ...query(scan), referenceId: 'scanBefore' },
        {
          method: 'PATCH',
          url: `${V}/sobjects/Event/${eventId}`,
          referenceId: 'unlink',
          body: { WhoId: null },
        },
        { ...query(byId), referenceId: 'after' },
        { ...query(scan), referenceId: 'scanAfter' },
      ],
    });
    expect(res.status).toBe(200);
    const sizes = Object.fromEntries(
      (
        res.body.compositeResponse as {
          referenceId: string;
          httpStatusCode: number;
          body: { totalSize?: number };
        }[]
      ).map((r) => [r.referenceId, r.httpStatusCode === 200 ? r.body.totalSize : r.httpStatusCode]),
    );
    expect(sizes).toEqual({ before: 1, scanBefore: 1, unlink: 204, after: 0, scanAfter: 0 });
    // What the org holds: the Event has no Who, the administrator still reads it, the user does not.
    const held = await admin('GET', `${V}/sobjects/Event/${eventId}`);
    expect(held.body.WhoId).toBeNull();
    expect((await user('GET', `${V}/sobjects/Event/${eventId}`)).status).toBe(404);
  });

  it('when a graph is rolled back, then the next graph of the request gets the access the org holds again', async () => {
    const eventId = await adminEvent('Rolled back in the graph');
    const res = await user('POST', `${V}/composite/graph`, {
      graphs: [
        {
          // Unlinked, then refused a relation for lack of access to the unlinked Event: rolled back.
          graphId: 'unlinkThenFail',
          compositeRequest: [
            {
              method: 'PATCH',
              url: `${V}/sobjects/Event/${eventId}`,
              referenceId: 'unlink',
              body: { WhoId: null },
            },
            {
              method: 'POST',
              url: `${V}/sobjects/EventRelation`,
              referenceId: 'relation',
              body: { EventId: eventId, RelationId: contactId },
            },
          ],
        },
        {
          graphId: 'edit',
          compositeRequest: [
            {
              method: 'PATCH',
              url: `${V}/sobjects/Event/${eventId}`,
              referenceId: 'rename',
              body: { Subject: 'Renamed' },
            },
          ],
        },
      ],
    });
    expect(res.status).toBe(200);
    const outcome = Object.fromEntries(
      (res.body.graphs as { graphId: string; isSuccessful: boolean }[]).map((g) => [
        g.graphId,
        g.isSuccessful,
      ]),
    );
    expect(outcome).toEqual({ unlinkThenFail: false, edit: true });
    // The first graph left nothing; the second wrote its Subject on the Event still related to the contact.
    const held = await admin('GET', `${V}/sobjects/Event/${eventId}`);
    expect(held.body).toMatchObject({ WhoId: contactId, Subject: 'Renamed' });
  });
});
