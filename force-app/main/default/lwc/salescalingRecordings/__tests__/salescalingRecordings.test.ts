import SalescalingRecordings from 'c/salescalingRecordings';
import { graphql } from 'lightning/graphql';
// @ts-expect-error the Jest mock adds test helpers the platform module does not have
import { getNavigateCalledWith, resetNavigate } from 'lightning/navigation';
import { flushPromises, mount, resetDom } from '../../../../../test/jest-utils';

const meetings = require('./data/meetings.json');
const noMeetings = require('./data/noMeetings.json');
const graphqlErrors = require('./data/graphqlErrors.json');

const ACCOUNT_ID = '001Dn00000Nw7hQIAR';
const CONTACT_ID = '003Dn00000Qm2PzIAJ';
const OPPORTUNITY_ID = '006Dn00000Ha3xYIAR';

type Wired = typeof graphql & {
  emit(value: unknown): void;
  emitErrors(errors: unknown): void;
  getLastConfig(): { query: string; variables: Record<string, unknown> };
};
const adapter = graphql as Wired;

function render(props: Record<string, unknown> = {}) {
  return mount('c-salescaling-recordings', SalescalingRecordings, {
    recordId: ACCOUNT_ID,
    objectApiName: 'Account',
    ...props,
  });
}

const q = (element: HTMLElement, dataId: string) =>
  element.shadowRoot!.querySelector(`[data-id="${dataId}"]`) as HTMLElement | null;
const qAll = (element: HTMLElement, dataId: string) =>
  Array.from(element.shadowRoot!.querySelectorAll(`[data-id="${dataId}"]`)) as HTMLElement[];
const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

describe('c-salescaling-recordings', () => {
  afterEach(() => {
    resetDom();
    resetNavigate();
  });

  it('when the meetings have not arrived yet, then a labelled spinner shows', async () => {
    const element = render();
    await flushPromises();

    const spinner = q(element, 'loading')!.querySelector('lightning-spinner') as HTMLElement & {
      alternativeText: string;
    };
    expect(spinner.alternativeText).toBe('Loading recorded meetings');
    expect(q(element, 'meetings')).toBeNull();
  });

  it('when an Account page gets its meetings, then each shows title, time, duration, attendees, summary and links, newest first', async () => {
    const element = render();
    adapter.emit(meetings);
    await flushPromises();

    const rows = qAll(element, 'meeting');
    expect(rows).toHaveLength(3);
    expect(rows.map((row) => text(row.querySelector('[data-id="event-link"]')))).toEqual([
      'Discovery call: Northwind rollout',
      'Pricing follow-up',
      'Untitled meeting',
    ]);

    const [first, second, third] = rows as [HTMLElement, HTMLElement, HTMLElement];
    const when = first.querySelector('[data-id="when"]') as HTMLElement & { value: string };
    expect(when.value).toBe('2026-11-20T16:00:00.000Z');
    expect(text(first.querySelector('[data-id="duration"]'))).toBe('45 min');
    expect(text(second.querySelector('[data-id="duration"]'))).toBe('1 h 30 min');
    expect(text(first.querySelector('[data-id="attendees"]'))).toBe(
      'Attendees: Ana Ruiz, Bob Lee and 3 more',
    );
    expect(text(first.querySelector('[data-id="summary"]'))).toMatch(
      /^Northwind wants to replace spreadsheets/,
    );

    const recording = first.querySelector('[data-id="recording-link"]') as HTMLAnchorElement;
    expect(recording.href).toBe('https://app.salescaling.com/meetings/mtg_8f2k1');
    expect(recording.target).toBe('_blank');
    expect(recording.rel).toBe('noopener noreferrer');
    expect(recording.getAttribute('aria-label')).toBe(
      'Open recording of Discovery call: Northwind rollout in Salescaling (opens in a new tab)',
    );
    expect(text(recording)).toBe('Open recording');

    expect((first.querySelector('[data-id="event-link"]') as HTMLAnchorElement).getAttribute('href')).toBe(
      '/lightning/r/Event/00UDn00000Sc4lQMAR/view',
    );
    expect((first.querySelector('[data-id="notes-link"]') as HTMLAnchorElement).getAttribute('href')).toBe(
      '/lightning/r/Task/00TDn00000Lq9aBMAR/view',
    );

    // The meeting with nothing but an id: no duration, attendees, summary, recording or notes.
    for (const missing of ['duration', 'attendees', 'summary', 'recording-link', 'notes-link']) {
      expect(third.querySelector(`[data-id="${missing}"]`)).toBeNull();
    }
    expect(element.shadowRoot!.querySelector('lightning-card')!.getAttribute('title')).toBeNull();
    expect(
      (element.shadowRoot!.querySelector('lightning-card') as HTMLElement & { title: string }).title,
    ).toBe('Salescaling Recordings (3)');
  });

  it.each([
    [
      'Account',
      ACCOUNT_ID,
      {
        and: [
          { Salescaling_Meeting_Id__c: { ne: null } },
          { or: [{ WhatId: { eq: ACCOUNT_ID } }, { AccountId: { eq: ACCOUNT_ID } }] },
        ],
      },
    ],
    [
      'Opportunity',
      OPPORTUNITY_ID,
      { and: [{ Salescaling_Meeting_Id__c: { ne: null } }, { WhatId: { eq: OPPORTUNITY_ID } }] },
    ],
    [
      'Contact',
      CONTACT_ID,
      {
        and: [
          { Salescaling_Meeting_Id__c: { ne: null } },
          {
            or: [
              { WhoId: { eq: CONTACT_ID } },
              { Id: { inq: { EventRelation: { RelationId: { eq: CONTACT_ID } }, ApiName: 'EventId' } } },
            ],
          },
        ],
      },
    ],
  ])(
    'when on a %s page, then the query asks for that record’s Salescaling meetings',
    async (objectApiName, recordId, eventWhere) => {
      render({ objectApiName, recordId, maxMeetings: 3 });
      await flushPromises();

      const { query, variables } = adapter.getLastConfig();
      expect(query).toContain('Event(where: $eventWhere, orderBy: { StartDateTime: { order: DESC } }');
      expect(variables.eventWhere).toEqual(eventWhere);
      expect(variables.first).toBe(3);
      expect(JSON.stringify(variables.taskWhere)).toContain(recordId);
    },
  );

  it('when a Contact page asks, then Tasks where the contact is related through TaskRelation are included', async () => {
    render({ objectApiName: 'Contact', recordId: CONTACT_ID });
    await flushPromises();

    expect(adapter.getLastConfig().variables.taskWhere).toEqual({
      and: [
        { Salescaling_Meeting_Id__c: { ne: null } },
        {
          or: [
            { WhoId: { eq: CONTACT_ID } },
            { Id: { inq: { TaskRelation: { RelationId: { eq: CONTACT_ID } }, ApiName: 'TaskId' } } },
          ],
        },
      ],
    });
  });

  it('when the admin sets Meetings to show to 2, then two meetings show and only two are asked for', async () => {
    const element = render({ maxMeetings: 2 });
    adapter.emit(meetings);
    await flushPromises();

    expect(adapter.getLastConfig().variables.first).toBe(2);
    expect(qAll(element, 'meeting')).toHaveLength(2);
  });

  it('when the record has no recorded meetings, then a sentence says so', async () => {
    const element = render();
    adapter.emit(noMeetings);
    await flushPromises();

    expect(text(q(element, 'empty'))).toBe(
      'No recorded meetings yet. Meetings recorded with Salescaling appear here once they are processed.',
    );
    expect(q(element, 'meetings')).toBeNull();
  });

  it('when the query fails, then the error panel says so and shows the details on request', async () => {
    const element = render();
    adapter.emitErrors(graphqlErrors);
    await flushPromises();

    const panel = element.shadowRoot!.querySelector('c-salescaling-error-panel') as HTMLElement;
    expect(panel).not.toBeNull();
    const inner = (id: string) => panel.shadowRoot!.querySelector(`[data-id="${id}"]`) as HTMLElement | null;
    expect(text(inner('error-message'))).toBe('Recorded meetings could not be loaded');
    expect(inner('error-details')).toBeNull();

    const toggle = inner('error-toggle')!;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    await flushPromises();

    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(text(inner('error-details'))).toBe(
      "Field 'Salescaling_Meeting_Id__c' in type 'Event' is undefined",
    );
  });

  it('when a person clicks a meeting title, then Salesforce opens that Event', async () => {
    const element = render();
    adapter.emit(meetings);
    await flushPromises();

    (qAll(element, 'event-link')[1] as HTMLAnchorElement).click();

    expect(getNavigateCalledWith().pageReference).toEqual({
      type: 'standard__recordPage',
      attributes: { recordId: '00UDn00000Sc4lRMAR', objectApiName: 'Event', actionName: 'view' },
    });
  });

  it('when a stored recording link is not http(s), then no link is offered', async () => {
    const element = render();
    const unsafe = JSON.parse(JSON.stringify(meetings));
    unsafe.uiapi.query.Event.edges[0].node.Salescaling_Recording_Url__c.value = 'javascript:alert(1)'; // eslint-disable-line no-script-url
    adapter.emit(unsafe);
    await flushPromises();

    expect(qAll(element, 'meeting')[0]!.querySelector('[data-id="recording-link"]')).toBeNull();
  });

  it('when placed on a page other than Account, Contact or Opportunity, then it says where it works and queries nothing', async () => {
    const element = render({ objectApiName: 'Case', recordId: '500Dn00000Xx1aAIAR' });
    await flushPromises();

    expect(text(q(element, 'unsupported'))).toBe(
      'Salescaling Recordings works on Account, Contact and Opportunity pages.',
    );
    expect(q(element, 'loading')).toBeNull();
  });

  it.each([
    ['meetings', () => adapter.emit(meetings)],
    ['no meetings', () => adapter.emit(noMeetings)],
    ['an error', () => adapter.emitErrors(graphqlErrors)],
  ])('when showing %s, then the component is accessible', async (_state, emit) => {
    const element = render();
    emit();
    await flushPromises();

    await expect(element).toBeAccessible();
  });
});
