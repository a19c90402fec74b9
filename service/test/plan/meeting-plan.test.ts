import fc from 'fast-check';
import type { Associations } from '../../src/associations/resolve.ts';
import {
  DESCRIPTION_MAX,
  NOTE_TITLE_MAX,
  SUBJECT_MAX,
  consolidatedNotes,
  planMeeting,
  versionFromDescription,
} from '../../src/plan/meeting-plan.ts';
import { formatOffset, truncate } from '../../src/plan/text.ts';
import type { OrgProfile } from '../../src/domain/org-profile.ts';
import { accountId, contactId, meeting, userId } from '../associations/fixtures.ts';

const org: OrgProfile = {
  orgId: '00D000000000001AAA',
  connectedUserId: userId(9),
  sharedActivities: true,
  packageFields: {},
};

const links: Associations = {
  outcome: 'linked',
  whoId: contactId(1),
  whatId: accountId(1),
  contactIds: [contactId(1), contactId(2)],
  leadId: null,
  accountId: accountId(1),
  accountIds: [accountId(1)],
  opportunityId: null,
  ownerId: null,
  linked: [],
  dropped: [],
};

describe('meeting plan', () => {
  it('when a meeting is planned, then the Event carries when, who, duration, recording and the summary opening', () => {
    const plan = planMeeting(meeting({ version: 4 }), links, org);
    expect(plan.event).toMatchObject({
      subject: 'Discovery call',
      start: '2026-11-20T15:00:00.000Z',
      end: '2026-11-20T15:30:00.000Z',
      whoId: contactId(1),
      whatId: accountId(1),
      ownerId: userId(9),
      otherContactIds: [contactId(2)],
      packageFields: {},
    });
    expect(plan.event.description).toContain('When: 2026-11-20 15:00–15:30 UTC (30 min)');
    expect(plan.event.description).toContain('Participants: seller@vendor.example, Ana <ana@buyer.example>');
    expect(plan.event.description).toContain('Recording: https://app.salescaling.com/recordings/mtg_1');
    expect(plan.event.description).toContain('The buyer wants fewer manual steps.');
    expect(versionFromDescription(plan.event.description)).toBe(4);
    expect(plan.noteLinkIds).toEqual([contactId(1), contactId(2), accountId(1)]);
    expect(plan.task.activityDate).toBe('2026-11-20');
  });

  it('when the package is installed, then its fields are filled; without it, none are', () => {
    const withPackage: OrgProfile = {
      ...org,
      packageFields: { meetingId: 'Salescaling_Meeting_Id__c', recordingUrl: 'Salescaling_Recording_Url__c' },
    };
    expect(planMeeting(meeting(), links, withPackage).event.packageFields).toEqual({
      Salescaling_Meeting_Id__c: 'mtg_1',
      Salescaling_Recording_Url__c: 'https://app.salescaling.com/recordings/mtg_1',
    });
  });

  it('when Shared Activities is off, then no contact beyond the WhoId is related', () => {
    const plan = planMeeting(meeting(), links, { ...org, sharedActivities: false });
    expect(plan.event.otherContactIds).toEqual([]);
    expect(plan.task.otherContactIds).toEqual([]);
  });

  it('when notes and clips come in any order, then they are grouped by category in time order with mm:ss and links', () => {
    const text = consolidatedNotes(
      meeting({
        notes: [
          { id: 'n1', category: 'Next steps', text: 'Send quote', at: 125 },
          { id: 'n2', category: 'Pain points', text: 'Manual\nwork', at: 3 },
          { id: 'n3', category: 'Next steps', text: 'Untimed' },
          { id: 'n4', category: 'Next steps', text: 'Call back', at: 61 },
        ],
        clips: [
          {
            id: 'c1',
            title: 'Pricing',
            category: 'Pain points',
            startSec: 4503,
            endSec: 4510,
            url: 'https://c.example/1',
          },
        ],
      }),
    );
    expect(text).toBe(
      [
        'Notes and clips from "Discovery call"',
        'Recording: https://app.salescaling.com/recordings/mtg_1',
        '',
        'Next steps',
        '• 01:01 Call back — https://app.salescaling.com/recordings/mtg_1?t=61',
        '• 02:05 Send quote — https://app.salescaling.com/recordings/mtg_1?t=125',
        '• Untimed',
        '',
        'Pain points',
        '• 00:03 Manual work — https://app.salescaling.com/recordings/mtg_1?t=3',
        '• 75:03–75:10 Clip: Pricing — https://c.example/1',
      ].join('\n'),
    );
  });

  it('when notes would pass 32,000 characters, then whole items are kept and the rest is counted with where to find it', () => {
    const notes = Array.from({ length: 400 }, (_, i) => ({
      id: `n${i}`,
      category: `C${i % 3}`,
      text: 'x'.repeat(200),
      at: i,
    }));
    const text = consolidatedNotes(meeting({ notes }));
    expect(text.length).toBeLessThanOrEqual(DESCRIPTION_MAX);
    expect(text).toMatch(
      /… \d+ more notes and clips not shown here; all are in Salescaling: https:\/\/app\.salescaling\.com/,
    );
  });

  it('when any title, summary, notes or participants come in, then every text fits its Salesforce limit', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 600 }),
        fc.string({ maxLength: 40_000 }),
        fc.array(
          fc.record({
            id: fc.string({ minLength: 1 }),
            category: fc.string(),
            text: fc.string({ maxLength: 3_000 }),
            at: fc.nat(100_000),
          }),
          { maxLength: 40 },
        ),
        fc.array(
          fc.record({
            name: fc.string({ maxLength: 255 }),
            email: fc.emailAddress(),
            internal: fc.boolean(),
          }),
          { maxLength: 300 },
        ),
        (title, summary, notes, participants) => {
          const plan = planMeeting(meeting({ title, summary, notes, participants }), links, org);
          expect(plan.event.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
          expect(plan.task.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
          expect(plan.note.title.length).toBeLessThanOrEqual(NOTE_TITLE_MAX);
          expect(plan.event.description.length).toBeLessThanOrEqual(DESCRIPTION_MAX);
          expect(plan.task.description.length).toBeLessThanOrEqual(DESCRIPTION_MAX);
          expect(plan.event.subject.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('when a 300-character title is shortened, then it ends with "…" at exactly 255', () => {
    const plan = planMeeting(meeting({ title: 'a'.repeat(300) }), links, org);
    expect(plan.event.subject).toBe('a'.repeat(254) + '…');
    expect(truncate('😀😀😀', 4)).toBe('😀…');
    expect(formatOffset(59.9)).toBe('00:59');
  });
});
