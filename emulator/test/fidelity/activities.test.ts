/**
 * Probes of the activity objects (Event, EventRelation, Task, TaskRelation) and notes (ContentNote,
 * ContentDocumentLink) against the Object Reference. Each states the page it follows.
 */
import type { LocalOrg } from '../../src/index.ts';
import { startLoggedIn, V, type Call, type Json } from '../support/http.ts';

let org: LocalOrg;
let call: Call;

beforeAll(async () => {
  ({ org, call } = await startLoggedIn());
});
afterAll(() => org.stop());
afterEach(() => {
  org.setKnobs({ sharedActivities: true });
});

const EVENT_DOC =
  'https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm';
const start = '2026-04-01T09:00:00.000+0000';
const q = async (soql: string, all = false): Promise<Json[]> =>
  (await call('GET', `${V}/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`)).body.records;
const create = async (type: string, body: Record<string, unknown>): Promise<string> => {
  const res = await call('POST', `${V}/sobjects/${type}`, body);
  if (res.status !== 201) throw new Error(`${type}: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
};

describe(`Event (${EVENT_DOC})`, () => {
  it('when an event has a start but neither DurationInMinutes nor EndDateTime, then REQUIRED_FIELD_MISSING DurationInMinutes', async () => {
    const res = await call('POST', `${V}/sobjects/Event`, { Subject: 'x', StartDateTime: start });
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      {
        message: 'Required fields are missing: [DurationInMinutes]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['DurationInMinutes'],
      },
    ]);
  });

  it('when an event is given ActivityDateTime and a duration, then StartDateTime and EndDateTime follow from them', async () => {
    const id = await create('Event', { Subject: 'x', ActivityDateTime: start, DurationInMinutes: 45 });
    const res = await call('GET', `${V}/sobjects/Event/${id}?fields=StartDateTime,EndDateTime,ActivityDate`);
    expect(res.body).toMatchObject({
      StartDateTime: start,
      EndDateTime: '2026-04-01T09:45:00.000+0000',
      ActivityDate: '2026-04-01',
    });
  });

  // EndDateTime: "If IsAllDayEvent is true ... If both fields are null, the duration defaults to one day."
  it('when an all-day event gives only its ActivityDate, then it is created lasting one day (1440 minutes)', async () => {
    const id = await create('Event', { Subject: 'Offsite', IsAllDayEvent: true, ActivityDate: '2026-05-01' });
    const res = await call(
      'GET',
      `${V}/sobjects/Event/${id}?fields=DurationInMinutes,ActivityDate,IsAllDayEvent`,
    );
    expect(res.body).toMatchObject({
      DurationInMinutes: 1440,
      ActivityDate: '2026-05-01',
      IsAllDayEvent: true,
    });
  });

  it('when a lead is the Who and a What is set, then FIELD_INTEGRITY_EXCEPTION', async () => {
    const lead = await create('Lead', { LastName: 'Lee', Company: 'L Co' });
    const account = await create('Account', { Name: 'A' });
    const res = await call('POST', `${V}/sobjects/Event`, {
      Subject: 'x',
      StartDateTime: start,
      DurationInMinutes: 30,
      WhoId: lead,
      WhatId: account,
    });
    expect(res.status).toBe(400);
    expect(res.body[0].errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
  });

  it('when a private event names a What, then FIELD_INTEGRITY_EXCEPTION', async () => {
    const account = await create('Account', { Name: 'A' });
    const res = await call('POST', `${V}/sobjects/Event`, {
      Subject: 'x',
      StartDateTime: start,
      DurationInMinutes: 30,
      IsPrivate: true,
      WhatId: account,
    });
    expect(res.status).toBe(400);
    expect(res.body[0].errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
  });

  it("when the Who is a contact, then AccountId is the contact's account and cannot be written", async () => {
    const account = await create('Account', { Name: 'Acme' });
    const contact = await create('Contact', { LastName: 'Ruiz', AccountId: account });
    const id = await create('Event', {
      Subject: 'x',
      StartDateTime: start,
      DurationInMinutes: 30,
      WhoId: contact,
    });
    expect((await call('GET', `${V}/sobjects/Event/${id}?fields=AccountId`)).body.AccountId).toBe(account);
    const res = await call('PATCH', `${V}/sobjects/Event/${id}`, { AccountId: account });
    expect([res.status, res.body[0].errorCode, res.body[0].fields]).toEqual([
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      ['AccountId'],
    ]);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_eventrelation.htm
describe('EventRelation', () => {
  it('when an event has a Who, then a relation for it exists as parent, not invitee', async () => {
    const contact = await create('Contact', { LastName: 'Who' });
    const id = await create('Event', {
      Subject: 'x',
      StartDateTime: start,
      DurationInMinutes: 30,
      WhoId: contact,
    });
    const rows = await q(
      `SELECT RelationId, IsParent, IsInvitee, IsWhat FROM EventRelation WHERE EventId = '${id}'`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ RelationId: contact, IsParent: true, IsInvitee: false, IsWhat: false }),
    ]);
  });

  it('when a relation is inserted with no flags, then it is an invitee and not a parent', async () => {
    const id = await create('Event', { Subject: 'x', StartDateTime: start, DurationInMinutes: 30 });
    const contact = await create('Contact', { LastName: 'Guest' });
    const rel = await create('EventRelation', { EventId: id, RelationId: contact });
    const res = await call('GET', `${V}/sobjects/EventRelation/${rel}?fields=IsInvitee,IsParent,IsWhat`);
    expect(res.body).toMatchObject({ IsInvitee: true, IsParent: false, IsWhat: false });
  });

  it('when an account is related with IsParent and IsWhat, then it is the What', async () => {
    const id = await create('Event', { Subject: 'x', StartDateTime: start, DurationInMinutes: 30 });
    const account = await create('Account', { Name: 'W' });
    await create('EventRelation', { EventId: id, RelationId: account, IsParent: true, IsWhat: true });
    expect((await call('GET', `${V}/sobjects/Event/${id}?fields=WhatId`)).body.WhatId).toBe(account);
  });

  it('when a 51st contact is related, then FIELD_INTEGRITY_EXCEPTION and 50 remain', async () => {
    const id = await create('Event', { Subject: 'x', StartDateTime: start, DurationInMinutes: 30 });
    const contacts = org.seed(
      'Contact',
      Array.from({ length: 51 }, (_, i) => ({ LastName: `C${i}` })),
    );
    for (const c of contacts.slice(0, 50))
      await create('EventRelation', { EventId: id, RelationId: c, IsParent: true });
    const res = await call('POST', `${V}/sobjects/EventRelation`, {
      EventId: id,
      RelationId: contacts[50],
      IsParent: true,
    });
    expect([res.status, res.body[0].errorCode]).toEqual([400, 'FIELD_INTEGRITY_EXCEPTION']);
    expect(await q(`SELECT Id FROM EventRelation WHERE EventId = '${id}' AND IsParent = true`)).toHaveLength(
      50,
    );
  });

  it('when Shared Activities is off, then IsParent is not a field of EventRelation (INVALID_FIELD)', async () => {
    org.setKnobs({ sharedActivities: false });
    const id = await create('Event', { Subject: 'x', StartDateTime: start, DurationInMinutes: 30 });
    const contact = await create('Contact', { LastName: 'Off' });
    const res = await call('POST', `${V}/sobjects/EventRelation`, {
      EventId: id,
      RelationId: contact,
      IsParent: true,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      {
        message: "No such column 'IsParent' on sobject of type EventRelation",
        errorCode: 'INVALID_FIELD',
      },
    ]);
  });

  it('when an event is deleted, then its relations are deleted with it', async () => {
    const contact = await create('Contact', { LastName: 'Gone' });
    const id = await create('Event', {
      Subject: 'x',
      StartDateTime: start,
      DurationInMinutes: 30,
      WhoId: contact,
    });
    expect((await call('DELETE', `${V}/sobjects/Event/${id}`)).status).toBe(204);
    expect(await q(`SELECT Id FROM EventRelation WHERE EventId = '${id}'`)).toEqual([]);
    const all = await q(`SELECT IsDeleted FROM EventRelation WHERE EventId = '${id}'`, true);
    expect(all).toEqual([expect.objectContaining({ IsDeleted: true })]);
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_taskrelation.htm
// (fields AccountId, IsWhat, RelationId, TaskId; calls create, delete, query, retrieve — no update)
describe('TaskRelation', () => {
  it('when a TaskRelation names IsParent, then INVALID_FIELD; one without flags relates a contact', async () => {
    const task = await create('Task', { Subject: 't' });
    const contact = await create('Contact', { LastName: 'TR' });
    const bad = await call('POST', `${V}/sobjects/TaskRelation`, {
      TaskId: task,
      RelationId: contact,
      IsParent: true,
    });
    expect([bad.status, bad.body[0].errorCode]).toEqual([400, 'INVALID_FIELD']);
    const rel = await create('TaskRelation', { TaskId: task, RelationId: contact });
    expect((await call('GET', `${V}/sobjects/Task/${task}?fields=WhoId`)).body.WhoId).toBe(contact);
    const patch = await call('PATCH', `${V}/sobjects/TaskRelation/${rel}`, { IsWhat: false });
    expect(patch.status).toBe(400);
    expect(patch.body[0].errorCode).toBe('INVALID_TYPE_FOR_OPERATION');
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm
describe('Task', () => {
  it('when a task is created with a subject only, then Status Not Started, Priority Normal, IsClosed false, TaskSubtype Task', async () => {
    const id = await create('Task', { Subject: 'Call back' });
    const res = await call('GET', `${V}/sobjects/Task/${id}?fields=Status,Priority,IsClosed,TaskSubtype`);
    expect(res.body).toMatchObject({
      Status: 'Not Started',
      Priority: 'Normal',
      IsClosed: false,
      TaskSubtype: 'Task',
    });
    await call('PATCH', `${V}/sobjects/Task/${id}`, { Status: 'Completed' });
    expect((await call('GET', `${V}/sobjects/Task/${id}?fields=IsClosed`)).body.IsClosed).toBe(true);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_guidelines_callcenter.htm
  it('when a task carries CallObject, CallDisposition and CallType, then they are stored and filterable', async () => {
    const id = await create('Task', {
      Subject: 'Call',
      CallObject: 'mtg-42',
      CallDisposition: 'Reached',
      CallType: 'Outbound',
    });
    const rows = await q(`SELECT Id, CallDisposition, CallType FROM Task WHERE CallObject = 'mtg-42'`);
    expect(rows).toEqual([
      expect.objectContaining({ Id: id, CallDisposition: 'Reached', CallType: 'Outbound' }),
    ]);
    const describe = await call('GET', `${V}/sobjects/Task/describe`);
    const callObject = describe.body.fields.find((f: { name: string }) => f.name === 'CallObject');
    expect(callObject).toMatchObject({
      type: 'string',
      length: 255,
      createable: true,
      updateable: true,
      filterable: true,
    });
  });
});

// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentnote.htm,
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentdocumentlink.htm
describe('ContentNote and ContentDocumentLink', () => {
  const html = '<p>Agenda &amp; notes</p>';

  it('when a note is created from base64 HTML, then FileType SNOTE and a plain-text TextPreview', async () => {
    const id = await create('ContentNote', {
      Title: 'Meeting',
      Content: Buffer.from(html).toString('base64'),
    });
    expect(id).toMatch(/^069/);
    const res = await call('GET', `${V}/sobjects/ContentNote/${id}?fields=Title,FileType,TextPreview`);
    expect(res.body).toMatchObject({ Title: 'Meeting', FileType: 'SNOTE', TextPreview: 'Agenda & notes' });
  });

  it('when a link has no ShareType, then REQUIRED_FIELD_MISSING; with V it links to an event and Visibility defaults to AllUsers', async () => {
    const note = await create('ContentNote', { Title: 'N', Content: Buffer.from(html).toString('base64') });
    const event = await create('Event', { Subject: 'x', StartDateTime: start, DurationInMinutes: 30 });
    const missing = await call('POST', `${V}/sobjects/ContentDocumentLink`, {
      ContentDocumentId: note,
      LinkedEntityId: event,
    });
    expect([missing.status, missing.body[0].errorCode, missing.body[0].fields]).toEqual([
      400,
      'REQUIRED_FIELD_MISSING',
      ['ShareType'],
    ]);
    const link = await create('ContentDocumentLink', {
      ContentDocumentId: note,
      LinkedEntityId: event,
      ShareType: 'V',
    });
    const res = await call(
      'GET',
      `${V}/sobjects/ContentDocumentLink/${link}?fields=ShareType,Visibility,LinkedEntityId`,
    );
    expect(res.body).toMatchObject({ ShareType: 'V', Visibility: 'AllUsers', LinkedEntityId: event });
    const bad = await call('POST', `${V}/sobjects/ContentDocumentLink`, {
      ContentDocumentId: note,
      LinkedEntityId: await create('Account', { Name: 'L' }),
      ShareType: 'X',
    });
    expect([bad.status, bad.body[0].errorCode]).toEqual([400, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST']);
  });

  it('when a note is linked twice to the same record, then the second is DUPLICATE_VALUE and one link stays', async () => {
    const note = await create('ContentNote', { Title: 'N', Content: Buffer.from(html).toString('base64') });
    const task = await create('Task', { Subject: 't' });
    await create('ContentDocumentLink', { ContentDocumentId: note, LinkedEntityId: task, ShareType: 'V' });
    const again = await call('POST', `${V}/sobjects/ContentDocumentLink`, {
      ContentDocumentId: note,
      LinkedEntityId: task,
      ShareType: 'V',
    });
    expect([again.status, again.body[0].errorCode]).toEqual([400, 'DUPLICATE_VALUE']);
    expect(
      await q(
        `SELECT Id FROM ContentDocumentLink WHERE ContentDocumentId = '${note}' AND LinkedEntityId = '${task}'`,
      ),
    ).toHaveLength(1);
  });

  it('when the note is deleted, then its links are deleted too', async () => {
    const note = await create('ContentNote', { Title: 'N', Content: Buffer.from(html).toString('base64') });
    const task = await create('Task', { Subject: 't' });
    await create('ContentDocumentLink', { ContentDocumentId: note, LinkedEntityId: task, ShareType: 'I' });
    expect((await call('DELETE', `${V}/sobjects/ContentNote/${note}`)).status).toBe(204);
    expect(await q(`SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '${task}'`)).toEqual([]);
  });
});
