import {
  formatDuration,
  reduceErrors,
  safeHttpUrl,
  sellerErrorMessage,
  toMeetings,
  totalMeetings,
} from 'c/salescalingUtils';

// An Opportunity page's query result: three linked meetings (one untitled all-day, one with a stored
// javascript: link) of twelve, and one listed through a contact role.
const opportunityMeetings = require('./data/opportunityMeetings.json');
// What the card's wire and fetches may fail with: GraphQL, LDS (one body, a list, page errors), text.
const mixedErrors = require('./data/mixedErrors.json');

const event = (id: string, start: string | null, meetingId = `mtg_${id}`) => ({
  node: {
    Id: id,
    Subject: { value: `Meeting ${id}` },
    StartDateTime: { value: start },
    Salescaling_Meeting_Id__c: { value: meetingId },
  },
});

describe('salescalingUtils', () => {
  describe('formatDuration', () => {
    it.each([
      [45, '45 min'],
      [60, '1 h'],
      [90, '1 h 30 min'],
      [0, '0 min'],
      [59.6, '1 h'],
      [null, ''],
      [undefined, ''],
      [-5, ''],
      [Number.NaN, ''],
    ])('when the duration is %p minutes, then it reads "%s"', (minutes, expected) => {
      expect(formatDuration(minutes as number | null | undefined)).toBe(expected);
    });
  });

  describe('safeHttpUrl', () => {
    it.each([
      ['https://app.salescaling.com/m/1', 'https://app.salescaling.com/m/1'],
      ['http://example.com', 'http://example.com/'],
      ['javascript:alert(1)', null], // eslint-disable-line no-script-url
      ['data:text/html,hi', null],
      ['not a url', null],
      [null, null],
      ['', null],
    ])('when the stored link is %p, then the offered link is %p', (url, expected) => {
      expect(safeHttpUrl(url)).toBe(expected);
    });
  });

  describe('toMeetings', () => {
    it('when both connections hold meetings, then they are merged newest first, each once, with their notes task', () => {
      const data = {
        uiapi: {
          query: {
            events: { edges: [event('00U1', '2026-11-01T10:00:00.000Z'), event('00U3', null)] },
            relatedEvents: {
              edges: [event('00U2', '2026-11-05T10:00:00.000Z'), event('00U1', '2026-11-01T10:00:00.000Z')],
            },
            tasks: { edges: [{ node: { Id: '00T1', Salescaling_Meeting_Id__c: { value: 'mtg_00U1' } } }] },
            relatedTasks: {
              edges: [{ node: { Id: '00T2', Salescaling_Meeting_Id__c: { value: 'mtg_00U2' } } }],
            },
          },
        },
      };

      const list = toMeetings(data, 10, { relatedByContactRole: true });

      expect(list.map((m) => [m.id, m.notesTaskId, m.byContactRole])).toEqual([
        ['00U2', '00T2', true],
        ['00U1', '00T1', false],
        ['00U3', null, false],
      ]);
      expect(list[2]!.title).toBe('Meeting 00U3');
    });

    it('when an Opportunity page lists meetings through contact roles, then those are marked, newest first, each with its notes task', () => {
      const list = toMeetings(opportunityMeetings, 10, { relatedByContactRole: true });
      expect(list.map((m) => [m.meetingId, m.notesTaskId, m.byContactRole])).toEqual([
        ['mtg_gx_renew', '00TDn00000Kq7sAMAR', false],
        ['mtg_gx_champ', '00TDn00000Kq7sCMAR', true],
        ['mtg_gx_sec', '00TDn00000Kq7sBMAR', false],
        ['mtg_gx_allday', null, false],
      ]);
      expect(list[0]).toMatchObject({
        title: 'Renewal kick-off: Globex',
        duration: '30 min',
        attendees: 'Gil Grant, Gwen Gale',
        recordingUrl: 'https://app.salescaling.com/meetings/mtg_gx_renew',
        notesHref: '/lightning/r/Task/00TDn00000Kq7sAMAR/view',
        recordingLabel: 'Open recording of Renewal kick-off: Globex in Salescaling (opens in a new tab)',
      });
    });

    it('when related meetings are not through contact roles, then none is marked as such', () => {
      const list = toMeetings(opportunityMeetings, 10);
      expect(list).toHaveLength(4);
      expect(list.some((m) => m.byContactRole)).toBe(false);
    });

    it('when a stored recording link is not http(s), then the meeting offers no recording link', () => {
      const security = toMeetings(opportunityMeetings, 10).find((m) => m.meetingId === 'mtg_gx_sec');
      expect(security!.recordingUrl).toBeNull();
    });

    it('when there are more meetings than the limit, then only the newest are kept and only the last has no divider after it', () => {
      const list = toMeetings(opportunityMeetings, 2);
      expect(list.map((m) => m.startedAt)).toEqual(['2026-11-24T15:00:00.000Z', '2026-11-18T10:00:00.000Z']);
      expect(list[0]!.itemClass).toBe('slds-item');
      expect(list.slice(1).every((m) => m.itemClass.includes('slds-border_top'))).toBe(true);
      expect(list.every((m) => !m.itemClass.includes('bottom'))).toBe(true);
    });

    it('when a meeting has no subject nor duration, then it is an untitled meeting with links to its Event and its summary note', () => {
      const untitled = toMeetings(opportunityMeetings, 10).at(-1)!;
      expect(untitled.title).toBe('Untitled meeting');
      expect(untitled.duration).toBe('');
      expect(untitled.eventHref).toBe(`/lightning/r/Event/${untitled.id}/view`);
      expect(untitled.summaryHref).toBe(
        `/lightning/r/Event/${untitled.id}/related/AttachedContentNotes/view`,
      );
    });

    it('when nothing came back, then there are no meetings', () => {
      expect(toMeetings(undefined, 5)).toEqual([]);
      expect(toMeetings({ uiapi: { query: { events: null } } }, 5)).toEqual([]);
      expect(toMeetings(opportunityMeetings, 0)).toEqual([]);
    });
  });

  describe('totalMeetings', () => {
    it('when the connections report totalCount, then the total is their sum (they are disjoint), not what was fetched', () => {
      expect(totalMeetings(opportunityMeetings)).toBe(13);
      expect(
        totalMeetings({
          uiapi: {
            query: { events: { totalCount: 40, edges: [] }, relatedEvents: { totalCount: 2, edges: [] } },
          },
        }),
      ).toBe(42);
    });

    it('when a connection has no totalCount, then what came back counts', () => {
      expect(totalMeetings({ uiapi: { query: { events: { edges: [event('00U1', null)] } } } })).toBe(1);
      expect(totalMeetings(undefined)).toBe(0);
    });
  });

  describe('reduceErrors', () => {
    it('when GraphQL, LDS and JavaScript errors come, then their messages are kept once each', () => {
      expect(reduceErrors([...mixedErrors, new Error('boom'), 'Request timed out', null])).toEqual([
        "Field 'Salescaling_Recording_Url__c' in type 'Event' is undefined",
        'insufficient access rights on cross-reference id: 006Dn000004Qx1c',
        'Request timed out',
        'Try again later',
        "The record couldn't be saved because it failed to trigger a flow.",
        'boom',
      ]);
      expect(reduceErrors(undefined)).toEqual([]);
      expect(reduceErrors(new Error('alone'))).toEqual(['alone']);
    });
  });

  describe('sellerErrorMessage', () => {
    it('when a field or object is not visible to the person, then they read which permission set to ask for, not the GraphQL text', () => {
      const message = sellerErrorMessage(mixedErrors.slice(0, 1));
      expect(message).toContain(
        'Ask your Salesforce admin to assign you the Salescaling Recordings Viewer permission set',
      );
      expect(message).not.toMatch(/undefined|Salescaling_Recording_Url__c/);
      // an LDS refusal for lack of access reads the same
      expect(sellerErrorMessage([mixedErrors[1]])).toBe(message);
    });

    it('when something else failed, then they are told to reload and whom to ask', () => {
      const message = sellerErrorMessage([{ message: 'Service Unavailable' }]);
      expect(message).toMatch(/^Recorded meetings couldn't be loaded right now\. Reload the page/);
      expect(message).not.toContain('Service Unavailable');
    });
  });
});
