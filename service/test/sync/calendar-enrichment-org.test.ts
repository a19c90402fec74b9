/**
 * Beside other sync tools, no duplicates; a person's edit wins (issue 9, CONTRACT §7.10–11). Against
 * the local org, as the integration user (a Standard User with the package's permission set), judged
 * by what the org holds afterwards. A calendar tool's Event is created as the org's admin would see a
 * calendar integration create it: owned by the seller, with an invitee relation, no Salescaling id.
 * A person's edit is made by the seller, signed in as themselves.
 */
import { passwordGrantToken } from '../../../emulator/src/index.ts';
import type { CreatedUser } from '../../../emulator/src/index.ts';
import type { Meeting } from '../../src/meetings/schema.ts';
import { DEFAULT_SETTINGS, associationSettingsSchema } from '../../src/settings/association-settings.ts';
import { syncMeeting } from '../../src/sync/sync-meeting.ts';
import type { SyncOutcome, WrittenRecords } from '../../src/domain/meeting-outcome.ts';
import { meeting as baseMeeting } from '../associations/fixtures.ts';
import { orgAdminCall, orgQuery } from '../support/stack.ts';
import { startTestOrg, type TestOrg } from '../support/test-org.ts';

let t: TestOrg;
beforeAll(async () => {
  t = await startTestOrg();
});
afterAll(async () => {
  await t.stop();
});

let sellers = 0;
/** A seller (Standard User) whose email is `<name>@vendor.example`: the organizer of the meeting. */
async function seller(): Promise<CreatedUser & { email: string }> {
  sellers += 1;
  const email = `sam${sellers}@vendor.example`;
  const user = await t.org.createUser({ username: `${email}.localorg`, lastName: `Seller ${sellers}` });
  return { ...user, email };
}

/** An Event as a calendar integration writes it: the seller's, with invitees, no Salescaling id. */
async function calendarEvent(
  ownerId: string,
  fields: { subject: string; start: string; end: string; whoId?: string; invitees?: string[] },
): Promise<string> {
  const created = await orgAdminCall<{ id: string }>(t.org, 'POST', '/sobjects/Event', {
    OwnerId: ownerId,
    Subject: fields.subject,
    StartDateTime: fields.start,
    EndDateTime: fields.end,
    Description: 'Join the video call: https://video.example/j/123',
    Location: 'Room 4',
    ...(fields.whoId === undefined ? {} : { WhoId: fields.whoId }),
  });
  for (const relationId of fields.invitees ?? []) {
    await orgAdminCall(t.org, 'POST', '/sobjects/EventRelation', {
      EventId: created.id,
      RelationId: relationId,
      IsInvitee: true,
      IsParent: false,
    });
  }
  return created.id;
}

function meetingOf(organizer: string, day: string, overrides: Partial<Meeting> = {}): Meeting {
  return baseMeeting({
    id: `mtg_cal_${day}`,
    title: 'Acme discovery call',
    startedAt: `2026-10-${day}T10:02:00Z`,
    endedAt: `2026-10-${day}T10:31:00Z`,
    organizer: { email: organizer, name: 'Sam' },
    ...overrides,
  });
}

const externals = (...emails: string[]) => emails.map((email) => ({ email, internal: false }));

const settingsOff = associationSettingsSchema.parse({ calendarEventEnrichment: { enabled: false } });

async function upsert(
  m: Meeting,
  previous: WrittenRecords | null,
  settings = DEFAULT_SETTINGS,
): Promise<{ result: SyncOutcome; calls: number }> {
  return t.callsDuring(() =>
    syncMeeting(t.conn, t.profile, { kind: 'upsert', meeting: m }, previous, settings),
  );
}

interface EventRow {
  Id: string;
  Subject: string;
  WhoId: string | null;
  WhatId: string | null;
  Description: string | null;
  Location: string | null;
  Salescaling_Meeting_Id__c: string | null;
}

/** Every Event of the owner on that day, as the org's admin sees them. */
function eventsOfDay(ownerId: string, day: string): Promise<EventRow[]> {
  return orgQuery<EventRow>(
    t.org,
    `SELECT Id, Subject, WhoId, WhatId, Description, Location, Salescaling_Meeting_Id__c FROM Event WHERE OwnerId = '${ownerId}' AND StartDateTime >= 2026-10-${day}T00:00:00Z AND StartDateTime < 2026-10-${day}T23:59:59Z ORDER BY Id`,
  );
}

async function relationIds(eventId: string): Promise<string[]> {
  const rows = await orgQuery<{ RelationId: string }>(
    t.org,
    `SELECT RelationId FROM EventRelation WHERE EventId = '${eventId}' AND IsWhat = false`,
  );
  return rows.map((r) => r.RelationId).sort();
}

describe('beside a calendar tool that already wrote the meeting', () => {
  it('when the seller’s calendar Event overlaps with a matching subject and attendee, then it is enriched (fields, relations, note, task) and no second Event is written; a later version and a delete follow it and leave the tool’s Event', async () => {
    const sam = await seller();
    const acme = t.seedAccount('Acme Calendar');
    const ana = t.seedContact('Ana', 'ana@acme-cal.example', acme);
    const bo = t.seedContact('Bo', 'bo@acme-cal.example', acme);
    const di = t.seedContact('Di', 'di@acme-cal.example', acme);
    const calendar = await calendarEvent(sam.id, {
      subject: 'Acme discovery call',
      start: '2026-10-02T10:00:00Z',
      end: '2026-10-02T10:30:00Z',
      whoId: ana,
      invitees: [di],
    });
    const m = meetingOf(sam.email, '02', { participants: externals('ana@acme-cal.example') });

    const first = await upsert(m, null);
    expect(first.calls).toBeLessThanOrEqual(2);
    expect(first.result.state).toBe('synced');
    expect(first.result.written.eventId).toBe(calendar);
    expect(first.result.linked).toContainEqual({
      recordId: calendar,
      type: 'Event',
      why: 'calendar_event_subject_and_attendee_match',
    });
    const events = await eventsOfDay(sam.id, '02');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      Id: calendar,
      Subject: 'Acme discovery call',
      Description: 'Join the video call: https://video.example/j/123',
      Location: 'Room 4',
      WhoId: ana,
      WhatId: acme,
      Salescaling_Meeting_Id__c: m.id,
    });
    const tasks = await orgQuery<{ Id: string; WhatId: string }>(
      t.org,
      `SELECT Id, WhatId FROM Task WHERE Salescaling_Meeting_Id__c = '${m.id}'`,
    );
    expect(tasks).toEqual([expect.objectContaining({ Id: first.result.written.taskId, WhatId: acme })]);
    const noteLinks = await orgQuery<{ ContentDocumentId: string }>(
      t.org,
      `SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = '${calendar}'`,
    );
    expect(noteLinks.map((l) => l.ContentDocumentId)).toContain(first.result.written.noteId);

    // A later version with a second buyer: the same Event gains Bo, keeps the tool's subject.
    const v2 = {
      ...m,
      version: 2,
      title: 'Renamed in Salescaling',
      participants: externals('ana@acme-cal.example', 'bo@acme-cal.example'),
    };
    const second = await upsert(v2, first.result.written);
    expect(second.result.written).toMatchObject({ eventId: calendar, eventEnriched: true });
    const after = await eventsOfDay(sam.id, '02');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ Id: calendar, Subject: 'Acme discovery call', Location: 'Room 4' });
    expect(await relationIds(calendar)).toEqual([ana, bo, di].sort());

    // Deleted in Salescaling: what the sync added goes, the tool's Event and its invitee stay.
    const deleted = await t.callsDuring(() =>
      syncMeeting(t.conn, t.profile, { kind: 'delete', meetingId: m.id, version: 3 }, second.result.written),
    );
    expect(deleted.result.state).toBe('deleted');
    const left = await eventsOfDay(sam.id, '02');
    expect(left).toEqual([
      expect.objectContaining({
        Id: calendar,
        Subject: 'Acme discovery call',
        WhoId: ana,
        WhatId: null,
        Salescaling_Meeting_Id__c: null,
      }),
    ]);
    expect(await relationIds(calendar)).toEqual([ana, di].sort());
    expect(
      await orgQuery(t.org, `SELECT Id FROM Task WHERE Salescaling_Meeting_Id__c = '${m.id}'`),
    ).toHaveLength(0);
    expect(
      await orgQuery(t.org, `SELECT Id FROM ContentNote WHERE Id = '${first.result.written.noteId}'`),
    ).toHaveLength(0);
  });

  it('when only an invitee of the seller’s Event is a participant (another subject), then it is enriched for the attendee match and the tool’s Related To stays', async () => {
    const sam = await seller();
    const acme = t.seedAccount('Invitee Co');
    const ana = t.seedContact('Ana', 'ana@invitee-cal.example', acme);
    const created = await orgAdminCall<{ id: string }>(t.org, 'POST', '/sobjects/Event', {
      OwnerId: sam.id,
      Subject: 'Call with Invitee Co',
      StartDateTime: '2026-10-09T10:00:00Z',
      EndDateTime: '2026-10-09T11:00:00Z',
      WhatId: acme,
    });
    await orgAdminCall(t.org, 'POST', '/sobjects/EventRelation', {
      EventId: created.id,
      RelationId: ana,
      IsInvitee: true,
      IsParent: false,
    });
    const m = meetingOf(sam.email, '09', { participants: externals('ana@invitee-cal.example') });
    const { result, calls } = await upsert(m, null);
    expect(calls).toBeLessThanOrEqual(2);
    expect(result.linked).toContainEqual({
      recordId: created.id,
      type: 'Event',
      why: 'calendar_event_attendee_match',
    });
    expect(await eventsOfDay(sam.id, '09')).toEqual([
      expect.objectContaining({
        Id: created.id,
        Subject: 'Call with Invitee Co',
        WhoId: ana,
        WhatId: acme,
        Salescaling_Meeting_Id__c: m.id,
      }),
    ]);
    expect(await relationIds(created.id)).toEqual([ana]);
  });

  it('when the setting is off, then the meeting gets its own Event and the tool’s is left alone', async () => {
    const sam = await seller();
    const acme = t.seedAccount('Off Co');
    const ana = t.seedContact('Ana', 'ana@off-cal.example', acme);
    const calendar = await calendarEvent(sam.id, {
      subject: 'Acme discovery call',
      start: '2026-10-03T10:00:00Z',
      end: '2026-10-03T10:30:00Z',
      whoId: ana,
    });
    const m = meetingOf(sam.email, '03', { participants: externals('ana@off-cal.example') });
    const { result } = await upsert(m, null, settingsOff);
    expect(result.written.eventId).not.toBe(calendar);
    const events = await eventsOfDay(sam.id, '03');
    expect(events.map((e) => e.Id).sort()).toEqual([calendar, result.written.eventId].sort());
    expect(events.find((e) => e.Id === calendar)).toMatchObject({
      Salescaling_Meeting_Id__c: null,
      WhatId: null,
    });
  });

  it('when the overlapping Event belongs to another user, then it is not enriched', async () => {
    const sam = await seller();
    const other = await seller();
    const acme = t.seedAccount('Other Owner Co');
    const ana = t.seedContact('Ana', 'ana@owner-cal.example', acme);
    const calendar = await calendarEvent(other.id, {
      subject: 'Acme discovery call',
      start: '2026-10-04T10:00:00Z',
      end: '2026-10-04T10:30:00Z',
      whoId: ana,
    });
    const m = meetingOf(sam.email, '04', { participants: externals('ana@owner-cal.example') });
    const { result } = await upsert(m, null);
    expect(result.written.eventId).not.toBe(calendar);
    expect(await eventsOfDay(sam.id, '04')).toEqual([
      expect.objectContaining({ Id: result.written.eventId, Salescaling_Meeting_Id__c: m.id }),
    ]);
    expect(await eventsOfDay(other.id, '04')).toEqual([
      expect.objectContaining({ Id: calendar, Salescaling_Meeting_Id__c: null, WhatId: null }),
    ]);
  });

  it('when the seller’s Event with the same subject does not overlap the meeting, then it is not enriched', async () => {
    const sam = await seller();
    const acme = t.seedAccount('Earlier Co');
    const ana = t.seedContact('Ana', 'ana@early-cal.example', acme);
    const calendar = await calendarEvent(sam.id, {
      subject: 'Acme discovery call',
      start: '2026-10-05T08:00:00Z',
      end: '2026-10-05T10:02:00Z',
      whoId: ana,
    });
    const m = meetingOf(sam.email, '05', { participants: externals('ana@early-cal.example') });
    const { result } = await upsert(m, null);
    expect(result.written.eventId).not.toBe(calendar);
    const events = await eventsOfDay(sam.id, '05');
    expect(events).toHaveLength(2);
    expect(events.find((e) => e.Id === calendar)).toMatchObject({
      Salescaling_Meeting_Id__c: null,
      WhatId: null,
    });
  });

  it('when two of the seller’s Events qualify equally, then neither is enriched, both are reported, and exactly one Event of ours is written', async () => {
    const sam = await seller();
    const acme = t.seedAccount('Twice Co');
    const ana = t.seedContact('Ana', 'ana@twice-cal.example', acme);
    const slot = {
      subject: 'Acme discovery call',
      start: '2026-10-06T10:00:00Z',
      end: '2026-10-06T10:30:00Z',
      whoId: ana,
    };
    const one = await calendarEvent(sam.id, slot);
    const two = await calendarEvent(sam.id, slot);
    const m = meetingOf(sam.email, '06', { participants: externals('ana@twice-cal.example') });
    const { result } = await upsert(m, null);
    expect(result.dropped).toEqual(
      expect.arrayContaining([
        { recordId: one, reason: 'calendar_event_ambiguous' },
        { recordId: two, reason: 'calendar_event_ambiguous' },
      ]),
    );
    const events = await eventsOfDay(sam.id, '06');
    expect(events.filter((e) => e.Salescaling_Meeting_Id__c === m.id).map((e) => e.Id)).toEqual([
      result.written.eventId,
    ]);
    expect(events.filter((e) => e.Id === one || e.Id === two).every((e) => e.WhatId === null)).toBe(true);
    // Synced again (a retry without saved ids): still one Event of ours.
    await upsert(m, null);
    expect(
      (await eventsOfDay(sam.id, '06')).filter((e) => e.Salescaling_Meeting_Id__c === m.id),
    ).toHaveLength(1);
  });
});

describe('a person’s edit wins', () => {
  it('when the seller changes the Event’s WhatId, subject and related contacts in Salesforce, then a later version keeps them and the status names them', async () => {
    const sam = await seller();
    const acme = t.seedAccount('Edit Co');
    const ana = t.seedContact('Ana', 'ana@edit.example', acme);
    const bo = t.seedContact('Bo', 'bo@edit.example', acme);
    const cy = t.seedContact('Cy', 'cy@edit.example', acme);
    // Owned by the connected user: with activities Controlled by Parent, editing the Event needs edit
    // access to the record it is linked to, and Opportunities are read-only to others here.
    const [deal = ''] = t.org.seed('Opportunity', [
      {
        Name: 'Edit Co expansion',
        StageName: 'Prospecting',
        CloseDate: '2026-12-31',
        AccountId: acme,
        OwnerId: t.userId,
      },
    ]);
    const m = meetingOf(sam.email, '07', {
      title: 'Edit Co weekly',
      participants: externals('ana@edit.example', 'bo@edit.example'),
    });
    // No open Opportunity rule here: the Account keeps WhatId, so the seller's pick is the change.
    const settings = associationSettingsSchema.parse({ opportunityRule: { enabled: false } });
    const first = await upsert(m, null, settings);
    const eventId = first.result.written.eventId ?? '';
    expect(await relationIds(eventId)).toEqual([ana, bo].sort());

    // Sam, signed in as himself, moves the Event to the Opportunity, renames it, removes Bo, adds Cy.
    const token = await passwordGrantToken(t.org, sam);
    const asSam = async (method: string, path: string, body?: unknown): Promise<unknown> => {
      const res = await fetch(`${t.org.url}/services/data/v66.0${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    await asSam('PATCH', `/sobjects/Event/${eventId}`, { WhatId: deal, Subject: 'Edit Co — renewal talk' });
    const boRow = await orgQuery<{ Id: string }>(
      t.org,
      `SELECT Id FROM EventRelation WHERE EventId = '${eventId}' AND RelationId = '${bo}'`,
    );
    await asSam('DELETE', `/sobjects/EventRelation/${boRow[0]?.Id ?? ''}`);
    await asSam('POST', '/sobjects/EventRelation', {
      EventId: eventId,
      RelationId: cy,
      IsParent: true,
      IsInvitee: false,
    });

    const v2 = { ...m, version: 2, title: 'Edit Co weekly (v2)' };
    const second = await upsert(v2, first.result.written, settings);
    const [event] = await orgQuery<EventRow>(
      t.org,
      `SELECT Id, Subject, WhoId, WhatId, Description, Location, Salescaling_Meeting_Id__c FROM Event WHERE Id = '${eventId}'`,
    );
    expect(event).toMatchObject({ Subject: 'Edit Co — renewal talk', WhatId: deal, WhoId: ana });
    expect(event?.Description).toContain('meeting version 2');
    expect(await relationIds(eventId)).toEqual([ana, cy].sort());
    expect(second.result.dropped).toContainEqual({
      recordId: eventId,
      reason: 'kept_person_edit',
      fields: ['WhatId', 'Subject', 'EventRelation'],
      by: sam.id,
    });

    // Sam now changes the WhoId: a third version keeps it too, and his earlier edits.
    await asSam('PATCH', `/sobjects/Event/${eventId}`, { WhoId: cy });
    const third = await upsert({ ...v2, version: 3 }, second.result.written, settings);
    const [again] = await orgQuery<EventRow>(
      t.org,
      `SELECT Id, Subject, WhoId, WhatId, Description, Location, Salescaling_Meeting_Id__c FROM Event WHERE Id = '${eventId}'`,
    );
    expect(again).toMatchObject({ Subject: 'Edit Co — renewal talk', WhatId: deal, WhoId: cy });
    expect(third.result.dropped).toContainEqual(
      expect.objectContaining({
        recordId: eventId,
        reason: 'kept_person_edit',
        fields: expect.arrayContaining(['WhoId', 'WhatId', 'Subject']),
      }),
    );
    expect((await eventsOfDay(sam.id, '07')).map((e) => e.Id)).toEqual([eventId]);
  });

  it('when nobody edited the Event, then a later version updates it and reports no kept edit', async () => {
    const sam = await seller();
    const acme = t.seedAccount('Quiet Co');
    t.seedContact('Ana', 'ana@quiet.example', acme);
    const m = meetingOf(sam.email, '08', {
      title: 'Quiet weekly',
      participants: externals('ana@quiet.example'),
    });
    const first = await upsert(m, null);
    const second = await upsert({ ...m, version: 2, title: 'Quiet weekly v2' }, first.result.written);
    expect(second.result.dropped.filter((d) => d.reason === 'kept_person_edit')).toEqual([]);
    const events = await eventsOfDay(sam.id, '08');
    expect(events).toEqual([
      expect.objectContaining({ Id: first.result.written.eventId, Subject: 'Quiet weekly v2' }),
    ]);
  });
});
