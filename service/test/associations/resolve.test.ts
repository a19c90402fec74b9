import fc from 'fast-check';
import { normalizeEmail } from '../../src/associations/emails.ts';
import { LOOKUP_EMAIL_LIMIT } from '../../src/associations/participants.ts';
import { MAX_CONTACTS_PER_ACTIVITY, resolveAssociations } from '../../src/associations/resolve.ts';
import type { CrmSnapshot } from '../../src/associations/snapshot.ts';
import type { Meeting } from '../../src/meetings/schema.ts';
import { accountId, contact, contactId, leadId, meeting, oppId, snapshot, userId } from './fixtures.ts';

const reasons = (r: ReturnType<typeof resolveAssociations>) => r.dropped.map((d) => d.reason);

describe('association cascade', () => {
  it('when a participant email matches a contact in another case and with blanks, then the contact is the WhoId and its account the WhatId', () => {
    const m = meeting({ participants: [{ email: '  ANA@Buyer.Example ', internal: false }] });
    const r = resolveAssociations(m, snapshot({ contacts: [contact(1, 'ana@buyer.example', 1)] }));
    expect(r.outcome).toBe('linked');
    expect(r.whoId).toBe(contactId(1));
    expect(r.whatId).toBe(accountId(1));
    expect(r.linked).toEqual([
      { recordId: contactId(1), type: 'Contact', why: 'email_match' },
      { recordId: accountId(1), type: 'Account', why: 'contact_account' },
    ]);
  });

  it('when contacts belong to several accounts, then the account most of them share is the WhatId and every account is linked', () => {
    const m = meeting({
      participants: [
        { email: 'a@x.example', internal: false },
        { email: 'b@y.example', internal: false },
        { email: 'c@y.example', internal: false },
      ],
    });
    const r = resolveAssociations(
      m,
      snapshot({
        contacts: [contact(1, 'a@x.example', 1), contact(2, 'b@y.example', 2), contact(3, 'c@y.example', 2)],
      }),
    );
    expect(r.whatId).toBe(accountId(2));
    expect(r.accountIds).toEqual([accountId(1), accountId(2)]);
    expect(r.contactIds).toEqual([contactId(1), contactId(2), contactId(3)]);
  });

  it('when two accounts have as many contacts, then the earliest participant’s account wins', () => {
    const m = meeting({
      participants: [
        { email: 'b@y.example', internal: false },
        { email: 'a@x.example', internal: false },
      ],
    });
    const r = resolveAssociations(
      m,
      snapshot({ contacts: [contact(1, 'a@x.example', 1), contact(2, 'b@y.example', 2)] }),
    );
    expect(r.whatId).toBe(accountId(2));
  });

  it('when an email matches several contacts, then the most recently modified wins and the others are reported ambiguous', () => {
    const m = meeting({ participants: [{ email: 'dup@x.example', internal: false }] });
    const r = resolveAssociations(
      m,
      snapshot({
        contacts: [
          contact(5, 'dup@x.example', 1, '2026-01-01T00:00:00.000+0000'),
          contact(4, 'DUP@x.example', 1, '2026-03-01T00:00:00.000+0000'),
          contact(3, 'dup@x.example', 1, '2026-03-01T00:00:00.000+0000'),
        ],
      }),
    );
    expect(r.contactIds).toEqual([contactId(3)]);
    expect(r.dropped).toEqual([
      { recordId: contactId(4), email: 'dup@x.example', reason: 'ambiguous_email' },
      { recordId: contactId(5), email: 'dup@x.example', reason: 'ambiguous_email' },
    ]);
  });

  it('when a hand-picked opportunity is given, then it takes the WhatId and a hand-picked account elsewhere is dropped', () => {
    const m = meeting({ associations: { opportunityId: oppId(1), accountId: accountId(9) } });
    const r = resolveAssociations(
      m,
      snapshot({
        contacts: [contact(1, 'ana@buyer.example', 1)],
        opportunity: { id: oppId(1), state: 'found', accountId: accountId(1) },
        account: { id: accountId(9), state: 'found' },
      }),
    );
    expect(r.whatId).toBe(oppId(1));
    expect(r.dropped).toEqual([{ recordId: accountId(9), reason: 'what_id_taken_by_opportunity' }]);
    expect(r.linked).toContainEqual({ recordId: oppId(1), type: 'Opportunity', why: 'hand_picked' });
  });

  it('when hand-picked ids are missing or deleted, then they are dropped with the reason and the meeting links what remains', () => {
    const m = meeting({
      associations: {
        contactIds: [contactId(7), contactId(8).slice(0, 15)],
        accountId: accountId(3),
        opportunityId: oppId(2),
      },
    });
    const r = resolveAssociations(
      m,
      snapshot({
        contacts: [contact(1, 'ana@buyer.example', 1), { ...contact(8, null, 1), isDeleted: true }],
        account: { id: accountId(3), state: 'deleted' },
        opportunity: { id: oppId(2), state: 'not_found' },
      }),
    );
    expect(r.whoId).toBe(contactId(1));
    expect(r.whatId).toBe(accountId(1));
    expect(r.dropped).toEqual(
      expect.arrayContaining([
        { recordId: contactId(7), reason: 'not_found' },
        { recordId: contactId(8), reason: 'deleted' },
        { recordId: accountId(3), reason: 'deleted' },
        { recordId: oppId(2), reason: 'not_found' },
      ]),
    );
  });

  it('when a hand-picked contact is given in its 15-character form, then it leads the contacts as WhoId', () => {
    const m = meeting({ associations: { contactIds: [contactId(2).slice(0, 15)] } });
    const r = resolveAssociations(
      m,
      snapshot({ contacts: [contact(1, 'ana@buyer.example', 1), contact(2, 'z@z.example', 2)] }),
    );
    expect(r.contactIds).toEqual([contactId(2), contactId(1)]);
    expect(r.linked[0]).toEqual({ recordId: contactId(2), type: 'Contact', why: 'hand_picked' });
  });

  it('when only a lead matches, then the lead is the WhoId with no WhatId', () => {
    const r = resolveAssociations(
      meeting(),
      snapshot({
        leads: [{ id: leadId(1), email: 'ana@buyer.example', lastModified: '2026-01-01T00:00:00Z' }],
      }),
    );
    expect(r).toMatchObject({
      outcome: 'linked',
      whoId: leadId(1),
      whatId: null,
      leadId: leadId(1),
      contactIds: [],
    });
  });

  it('when a contact and a lead both match, then the lead is not allowed', () => {
    const m = meeting({
      participants: [
        { email: 'ana@buyer.example', internal: false },
        { email: 'lee@lead.example', internal: false },
      ],
    });
    const r = resolveAssociations(
      m,
      snapshot({
        contacts: [contact(1, 'ana@buyer.example', 1)],
        leads: [{ id: leadId(1), email: 'lee@lead.example', lastModified: '2026-01-01T00:00:00Z' }],
      }),
    );
    expect(r.leadId).toBeNull();
    expect(r.dropped).toEqual([
      { recordId: leadId(1), email: 'lee@lead.example', reason: 'lead_not_allowed' },
    ]);
  });

  it('when only internal people and Salesforce users attend, then the meeting is skipped with nothing linked', () => {
    const m = meeting({
      participants: [
        { email: 'seller@vendor.example', internal: true },
        { email: 'colleague@vendor.example', internal: false },
      ],
    });
    const r = resolveAssociations(
      m,
      snapshot({ users: [{ id: userId(2), email: 'Colleague@vendor.example', isActive: true }] }),
    );
    expect(r.outcome).toBe('skipped');
    expect(r.dropped).toEqual([{ email: 'colleague@vendor.example', reason: 'salesforce_user' }]);
  });

  it('when the organizer is an active user, then that user owns the meeting; inactive users do not', () => {
    const users = [
      { id: userId(1), email: 'seller@vendor.example', isActive: false },
      { id: userId(3), email: 'SELLER@vendor.example', isActive: true },
    ];
    expect(resolveAssociations(meeting(), snapshot({ users })).ownerId).toBe(userId(3));
    expect(resolveAssociations(meeting(), snapshot({ users: [users[0]!] })).ownerId).toBeNull();
  });

  it('when Shared Activities is off, then only the WhoId contact is linked and the others are dropped', () => {
    const m = meeting({
      participants: [
        { email: 'a@x.example', internal: false },
        { email: 'b@x.example', internal: false },
      ],
    });
    const r = resolveAssociations(
      m,
      snapshot({
        sharedActivities: false,
        contacts: [contact(1, 'a@x.example', 1), contact(2, 'b@x.example', 2)],
      }),
    );
    expect(r.contactIds).toEqual([contactId(1)]);
    expect(r.accountIds).toEqual([accountId(1)]);
    expect(r.dropped).toEqual([
      { recordId: contactId(2), email: 'b@x.example', reason: 'shared_activities_off' },
    ]);
  });

  it('when 60 contacts match, then 50 are linked and 10 dropped over the limit', () => {
    const participants = Array.from({ length: 60 }, (_, i) => ({
      email: `p${i}@x.example`,
      internal: false,
    }));
    const contacts = participants.map((p, i) => contact(i + 1, p.email, 1));
    const r = resolveAssociations(meeting({ participants }), snapshot({ contacts }));
    expect(r.contactIds).toHaveLength(50);
    expect(reasons(r).filter((x) => x === 'over_contact_limit')).toHaveLength(10);
  });

  it('when participants lack emails or repeat one, then each email counts once and the missing ones are reported', () => {
    const m = meeting({
      participants: [
        { internal: false, name: 'No Mail' },
        { email: 'a@x.example', internal: false },
        { email: 'A@X.EXAMPLE', internal: false },
      ],
    });
    const r = resolveAssociations(m, snapshot({ contacts: [contact(1, 'a@x.example', 1)] }));
    expect(r.contactIds).toEqual([contactId(1)]);
    expect(r.dropped).toEqual([{ reason: 'missing_email' }]);
  });
});

// ---- properties ----

const emails = [
  'a@x.example',
  'B@x.example',
  'b@x.example',
  ' c@y.example',
  'd@y.example',
  'e@z.example',
  "o'brien@z.example",
];
const arbEmail = fc.constantFrom(...emails);
const arbMeeting: fc.Arbitrary<Meeting> = fc
  .record({
    participants: fc.array(
      fc.record(
        { email: fc.option(arbEmail, { nil: undefined }), internal: fc.boolean() },
        { requiredKeys: ['internal'] },
      ),
      { maxLength: 80 },
    ),
    extra: fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 70 }),
    picked: fc.array(fc.integer({ min: 0, max: 70 }), { maxLength: 5 }),
    account: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    opp: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  })
  .map(({ participants, extra, picked, account, opp }) =>
    meeting({
      participants: [
        ...participants.map((p) =>
          p.email === undefined ? { internal: p.internal } : { email: p.email, internal: p.internal },
        ),
        ...extra.map((n) => ({ email: `p${n}@many.example`, internal: false })),
      ],
      associations: {
        contactIds: picked.map(contactId),
        ...(account === undefined ? {} : { accountId: accountId(account) }),
        ...(opp === undefined ? {} : { opportunityId: oppId(opp) }),
      },
    }),
  );

const arbSnapshot: fc.Arbitrary<CrmSnapshot> = fc
  .record({
    users: fc.array(
      fc.record({ id: fc.integer({ min: 1, max: 9 }).map(userId), email: arbEmail, isActive: fc.boolean() }),
      { maxLength: 3 },
    ),
    contacts: fc.array(
      fc.record({
        id: fc.integer({ min: 0, max: 70 }).map(contactId),
        email: fc.oneof(
          arbEmail,
          fc.integer({ min: 0, max: 200 }).map((n) => `P${n}@many.example`),
          fc.constant(null),
        ),
        accountId: fc.option(fc.integer({ min: 0, max: 5 }).map(accountId), { nil: null }),
        lastModified: fc.constantFrom('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'),
        isDeleted: fc.boolean(),
      }),
      { maxLength: 120 },
    ),
    leads: fc.array(
      fc.record({
        id: fc.integer({ min: 0, max: 20 }).map(leadId),
        email: fc.option(arbEmail, { nil: null }),
        lastModified: fc.constant('2026-01-01T00:00:00Z'),
      }),
      { maxLength: 5 },
    ),
    account: fc.option(
      fc.oneof(
        fc.integer({ min: 0, max: 5 }).map((n) => ({ id: accountId(n), state: 'found' as const })),
        fc.integer({ min: 0, max: 5 }).map((n) => ({ id: accountId(n), state: 'deleted' as const })),
      ),
      { nil: undefined },
    ),
    opportunity: fc.option(
      fc
        .integer({ min: 0, max: 3 })
        .map((n) => ({ id: oppId(n), state: 'found' as const, accountId: accountId(n) })),
      { nil: undefined },
    ),
    sharedActivities: fc.boolean(),
  })
  .map((s) => {
    // Property inputs stay coherent: the snapshot answers for the ids the meeting picked.
    const out: CrmSnapshot = {
      users: s.users,
      contacts: s.contacts,
      leads: s.leads,
      sharedActivities: s.sharedActivities,
    };
    return {
      ...out,
      ...(s.account ? { account: s.account } : {}),
      ...(s.opportunity ? { opportunity: s.opportunity } : {}),
    };
  });

const cohere = (m: Meeting, s: CrmSnapshot): CrmSnapshot => ({
  ...s,
  ...(m.associations?.accountId && s.account
    ? { account: { ...s.account, id: m.associations.accountId } }
    : {}),
  ...(m.associations?.opportunityId && s.opportunity
    ? { opportunity: { ...s.opportunity, id: m.associations.opportunityId } }
    : {}),
});

describe('hand-picked contacts beyond the limit', () => {
  it('when 55 contacts are hand-picked, then the first 50 distinct ones are looked up and linked, the rest reported', () => {
    const picked = Array.from({ length: 55 }, (_, i) => contactId(i + 1));
    const m = meeting({
      participants: [],
      associations: { contactIds: [contactId(1).slice(0, 15), ...picked] },
    });
    const contacts = picked.map((id, i) => contact(i + 1, null, 1));
    const r = resolveAssociations(m, snapshot({ contacts }));
    expect(r.contactIds).toEqual(picked.slice(0, 50));
    expect(r.dropped).toEqual(
      picked.slice(50).map((recordId) => ({ recordId, reason: 'over_contact_limit' })),
    );
  });
});

describe('association cascade properties', () => {
  it('when anything comes in, then at most 50 contacts (1 without Shared Activities), WhoId first, no WhatId beside a lead', () => {
    fc.assert(
      fc.property(arbMeeting, arbSnapshot, (m, s0) => {
        const s = cohere(m, s0);
        const r = resolveAssociations(m, s);
        expect(r.contactIds.length).toBeLessThanOrEqual(s.sharedActivities ? MAX_CONTACTS_PER_ACTIVITY : 1);
        if (r.contactIds.length > 0) expect(r.whoId).toBe(r.contactIds[0]);
        if (r.leadId !== null) {
          expect(r.whatId).toBeNull();
          expect(r.contactIds).toHaveLength(0);
        }
        expect(new Set(r.contactIds).size).toBe(r.contactIds.length);
        expect(r.outcome === 'skipped').toBe(r.whoId === null && r.whatId === null);
        for (const d of r.dropped) expect(d.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('when anything comes in, then every external participant email is linked or dropped with a reason', () => {
    fc.assert(
      fc.property(arbMeeting, arbSnapshot, (m, s0) => {
        const s = cohere(m, s0);
        const r = resolveAssociations(m, s);
        const internal = new Set(
          m.participants.filter((p) => p.internal).map((p) => normalizeEmail(p.email)),
        );
        const organizer = normalizeEmail(m.organizer.email);
        const linkedIds = new Set(r.linked.map((l) => l.recordId));
        const linkedEmails = new Set(
          [...s.contacts, ...s.leads].filter((x) => linkedIds.has(x.id)).map((x) => normalizeEmail(x.email)),
        );
        const droppedEmails = new Set(r.dropped.map((d) => d.email));
        for (const p of m.participants) {
          const email = normalizeEmail(p.email);
          if (p.internal || email === null || email === organizer || internal.has(email)) continue;
          expect(linkedEmails.has(email) || droppedEmails.has(email)).toBe(true);
        }
        const withoutEmail = m.participants.filter(
          (p) => !p.internal && normalizeEmail(p.email) === null,
        ).length;
        expect(r.dropped.filter((d) => d.reason === 'missing_email')).toHaveLength(withoutEmail);
      }),
      { numRuns: 300 },
    );
  });

  it('when the same input comes twice, or its participants repeat, then the answer is the same', () => {
    fc.assert(
      fc.property(arbMeeting, arbSnapshot, (m, s0) => {
        const s = cohere(m, s0);
        expect(resolveAssociations(m, s)).toEqual(
          resolveAssociations(structuredClone(m), structuredClone(s)),
        );
        const doubled = {
          ...m,
          participants: [...m.participants, ...m.participants.filter((p) => p.email !== undefined)],
        };
        expect(resolveAssociations(doubled, s)).toEqual(resolveAssociations(m, s));
      }),
      { numRuns: 200 },
    );
  });

  it('when more external emails come than the look-up takes, then the rest are reported, not lost', () => {
    const participants = Array.from({ length: LOOKUP_EMAIL_LIMIT + 7 }, (_, i) => ({
      email: `p${i}@x.example`,
      internal: false,
    }));
    const r = resolveAssociations(meeting({ participants }), snapshot());
    expect(r.dropped.filter((d) => d.reason === 'participant_limit')).toHaveLength(7);
    expect(r.dropped.filter((d) => d.reason === 'not_found')).toHaveLength(LOOKUP_EMAIL_LIMIT);
  });
});
