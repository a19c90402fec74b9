/**
 * The pure decisions of issue 9's "beside other sync tools" and "a person's edit wins": examples for
 * each rule, and property tests (fast-check) for the invariants — one Event for one meeting at most
 * (never an enriched one and a created one, never two enriched), never a decision without its reason,
 * never a candidate that breaks a rule, and a person's change never overwritten.
 */
import fc from 'fast-check';
import {
  chooseCalendarEvent,
  sameSubject,
  type CalendarEventRecord,
} from '../../src/associations/calendar-match.ts';
import { eventWrite, rememberCreated, type WrittenEventState } from '../../src/plan/person-edits.ts';
import { decisionEntries } from '../../src/sync/enrichment.ts';
import { accountId, contactId, meeting, oppId, userId } from './fixtures.ts';

const owner = userId(1);
const m = meeting({
  title: 'Acme discovery call',
  startedAt: '2026-11-20T10:00:00Z',
  endedAt: '2026-11-20T10:30:00Z',
});

function event(n: number, overrides: Partial<CalendarEventRecord> = {}): CalendarEventRecord {
  return {
    id: `00U${String(n).padStart(12, '0')}AAA`,
    ownerId: owner,
    subject: 'Acme discovery call',
    start: '2026-11-20T10:00:00.000+0000',
    end: '2026-11-20T10:30:00.000+0000',
    isPrivate: false,
    isChild: false,
    isDeleted: false,
    whoId: contactId(1),
    whatId: null,
    salescalingId: null,
    relationIds: [],
    ...overrides,
  };
}

const choose = (events: CalendarEventRecord[], attendeeIds = [contactId(1)], enabled = true) =>
  chooseCalendarEvent({ enabled, meeting: m, ownerId: owner, attendeeIds, events });

describe('chooseCalendarEvent', () => {
  it('when one Event of the owner overlaps with the same subject and attendee, then it is enriched and says why', () => {
    expect(choose([event(1)])).toEqual({
      kind: 'enrich',
      eventId: event(1).id,
      why: 'calendar_event_subject_and_attendee_match',
      candidates: [event(1).id],
    });
  });

  it('when only the subject or only an invitee matches, then that is the reason', () => {
    expect(choose([event(1, { whoId: null })])).toMatchObject({ why: 'calendar_event_subject_match' });
    expect(
      choose([event(1, { subject: 'Weekly sync', whoId: null, relationIds: [contactId(1)] })]),
    ).toMatchObject({ why: 'calendar_event_attendee_match' });
  });

  it('when the setting is off, or no Event qualifies, then the meeting gets its own Event', () => {
    expect(choose([event(1)], undefined, false)).toEqual({
      kind: 'create',
      reason: 'disabled',
      candidates: [],
    });
    const misses = [
      event(1, { ownerId: userId(2) }),
      event(2, { start: '2026-11-20T09:00:00Z', end: '2026-11-20T10:00:00Z' }),
      event(3, { salescalingId: 'mtg_other' }),
      event(4, { isPrivate: true }),
      event(5, { isChild: true }),
      event(6, { isDeleted: true }),
      event(7, { subject: 'Lunch', whoId: contactId(9) }),
    ];
    expect(choose(misses)).toEqual({ kind: 'create', reason: 'no_candidate', candidates: [] });
  });

  it('when several qualify, then both matches beat one, then exact times decide, else none and all are reported', () => {
    const subjectOnly = event(2, { whoId: null });
    expect(choose([subjectOnly, event(1)])).toMatchObject({ kind: 'enrich', eventId: event(1).id });
    const shifted = event(3, { start: '2026-11-20T10:05:00Z' });
    expect(choose([shifted, event(1)])).toMatchObject({ kind: 'enrich', eventId: event(1).id });
    expect(choose([event(1), event(4)])).toEqual({
      kind: 'create',
      reason: 'ambiguous',
      candidates: [event(1).id, event(4).id],
    });
  });

  it('subjects match by their words, ignoring case, punctuation and reply prefixes; short ones only when equal', () => {
    expect(sameSubject('Acme discovery call', 'RE: acme — Discovery call!')).toBe(true);
    expect(sameSubject('Acme discovery call', 'Acme: Acme discovery call (Zoom)')).toBe(true);
    expect(sameSubject('Sync', 'Sync with Globex')).toBe(false);
    expect(sameSubject('', '')).toBe(false);
  });
});

describe('eventWrite (a person’s edit wins)', () => {
  const planned = {
    whoId: contactId(1),
    whatId: accountId(1),
    subject: 'Weekly',
    otherContactIds: [contactId(2)],
  };
  const wrote: WrittenEventState = rememberCreated(planned);

  it('when nothing changed since the sync wrote it, then the plan is written and nothing is kept', () => {
    const w = eventWrite(
      { ...planned, subject: 'Weekly v2', otherContactIds: [contactId(3)] },
      {
        whoId: contactId(1),
        whatId: accountId(1),
        subject: 'Weekly',
        relationIds: [contactId(1), contactId(2)],
        lastModifiedById: null,
      },
      wrote,
      false,
    );
    expect(w).toMatchObject({ whoId: contactId(1), whatId: accountId(1), subject: 'Weekly v2', kept: [] });
    expect(w.otherContactIds).toEqual([contactId(3)]);
    expect(w.remember.relationIds).toEqual([contactId(3)]);
  });

  it('when a person changed WhatId and Subject, removed one contact and added another, then all of it is kept and named', () => {
    const w = eventWrite(
      planned,
      {
        whoId: contactId(1),
        whatId: oppId(1),
        subject: 'Renewal',
        relationIds: [contactId(1), contactId(4)],
        lastModifiedById: userId(3),
      },
      wrote,
      false,
    );
    expect(w.whatId).toBeUndefined();
    expect(w.subject).toBeUndefined();
    expect(w.kept).toEqual(['WhatId', 'Subject', 'EventRelation']);
    expect(w.otherContactIds).toEqual([contactId(4)]);
    // Remembered as the sync wrote them: the next version still sees the person's change.
    expect(w.remember).toMatchObject({ whatId: accountId(1), subject: 'Weekly' });
  });

  it('on an enriched Event, the tool’s subject, WhoId and invitees stay; an empty WhatId is filled', () => {
    const w = eventWrite(
      planned,
      {
        whoId: contactId(7),
        whatId: null,
        subject: 'Tool subject',
        relationIds: [contactId(7), contactId(8)],
        lastModifiedById: null,
      },
      null,
      true,
    );
    expect(w).toMatchObject({ whoId: undefined, whatId: accountId(1), subject: undefined, kept: [] });
    expect(new Set(w.otherContactIds)).toEqual(new Set([contactId(2), contactId(8)]));
    expect(w.remember).toEqual({ whatId: accountId(1), relationIds: [contactId(2)] });
  });
});

// ——— properties ———

const arbEvent: fc.Arbitrary<CalendarEventRecord> = fc
  .record({
    n: fc.integer({ min: 0, max: 9 }),
    owner: fc.constantFrom(owner, userId(2)),
    subject: fc.constantFrom('Acme discovery call', 'RE: Acme discovery call', 'Lunch', null),
    startMin: fc.integer({ min: -90, max: 60 }),
    minutes: fc.integer({ min: 0, max: 120 }),
    isPrivate: fc.boolean(),
    isChild: fc.boolean(),
    isDeleted: fc.boolean(),
    who: fc.option(fc.integer({ min: 0, max: 3 }).map(contactId), { nil: null }),
    relations: fc.array(fc.integer({ min: 0, max: 3 }).map(contactId), { maxLength: 3 }),
    salescalingId: fc.constantFrom(null, '', 'mtg_other'),
  })
  .map((r) => {
    const start = Date.parse(m.startedAt) + r.startMin * 60_000;
    return event(r.n, {
      ownerId: r.owner,
      subject: r.subject,
      start: new Date(start).toISOString(),
      end: new Date(start + r.minutes * 60_000).toISOString(),
      isPrivate: r.isPrivate,
      isChild: r.isChild,
      isDeleted: r.isDeleted,
      whoId: r.who,
      relationIds: r.relations,
      salescalingId: r.salescalingId,
    });
  });

describe('properties of the calendar decision', () => {
  it('never two Events for one meeting, never a decision without its reason, never an Event breaking a rule', () => {
    fc.assert(
      fc.property(
        // Salesforce ids are unique: one row per Event.
        fc.uniqueArray(arbEvent, { maxLength: 8, selector: (e) => e.id }),
        fc.array(fc.integer({ min: 0, max: 3 }).map(contactId), { maxLength: 2 }),
        fc.boolean(),
        (events, attendees, enabled) => {
          const d = chooseCalendarEvent({
            enabled,
            meeting: m,
            ownerId: owner,
            attendeeIds: attendees,
            events,
          });
          const entries = decisionEntries(d);
          // One Event: either the enriched one (exactly one, linked with its why) or our own.
          if (d.kind === 'enrich') {
            expect(entries.linked).toEqual([{ recordId: d.eventId, type: 'Event', why: d.why }]);
            expect(d.why).toMatch(/^calendar_event_/);
            const chosen = events.find((e) => e.id === d.eventId);
            expect(chosen).toBeDefined();
            expect(chosen?.ownerId).toBe(owner);
            expect(chosen?.isPrivate || chosen?.isChild || chosen?.isDeleted).toBe(false);
            expect(chosen?.salescalingId ?? '').toBe('');
            expect(d.candidates).toContain(d.eventId);
          } else {
            expect(entries.linked).toEqual([]);
            expect(['disabled', 'no_candidate', 'ambiguous']).toContain(d.reason);
            if (d.reason === 'ambiguous') expect(d.candidates.length).toBeGreaterThan(1);
            if (!enabled) expect(d.reason).toBe('disabled');
          }
          for (const dropped of entries.dropped) expect(dropped.reason).toBe('calendar_event_ambiguous');
        },
      ),
    );
  });
});

describe('properties of a person’s edit', () => {
  const ids = fc.option(fc.integer({ min: 0, max: 3 }).map(contactId), { nil: null });
  const whats = fc.option(fc.constantFrom(accountId(1), accountId(2), oppId(1)), { nil: null });
  const subjects = fc.constantFrom('Weekly', 'Weekly v2', 'Renamed');
  const relations = fc.uniqueArray(fc.integer({ min: 0, max: 5 }).map(contactId), { maxLength: 4 });

  it('a field that differs from what the sync wrote is never written over, and is named', () => {
    fc.assert(
      fc.property(
        fc.record({ whoId: ids, whatId: whats, subject: subjects, otherContactIds: relations }),
        fc.record({ whoId: ids, whatId: whats, subject: subjects, otherContactIds: relations }),
        fc.record({ whoId: ids, whatId: whats, subject: subjects, relationIds: relations }),
        (before, planned, current) => {
          const wrote = rememberCreated(before);
          const w = eventWrite(planned, { ...current, lastModifiedById: null }, wrote, false);
          const changed = (a: string | null | undefined, b: string | null | undefined) =>
            (a ?? null) !== (b ?? null);
          if (changed(current.whatId, wrote.whatId)) {
            expect(w.whatId).toBeUndefined();
            expect(w.kept).toContain('WhatId');
          }
          if (changed(current.subject, wrote.subject)) {
            expect(w.subject).toBeUndefined();
            expect(w.kept).toContain('Subject');
          }
          if (changed(current.whoId, wrote.whoId)) {
            expect(w.whoId).toBeUndefined();
            expect(w.kept).toContain('WhoId');
          }
          // A relation someone else added stays wanted; the WhoId is never also a plain relation.
          const who = w.whoId === undefined ? current.whoId : w.whoId;
          for (const id of current.relationIds) {
            if (id !== current.whoId && !wrote.relationIds.includes(id) && id !== planned.whoId && id !== who)
              expect(w.otherContactIds).toContain(id);
          }
          if (who !== null) expect(w.otherContactIds).not.toContain(who);
          // Kept fields are remembered as the sync wrote them, so the next version keeps them too.
          if (w.kept.includes('WhatId')) expect(w.remember.whatId).toBe(wrote.whatId);
        },
      ),
    );
  });
});
