/**
 * The simulator shows the calendar decision (issue 9): for a meeting whose organizer's calendar
 * already wrote an Event, it names the Event a sync would enrich and why, or why it would not — and
 * writes nothing. Over HTTP against a connected local org.
 */
import { meeting } from '../support/fixtures.ts';
import { api } from '../support/service.ts';
import { orgAdminCall, orgQuery, seedAcme, startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
let calendarEventId: string;

beforeAll(async () => {
  stack = await startStack({ org: { autoApprove: true } });
  const { sellerId } = await seedAcme(stack.org);
  const [buyer] = await orgQuery<{ Id: string }>(
    stack.org,
    "SELECT Id FROM Contact WHERE Email = 'buyer@example.org'",
  );
  // As a calendar integration writes it: the seller's, same time and subject, no Salescaling id.
  calendarEventId = (
    await orgAdminCall<{ id: string }>(stack.org, 'POST', '/sobjects/Event', {
      OwnerId: sellerId,
      Subject: 'Discovery call',
      StartDateTime: '2026-11-20T15:00:00Z',
      EndDateTime: '2026-11-20T15:30:00Z',
      WhoId: buyer?.Id,
    })
  ).id;
  expect((await stack.connect()).outcome).toBe('connected');
});
afterAll(async () => {
  await stack?.dispose();
});

const simulate = (body: unknown) => api(stack.svc.url, 'POST', '/v1/workspaces/ws_1/meetings/simulate', body);
const count = async (object: string) => (await orgQuery(stack.org, `SELECT Id FROM ${object}`)).length;

describe('the simulator and a calendar tool’s Event', () => {
  it('when the organizer’s calendar already wrote the meeting, then the simulator names the Event a sync would enrich, and writes nothing', async () => {
    const before = [await count('Event'), await count('Task'), await count('ContentNote')];
    const res = await simulate({ meeting: meeting({ id: 'mtg_sim_cal' }) });
    expect(res.status).toBe(200);
    expect(res.body['calendarEvent']).toEqual({
      decision: 'enrich',
      eventId: calendarEventId,
      reason: 'calendar_event_subject_and_attendee_match',
      candidates: [calendarEventId],
    });
    expect(res.body['linked']).toContainEqual({
      recordId: calendarEventId,
      type: 'Event',
      why: 'calendar_event_subject_and_attendee_match',
    });
    expect(res.body['apiCalls']).toBe(1);
    expect([await count('Event'), await count('Task'), await count('ContentNote')]).toEqual(before);
    const [event] = await orgQuery<{ Salescaling_Meeting_Id__c: string | null }>(
      stack.org,
      `SELECT Salescaling_Meeting_Id__c FROM Event WHERE Id = '${calendarEventId}'`,
    );
    expect(event?.Salescaling_Meeting_Id__c).toBeNull();
  });

  it('when the workspace turns enrichment off, then the simulator says the meeting would get its own Event', async () => {
    const put = await api(stack.svc.url, 'PUT', '/v1/workspaces/ws_1/salesforce/settings', {
      version: 0,
      settings: { calendarEventEnrichment: { enabled: false } },
    });
    expect(put.status).toBe(200);
    const res = await simulate({ meeting: meeting({ id: 'mtg_sim_cal' }) });
    expect(res.body['calendarEvent']).toEqual({
      decision: 'create',
      eventId: null,
      reason: 'disabled',
      candidates: [],
    });
  });
});
