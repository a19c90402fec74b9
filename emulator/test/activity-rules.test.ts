/**
 * The object rules the product depends on, exercised over HTTP as a client sees them: Event timing,
 * the derived AccountId, Who/What restrictions, EventRelation/TaskRelation flags and limits, Shared
 * Activities on and off, Enhanced Notes and their links, and the recycle bin.
 */
import type { LocalOrg } from '../src/index.ts';
import { passwordToken, startLoggedIn, V, type Call } from './support/http.ts';

let org: LocalOrg;
let call: Call;

beforeAll(async () => {
  ({ org, call } = await startLoggedIn());
});
afterAll(() => org.stop());
afterEach(() => {
  org.setKnobs({ sharedActivities: true, packageInstalled: true });
});

const soql = async (q: string) => (await call('GET', `${V}/query?q=${encodeURIComponent(q)}`)).body;
const create = (type: string, body: Record<string, unknown>) => call('POST', `${V}/sobjects/${type}`, body);
const start = '2026-11-20T16:00:00.000+0000';

function world() {
  const [accountId] = org.seed('Account', [{ Name: 'Acme' }]);
  const contacts = org.seed(
    'Contact',
    Array.from({ length: 3 }, (_, i) => ({
      LastName: `C${i}`,
      AccountId: accountId,
      Email: `c${i}@acme.example`,
    })),
  );
  const [leadId] = org.seed('Lead', [{ LastName: 'Lee', Company: 'Lead Co' }]);
  const [oppId] = org.seed('Opportunity', [
    { Name: 'Deal', StageName: 'Prospecting', CloseDate: '2026-12-31', AccountId: accountId },
  ]);
  return { accountId: accountId!, contacts, leadId: leadId!, oppId: oppId! };
}

describe('Event timing', () => {
  it('when an event has a start and a duration, then its end, activity date and time are derived', async () => {
    const res = await create('Event', {
      Subject: 'Call',
      StartDateTime: '2026-11-20T16:00:00Z',
      DurationInMinutes: 90,
    });
    expect(res.status).toBe(201);
    const e = (await call('GET', `${V}/sobjects/Event/${res.body.id as string}`)).body;
    expect(e).toMatchObject({
      StartDateTime: start,
      ActivityDateTime: start,
      EndDateTime: '2026-11-20T17:30:00.000+0000',
      ActivityDate: '2026-11-20',
      DurationInMinutes: 90,
    });
  });

  it('when an event has a start and an end, then its duration is derived', async () => {
    const res = await create('Event', {
      StartDateTime: '2026-11-20T16:00:00Z',
      EndDateTime: '2026-11-20T16:45:00Z',
    });
    const e = (await call('GET', `${V}/sobjects/Event/${res.body.id as string}?fields=DurationInMinutes`))
      .body;
    expect(e.DurationInMinutes).toBe(45);
  });

  it('when an event lacks a start or a duration and end, then REQUIRED_FIELD_MISSING names the field', async () => {
    const noStart = await create('Event', { Subject: 'x', DurationInMinutes: 10 });
    expect(noStart.status).toBe(400);
    expect(noStart.body[0].errorCode).toBe('REQUIRED_FIELD_MISSING');
    const noEnd = await create('Event', { Subject: 'x', StartDateTime: start });
    expect(noEnd.body[0]).toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
      fields: ['DurationInMinutes'],
    });
  });

  it('when the subject or description is too long, then STRING_TOO_LONG names the field and nothing is written', async () => {
    const before = (await soql('SELECT COUNT() FROM Event')).totalSize;
    const long = await create('Event', {
      Subject: 'x'.repeat(256),
      StartDateTime: start,
      DurationInMinutes: 5,
    });
    expect(long.status).toBe(400);
    expect(long.body[0]).toMatchObject({ errorCode: 'STRING_TOO_LONG', fields: ['Subject'] });
    const desc = await create('Event', {
      Description: 'y'.repeat(32001),
      StartDateTime: start,
      DurationInMinutes: 5,
    });
    expect(desc.body[0]).toMatchObject({ errorCode: 'STRING_TOO_LONG', fields: ['Description'] });
    const ok = await create('Event', {
      Subject: 's'.repeat(255),
      Description: 'd'.repeat(32000),
      StartDateTime: start,
      DurationInMinutes: 5,
    });
    expect(ok.status).toBe(201);
    expect((await soql('SELECT COUNT() FROM Event')).totalSize).toBe(before + 1);
  });
});

describe('Who, What and AccountId', () => {
  it('when an event is related to a contact and an opportunity, then AccountId is derived and read-only', async () => {
    const w = world();
    const res = await create('Event', {
      StartDateTime: start,
      DurationInMinutes: 30,
      WhoId: w.contacts[0],
      WhatId: w.oppId,
    });
    const e = (await call('GET', `${V}/sobjects/Event/${res.body.id as string}`)).body;
    expect(e.AccountId).toBe(w.accountId);
    const write = await call('PATCH', `${V}/sobjects/Event/${res.body.id as string}`, {
      AccountId: w.accountId,
    });
    expect(write.status).toBe(400);
    expect(write.body[0]).toMatchObject({
      errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      fields: ['AccountId'],
    });
  });

  it('when a lead is the Who, then a What is refused', async () => {
    const w = world();
    const res = await create('Event', {
      StartDateTime: start,
      DurationInMinutes: 30,
      WhoId: w.leadId,
      WhatId: w.accountId,
    });
    expect(res.status).toBe(400);
    expect(res.body[0]).toMatchObject({ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['WhatId'] });
  });

  it('when a private event is linked to a record, then it is refused', async () => {
    const w = world();
    const res = await create('Event', {
      StartDateTime: start,
      DurationInMinutes: 30,
      IsPrivate: true,
      WhatId: w.accountId,
    });
    expect(res.status).toBe(400);
    expect(res.body[0].errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
  });

  it('when the Who is a record of the wrong type or a malformed id, then the field error says so', async () => {
    const w = world();
    const wrong = await create('Event', { StartDateTime: start, DurationInMinutes: 30, WhoId: w.accountId });
    expect(wrong.body[0]).toMatchObject({ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['WhoId'] });
    const malformed = await create('Event', { StartDateTime: start, DurationInMinutes: 30, WhoId: 'nope' });
    expect(malformed.body[0]).toMatchObject({ errorCode: 'MALFORMED_ID', fields: ['WhoId'] });
  });
});

describe('EventRelation', () => {
  it('when an event has a Who and a What, then relations exist for both, flagged as parents and not invitees', async () => {
    const w = world();
    const res = await create('Event', {
      StartDateTime: start,
      DurationInMinutes: 30,
      WhoId: w.contacts[0],
      WhatId: w.accountId,
    });
    const rel = await soql(
      `SELECT RelationId, IsParent, IsInvitee, IsWhat FROM EventRelation WHERE EventId = '${res.body.id as string}' ORDER BY IsWhat`,
    );
    expect(
      rel.records.map((r: Record<string, unknown>) => [r.RelationId, r.IsParent, r.IsInvitee, r.IsWhat]),
    ).toEqual([
      [w.contacts[0], true, false, false],
      [w.accountId, true, false, true],
    ]);
  });

  it('when a relation is inserted with no flags, then it is an invitee only', async () => {
    const w = world();
    const e = await create('Event', { StartDateTime: start, DurationInMinutes: 30 });
    const r = await create('EventRelation', { EventId: e.body.id, RelationId: w.contacts[1] });
    expect(r.status).toBe(201);
    const row = (await call('GET', `${V}/sobjects/EventRelation/${r.body.id as string}`)).body;
    expect(row).toMatchObject({ IsInvitee: true, IsParent: false, IsWhat: false });
  });

  it('when related contacts are added, then the first becomes the Who, duplicates are refused and WhoCount counts them', async () => {
    const w = world();
    const e = await create('Event', { StartDateTime: start, DurationInMinutes: 30, WhatId: w.accountId });
    for (const c of w.contacts) {
      const r = await create('EventRelation', {
        EventId: e.body.id,
        RelationId: c,
        IsParent: true,
        IsInvitee: false,
      });
      expect(r.status).toBe(201);
    }
    const dup = await create('EventRelation', {
      EventId: e.body.id,
      RelationId: w.contacts[0],
      IsParent: true,
      IsInvitee: false,
    });
    expect(dup.status).toBe(400);
    expect(dup.body[0].errorCode).toBe('DUPLICATE_VALUE');
    const ev = (
      await call('GET', `${V}/sobjects/Event/${e.body.id as string}?fields=WhoId,WhoCount,AccountId`)
    ).body;
    expect(ev).toMatchObject({ WhoId: w.contacts[0], WhoCount: 3, AccountId: w.accountId });
    const who = await soql(
      `SELECT RelationId, Type FROM EventWhoRelation WHERE EventId = '${e.body.id as string}'`,
    );
    expect(who.totalSize).toBe(3);
  });

  it('when an invitee is made a parent and back, then the event’s Who follows', async () => {
    const w = world();
    const e = await create('Event', { StartDateTime: start, DurationInMinutes: 30 });
    const r = await create('EventRelation', { EventId: e.body.id, RelationId: w.contacts[2] });
    const who = async () =>
      (await call('GET', `${V}/sobjects/Event/${e.body.id as string}?fields=WhoId,WhoCount`)).body;
    expect(await who()).toEqual(expect.objectContaining({ WhoId: null, WhoCount: 0 }));
    expect(
      (await call('PATCH', `${V}/sobjects/EventRelation/${r.body.id as string}`, { IsParent: true })).status,
    ).toBe(204);
    expect(await who()).toEqual(expect.objectContaining({ WhoId: w.contacts[2], WhoCount: 1 }));
    expect(
      (await call('PATCH', `${V}/sobjects/EventRelation/${r.body.id as string}`, { IsParent: false })).status,
    ).toBe(204);
    expect(await who()).toEqual(expect.objectContaining({ WhoId: null, WhoCount: 0 }));
    const neither = await call('PATCH', `${V}/sobjects/EventRelation/${r.body.id as string}`, {
      IsInvitee: false,
    });
    expect(neither.body[0].errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
  });

  it('when a 51st contact is related, then it is refused', async () => {
    const [accountId] = org.seed('Account', [{ Name: 'Big' }]);
    const contacts = org.seed(
      'Contact',
      Array.from({ length: 51 }, (_, i) => ({ LastName: `B${i}`, AccountId: accountId })),
    );
    const e = await create('Event', { StartDateTime: start, DurationInMinutes: 30 });
    for (const c of contacts.slice(0, 50)) {
      expect(
        (
          await create('EventRelation', {
            EventId: e.body.id,
            RelationId: c,
            IsParent: true,
            IsInvitee: false,
          })
        ).status,
      ).toBe(201);
    }
    const over = await create('EventRelation', {
      EventId: e.body.id,
      RelationId: contacts[50],
      IsParent: true,
      IsInvitee: false,
    });
    expect(over.status).toBe(400);
    expect(over.body[0].errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
  });

  it('when a lead is related beside a contact, then it is refused', async () => {
    const w = world();
    const e = await create('Event', { StartDateTime: start, DurationInMinutes: 30, WhoId: w.contacts[0] });
    const r = await create('EventRelation', {
      EventId: e.body.id,
      RelationId: w.leadId,
      IsParent: true,
      IsInvitee: false,
    });
    expect(r.status).toBe(400);
    expect(r.body[0].errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
  });

  it('when Shared Activities is off, then IsParent does not exist and no relation is created for the Who', async () => {
    const w = world();
    org.setKnobs({ sharedActivities: false });
    const e = await create('Event', { StartDateTime: start, DurationInMinutes: 30, WhoId: w.contacts[0] });
    expect(e.status).toBe(201);
    const rel = await soql(`SELECT Id FROM EventRelation WHERE EventId = '${e.body.id as string}'`);
    expect(rel.totalSize).toBe(0);
    const parent = await create('EventRelation', {
      EventId: e.body.id,
      RelationId: w.contacts[1],
      IsParent: true,
    });
    expect(parent.body[0].errorCode).toBe('INVALID_FIELD');
    const describe = (await call('GET', `${V}/sobjects/EventRelation/describe`)).body;
    expect(describe.fields.map((f: { name: string }) => f.name)).not.toContain('IsParent');
    const tr = await call('GET', `${V}/sobjects/TaskRelation/describe`);
    expect(tr.status).toBe(404);
  });
});

describe('Task and TaskRelation', () => {
  it('when a completed task is related to contacts, then it is closed and relations link them', async () => {
    const w = world();
    const t = await create('Task', {
      Subject: 'Notes',
      Status: 'Completed',
      WhatId: w.oppId,
      WhoId: w.contacts[0],
    });
    expect(t.status).toBe(201);
    const r = await create('TaskRelation', { TaskId: t.body.id, RelationId: w.contacts[1] });
    expect(r.status).toBe(201);
    const task = (await call('GET', `${V}/sobjects/Task/${t.body.id as string}`)).body;
    expect(task).toMatchObject({ IsClosed: true, AccountId: w.accountId, WhoCount: 2, Priority: 'Normal' });
    expect(task.CompletedDateTime).toEqual(expect.any(String));
    const rel = await soql(
      `SELECT RelationId, IsWhat FROM TaskRelation WHERE TaskId = '${t.body.id as string}'`,
    );
    expect(rel.totalSize).toBe(3);
  });
});

describe('Enhanced Notes', () => {
  it('when a note with safe HTML is linked to an event and a task, then the links and content read back', async () => {
    const w = world();
    const e = await create('Event', { StartDateTime: start, DurationInMinutes: 30, WhatId: w.accountId });
    const t = await create('Task', { Subject: 'Notes', Status: 'Completed', WhatId: w.accountId });
    const html = '<p>Summary &amp; next steps</p><ul><li>Send pricing</li></ul>';
    const n = await create('ContentNote', {
      Title: 'Meeting summary',
      Content: Buffer.from(html).toString('base64'),
    });
    expect(n.status).toBe(201);
    expect(n.body.id).toMatch(/^069/);
    for (const target of [e.body.id, t.body.id, w.accountId]) {
      const l = await create('ContentDocumentLink', {
        ContentDocumentId: n.body.id,
        LinkedEntityId: target,
        ShareType: 'V',
      });
      expect(l.status).toBe(201);
      expect(l.body.id).toMatch(/^06A/);
    }
    const links = await soql(
      `SELECT LinkedEntityId, ShareType, Visibility FROM ContentDocumentLink WHERE ContentDocumentId = '${n.body.id as string}'`,
    );
    expect(links.totalSize).toBe(4); // the three records and the owner
    const note = (await call('GET', `${V}/sobjects/ContentNote/${n.body.id as string}`)).body;
    expect(note).toMatchObject({
      Title: 'Meeting summary',
      FileType: 'SNOTE',
      TextPreview: 'Summary & next steps Send pricing',
    });
    const res = await fetch(`${org.url}${note.Content as string}`, {
      headers: { authorization: await tokenHeader() },
    });
    expect(await res.text()).toBe(html);
    const dup = await create('ContentDocumentLink', {
      ContentDocumentId: n.body.id,
      LinkedEntityId: w.accountId,
      ShareType: 'V',
    });
    expect(dup.status).toBe(400);
  });

  it('when note content holds a script or unescaped characters, then it is refused', async () => {
    const bad = await create('ContentNote', {
      Title: 'x',
      Content: Buffer.from('<script>alert(1)</script>').toString('base64'),
    });
    expect(bad.status).toBe(400);
    const amp = await create('ContentNote', { Title: 'x', Content: Buffer.from('Q&A').toString('base64') });
    expect(amp.status).toBe(400);
  });

  it('when a link has no ShareType, then REQUIRED_FIELD_MISSING', async () => {
    const w = world();
    const n = await create('ContentNote', {
      Title: 'n',
      Content: Buffer.from('<p>x</p>').toString('base64'),
    });
    const l = await create('ContentDocumentLink', {
      ContentDocumentId: n.body.id,
      LinkedEntityId: w.accountId,
    });
    expect(l.body[0]).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['ShareType'] });
  });
});

describe('recycle bin', () => {
  it('when an event is deleted, then its relations go too, queryAll sees it and later writes get ENTITY_IS_DELETED', async () => {
    const w = world();
    const e = await create('Event', {
      StartDateTime: start,
      DurationInMinutes: 30,
      WhoId: w.contacts[0],
      WhatId: w.accountId,
    });
    const id = e.body.id as string;
    expect((await call('DELETE', `${V}/sobjects/Event/${id}`)).status).toBe(204);
    expect((await soql(`SELECT Id FROM Event WHERE Id = '${id}'`)).totalSize).toBe(0);
    const all = (
      await call(
        'GET',
        `${V}/queryAll?q=${encodeURIComponent(`SELECT IsDeleted FROM Event WHERE Id = '${id}'`)}`,
      )
    ).body;
    expect(all.records[0].IsDeleted).toBe(true);
    expect((await soql(`SELECT Id FROM EventRelation WHERE EventId = '${id}'`)).totalSize).toBe(0);
    const patch = await call('PATCH', `${V}/sobjects/Event/${id}`, { Subject: 'again' });
    expect(patch.status).toBe(404);
    expect(patch.body[0].errorCode).toBe('ENTITY_IS_DELETED');
    const again = await call('DELETE', `${V}/sobjects/Event/${id}`);
    expect(again.body[0].errorCode).toBe('ENTITY_IS_DELETED');
  });
});

describe('package fields', () => {
  it('when the package is installed, then Event and Task describe its Activity fields; when not, they are unknown', async () => {
    const names = async (type: string) =>
      ((await call('GET', `${V}/sobjects/${type}/describe`)).body.fields as { name: string }[]).map(
        (f) => f.name,
      );
    expect(await names('Event')).toEqual(
      expect.arrayContaining(['Salescaling_Meeting_Id__c', 'Salescaling_Recording_Url__c']),
    );
    expect(await names('Task')).toContain('Salescaling_Meeting_Id__c');
    org.setKnobs({ packageInstalled: false });
    expect(await names('Event')).not.toContain('Salescaling_Meeting_Id__c');
    const res = await create('Event', {
      StartDateTime: start,
      DurationInMinutes: 5,
      Salescaling_Meeting_Id__c: 'm',
    });
    expect(res.body[0].errorCode).toBe('INVALID_FIELD');
  });
});

async function tokenHeader(): Promise<string> {
  return `Bearer ${await passwordToken(org)}`;
}
