import SalescalingRecordings from 'c/salescalingRecordings';
import { graphql } from 'lightning/graphql';
import { getRecord } from 'lightning/uiRecordApi';
import { getRelatedListRecords } from 'lightning/uiRelatedListApi';
// @ts-expect-error the Jest mock adds test helpers the platform module does not have
import { getNavigateCalledWith, resetNavigate } from 'lightning/navigation';
import { flushPromises, mount, resetDom } from '../../../../../test/jest-utils';
import { MEETINGS_QUERY_TEXT, meetingVariables } from '../meetingsQuery';

const meetings = require('./data/meetings.json');
const noMeetings = require('./data/noMeetings.json');
const graphqlErrors = require('./data/graphqlErrors.json');
const contactRoleMeetings = require('./data/contactRoleMeetings.json');
const closedOpportunity = require('./data/closedOpportunity.json');
const contactRoles = require('./data/contactRoles.json');
const manyMeetings = require('./data/manyMeetings.json');

const ACCOUNT_ID = '001Dn00000Nw7hQIAR';
const CONTACT_ID = '003Dn00000Qm2PzIAJ';
const OPPORTUNITY_ID = '006Dn00000Ha3xYIAR';

type Wired = typeof graphql & {
  emit(value: unknown): void;
  emitErrors(errors: unknown): void;
  getLastConfig(): { query: string; variables: Record<string, unknown> };
};
const adapter = graphql as Wired;
type LdsAdapter = {
  emit(value: unknown): void;
  error(body?: unknown, status?: number, statusText?: string): void;
};
const recordAdapter = getRecord as typeof getRecord & LdsAdapter;
const relatedListAdapter = getRelatedListRecords as typeof getRelatedListRecords & LdsAdapter;

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

  it('when an Account page asks, then meetings linked to it and those of any of its related contacts are asked for in two aliased connections', async () => {
    render({ maxMeetings: 3 });
    await flushPromises();

    const { query, variables } = adapter.getLastConfig();
    // The component sends the exported document, so running it elsewhere runs the card's query.
    expect(query).toContain(MEETINGS_QUERY_TEXT.trim());
    expect(variables).toEqual(meetingVariables('Account', ACCOUNT_ID, 3));
    expect(variables.eventWhere).toEqual({
      and: [
        { Salescaling_Meeting_Id__c: { ne: null } },
        { or: [{ WhatId: { eq: ACCOUNT_ID } }, { AccountId: { eq: ACCOUNT_ID } }] },
      ],
    });
    expect(variables.relatedEventWhere).toEqual({
      and: [
        { Salescaling_Meeting_Id__c: { ne: null } },
        { Id: { inq: { EventRelation: { AccountId: { eq: ACCOUNT_ID } }, ApiName: 'EventId' } } },
        { WhatId: { ne: ACCOUNT_ID } },
        { AccountId: { ne: ACCOUNT_ID } },
      ],
    });
  });

  it.each([
    ['Account', ACCOUNT_ID],
    ['Contact', CONTACT_ID],
  ])(
    'when on a %s page, then no semi-join sits under an or (SOQL refuses it)',
    async (objectApiName, recordId) => {
      render({ objectApiName, recordId });
      await flushPromises();

      const semiJoinUnderOr = (filter: unknown, underOr = false): boolean => {
        if (Array.isArray(filter)) return filter.some((f) => semiJoinUnderOr(f, underOr));
        if (!filter || typeof filter !== 'object') return false;
        return Object.entries(filter).some(([key, value]) => {
          if (key === 'inq' || key === 'ninq') return underOr;
          return semiJoinUnderOr(value, underOr || key === 'or');
        });
      };
      const { variables } = adapter.getLastConfig();
      for (const name of ['eventWhere', 'relatedEventWhere', 'taskWhere', 'relatedTaskWhere']) {
        expect(semiJoinUnderOr(variables[name])).toBe(false);
      }
    },
  );

  it('when a Contact page asks, then meetings where the contact is primary, and those where it is a related contact, are asked for', async () => {
    render({ objectApiName: 'Contact', recordId: CONTACT_ID });
    await flushPromises();

    const { variables } = adapter.getLastConfig();
    expect(variables.eventWhere).toEqual({
      and: [{ Salescaling_Meeting_Id__c: { ne: null } }, { WhoId: { eq: CONTACT_ID } }],
    });
    expect(variables.relatedEventWhere).toEqual({
      and: [
        { Salescaling_Meeting_Id__c: { ne: null } },
        { Id: { inq: { EventRelation: { RelationId: { eq: CONTACT_ID } }, ApiName: 'EventId' } } },
        { WhoId: { ne: CONTACT_ID } },
      ],
    });
    expect(variables.relatedTaskWhere).toEqual({
      and: [
        { Salescaling_Meeting_Id__c: { ne: null } },
        { Id: { inq: { TaskRelation: { RelationId: { eq: CONTACT_ID } }, ApiName: 'TaskId' } } },
        { WhoId: { ne: CONTACT_ID } },
      ],
    });
  });

  it('when an Opportunity page has its dates and contact roles, then meetings those contacts attended while it was open are asked for and marked', async () => {
    const element = render({ objectApiName: 'Opportunity', recordId: OPPORTUNITY_ID });
    await flushPromises();
    // Nothing is asked before the Opportunity's dates and contact roles are known.
    expect(q(element, 'loading')).not.toBeNull();
    recordAdapter.emit(closedOpportunity);
    await flushPromises();
    expect(q(element, 'loading')).not.toBeNull();

    relatedListAdapter.emit(contactRoles);
    await flushPromises();
    const { variables } = adapter.getLastConfig();
    expect(variables.eventWhere).toEqual({
      and: [{ Salescaling_Meeting_Id__c: { ne: null } }, { WhatId: { eq: OPPORTUNITY_ID } }],
    });
    expect(variables.relatedEventWhere).toEqual({
      and: [
        { Salescaling_Meeting_Id__c: { ne: null } },
        {
          Id: {
            inq: {
              EventRelation: { RelationId: { in: [CONTACT_ID, '003Dn00000Qm2Q0IAJ'] } },
              ApiName: 'EventId',
            },
          },
        },
        { WhatId: { ne: OPPORTUNITY_ID } },
        { StartDateTime: { gte: { value: '2026-09-01T08:00:00.000Z' } } },
        { StartDateTime: { lte: { value: '2026-11-30T23:59:59.000Z' } } },
      ],
    });

    adapter.emit(contactRoleMeetings);
    await flushPromises();
    const rows = qAll(element, 'meeting');
    expect(rows.map((row) => text(row.querySelector('[data-id="event-link"]')))).toEqual([
      'Security review with IT',
      'Discovery call: Northwind rollout',
    ]);
    expect(text(rows[0]!.querySelector('[data-id="contact-role"]'))).toBe(
      'Related by contact role: a contact with a role on this opportunity attended while it was open.',
    );
    expect(rows[1]!.querySelector('[data-id="contact-role"]')).toBeNull();
  });

  it('when an Opportunity is still open, then its contact-role meetings are not cut at its expected close date', async () => {
    render({ objectApiName: 'Opportunity', recordId: OPPORTUNITY_ID });
    const open = JSON.parse(JSON.stringify(closedOpportunity));
    open.fields.IsClosed.value = false;
    recordAdapter.emit(open);
    relatedListAdapter.emit(contactRoles);
    await flushPromises();

    const related = adapter.getLastConfig().variables.relatedEventWhere as { and: unknown[] };
    expect(related.and).toContainEqual({ StartDateTime: { gte: { value: '2026-09-01T08:00:00.000Z' } } });
    expect(JSON.stringify(related)).not.toContain('lte');
  });

  it('when the Opportunity has no contact role, then the related connections match nothing rather than send an empty IN list', async () => {
    render({ objectApiName: 'Opportunity', recordId: OPPORTUNITY_ID });
    recordAdapter.emit(closedOpportunity);
    relatedListAdapter.emit({ ...contactRoles, records: [], count: 0 });
    await flushPromises();

    const { variables } = adapter.getLastConfig();
    expect((variables.relatedEventWhere as { and: unknown[] }).and).toContainEqual({ Id: { eq: null } });
    expect((variables.relatedTaskWhere as { and: unknown[] }).and).toContainEqual({ Id: { eq: null } });
    expect(JSON.stringify(variables)).not.toContain('"in":[]');
  });

  it('when the Opportunity cannot be read, then the error panel says what to ask an admin for', async () => {
    const element = render({ objectApiName: 'Opportunity', recordId: OPPORTUNITY_ID });
    recordAdapter.error({ message: 'INSUFFICIENT_ACCESS' }, 403, 'Forbidden');
    await flushPromises();

    const panel = element.shadowRoot!.querySelector('c-salescaling-error-panel') as HTMLElement;
    expect(text(panel.shadowRoot!.querySelector('[data-id="error-message"]'))).toContain(
      'Salescaling Recordings Viewer permission set',
    );
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
    expect(text(inner('error-message'))).toBe(
      "You can't see recorded meetings yet: your Salesforce user is missing access to Salescaling's meeting fields. Ask your Salesforce admin to assign you the Salescaling Recordings Viewer permission set.",
    );
    expect(text(inner('error-message'))).not.toContain('is undefined');
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

  it('when there are more meetings than shown, then the title counts both and View all lists the rest', async () => {
    const element = render({ maxMeetings: 2 });
    adapter.emit(manyMeetings);
    await flushPromises();

    const card = element.shadowRoot!.querySelector('lightning-card') as HTMLElement & { title: string };
    expect(card.title).toBe('Salescaling Recordings (2 of 7)');
    expect(qAll(element, 'meeting')).toHaveLength(2);
    const viewAll = q(element, 'view-all')!;
    expect(text(viewAll)).toBe('View all (7)');

    viewAll.click();
    await flushPromises();
    expect(adapter.getLastConfig().variables.first).toBe(2000);
    adapter.emit(manyMeetings);
    await flushPromises();

    expect(qAll(element, 'meeting')).toHaveLength(7);
    expect(card.title).toBe('Salescaling Recordings (7)');
    expect(q(element, 'view-all')).toBeNull();
  });

  it('when every meeting is shown, then there is no View all and no divider after the last meeting', async () => {
    const element = render();
    adapter.emit(meetings);
    await flushPromises();

    expect(q(element, 'view-all')).toBeNull();
    const rows = qAll(element, 'meeting');
    expect(q(element, 'meetings')!.className).not.toMatch(/slds-has-dividers/);
    expect(rows[0]!.classList.contains('slds-border_top')).toBe(false);
    expect(rows.slice(1).every((row) => row.classList.contains('slds-border_top'))).toBe(true);
    expect(rows.some((row) => row.classList.contains('slds-border_bottom'))).toBe(false);
  });

  it('when a person opens a meeting’s summary note, then Salesforce shows the Event’s notes', async () => {
    const element = render();
    adapter.emit(meetings);
    await flushPromises();

    const link = qAll(element, 'summary-link')[0] as HTMLAnchorElement;
    expect(link.getAttribute('href')).toBe(
      '/lightning/r/Event/00UDn00000Sc4lQMAR/related/AttachedContentNotes/view',
    );
    link.click();

    expect(getNavigateCalledWith().pageReference).toEqual({
      type: 'standard__recordRelationshipPage',
      attributes: {
        recordId: '00UDn00000Sc4lQMAR',
        objectApiName: 'Event',
        relationshipApiName: 'AttachedContentNotes',
        actionName: 'view',
      },
    });
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
    unsafe.uiapi.query.events.edges[0].node.Salescaling_Recording_Url__c.value = 'javascript:alert(1)'; // eslint-disable-line no-script-url
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
    ['more meetings than shown', () => adapter.emit(manyMeetings)],
  ])('when showing %s, then the component is accessible', async (_state, emit) => {
    const element = render();
    emit();
    await flushPromises();

    await expect(element).toBeAccessible();
  });
});
