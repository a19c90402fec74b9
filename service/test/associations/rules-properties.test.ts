/**
 * Property tests of the cascade with the workspace's rules (fast-check): whatever the meeting, the org
 * and the settings, the invariants of CONTRACT §7 hold.
 */
import fc from 'fast-check';
import { chooseOpportunity } from '../../src/associations/opportunity-rule.ts';
import { isExcludedEmail, resolveAssociations } from '../../src/associations/resolve.ts';
import { emailDomain } from '../../src/associations/domains.ts';
import type { CrmSnapshot, OpportunityRecord } from '../../src/associations/snapshot.ts';
import type { Meeting } from '../../src/meetings/schema.ts';
import {
  associationSettingsSchema,
  type AssociationSettings,
} from '../../src/settings/association-settings.ts';
import { accountId, contactId, leadId, meeting, oppId, snapshot, userId } from './fixtures.ts';

const DOMAINS = ['acme.io', 'globex.io', 'gmail.com', 'vendor.example', 'shared.io', 'eu.acme.io'];
const arbEmail = fc
  .tuple(fc.constantFrom('ana', 'bo', 'cy', 'di', 'ed'), fc.constantFrom(...DOMAINS))
  .map(([user, domain]) => `${user}@${domain}`);

const arbMeeting: fc.Arbitrary<Meeting> = fc
  .record({
    participants: fc.array(fc.record({ email: arbEmail, internal: fc.boolean() }), { maxLength: 8 }),
    account: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    opp: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    day: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ participants, account, opp, day }) =>
    meeting({
      startedAt: `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`,
      endedAt: `2026-11-${String(day).padStart(2, '0')}T11:00:00Z`,
      participants,
      associations: {
        ...(account === undefined ? {} : { accountId: accountId(account) }),
        ...(opp === undefined ? {} : { opportunityId: oppId(opp) }),
      },
    }),
  );

const arbOpportunity: fc.Arbitrary<OpportunityRecord> = fc.record({
  id: fc.integer({ min: 0, max: 6 }).map(oppId),
  accountId: fc.option(fc.integer({ min: 0, max: 4 }).map(accountId), { nil: null }),
  closeDate: fc.option(
    fc.integer({ min: 1, max: 60 }).map((d) => new Date(Date.UTC(2026, 9, d)).toISOString().slice(0, 10)),
    { nil: null },
  ),
  isClosed: fc.boolean(),
  contactIds: fc.array(fc.integer({ min: 0, max: 9 }).map(contactId), { maxLength: 3 }),
});

/** One record per id, as the org answers. */
const arbOpportunities = fc.uniqueArray(arbOpportunity, { maxLength: 8, selector: (o) => o.id });

const arbSnapshot: fc.Arbitrary<CrmSnapshot> = fc
  .record({
    users: fc.array(
      fc.record({ id: fc.integer({ min: 0, max: 3 }).map(userId), email: arbEmail, isActive: fc.boolean() }),
      { maxLength: 2 },
    ),
    contacts: fc.uniqueArray(
      fc.record({
        id: fc.integer({ min: 0, max: 9 }).map(contactId),
        email: fc.option(arbEmail, { nil: null }),
        accountId: fc.option(fc.integer({ min: 0, max: 4 }).map(accountId), { nil: null }),
        lastModified: fc.constant('2026-01-01T00:00:00Z'),
        isDeleted: fc.boolean(),
      }),
      { maxLength: 6, selector: (c) => c.id },
    ),
    leads: fc.uniqueArray(
      fc.record({
        id: fc.integer({ min: 0, max: 3 }).map(leadId),
        email: fc.option(arbEmail, { nil: null }),
        lastModified: fc.constant('2026-01-01T00:00:00Z'),
      }),
      { maxLength: 2, selector: (l) => l.id },
    ),
    account: fc.option(
      fc.integer({ min: 0, max: 4 }).map((n) => ({ id: accountId(n), state: 'found' as const })),
      { nil: undefined },
    ),
    opportunity: fc.option(
      fc.record({
        id: fc.integer({ min: 0, max: 6 }).map(oppId),
        state: fc.constant('found' as const),
        accountId: fc.option(fc.integer({ min: 0, max: 4 }).map(accountId), { nil: null }),
      }),
      { nil: undefined },
    ),
    opportunities: arbOpportunities,
    domainAccounts: fc.array(
      fc.record({
        id: fc.integer({ min: 0, max: 4 }).map(accountId),
        website: fc.option(fc.constantFrom(...DOMAINS, 'https://www.acme.io/', 'www.globex.io'), {
          nil: null,
        }),
      }),
      { maxLength: 4 },
    ),
  })
  .map((s) => snapshot(Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined))));

const arbSettings: fc.Arbitrary<AssociationSettings> = fc
  .record({
    opp: fc.boolean(),
    window: fc.integer({ min: 0, max: 60 }),
    domain: fc.boolean(),
    neverEmails: fc.array(arbEmail, { maxLength: 2 }),
    neverDomains: fc.array(fc.constantFrom(...DOMAINS), { maxLength: 2 }),
    internal: fc.array(fc.constantFrom(...DOMAINS), { maxLength: 1 }),
    mapped: fc.array(
      fc.record({
        domain: fc.constantFrom(...DOMAINS),
        accountId: fc.integer({ min: 0, max: 4 }).map(accountId),
      }),
      { maxLength: 2 },
    ),
  })
  .map((s) =>
    associationSettingsSchema.parse({
      opportunityRule: { enabled: s.opp, closeDateWindowDays: s.window },
      domainMatching: {
        enabled: s.domain,
        domainAccounts: s.mapped.filter((m, i) => s.mapped.findIndex((o) => o.domain === m.domain) === i),
      },
      exclusions: {
        neverLinkEmails: s.neverEmails,
        neverLinkDomains: s.neverDomains,
        internalDomains: s.internal,
      },
    }),
  );

const same = (a: string, b: string) => a.slice(0, 15) === b.slice(0, 15);

describe('association rules properties', () => {
  it('never a closed Opportunity unless picked by hand; at most one WhatId; never a link without a reason', () => {
    fc.assert(
      fc.property(arbMeeting, arbSnapshot, arbSettings, (m, s, settings) => {
        const a = resolveAssociations(m, s, settings);
        const opportunities = a.linked.filter((l) => l.type === 'Opportunity');
        expect(opportunities.length).toBeLessThanOrEqual(1);
        for (const o of opportunities) {
          const record = (s.opportunities ?? []).find((r) => same(r.id, o.recordId));
          if (o.why !== 'hand_picked') {
            expect(record?.isClosed).toBe(false);
            expect(settings.opportunityRule.enabled).toBe(true);
          }
        }
        for (const l of a.linked) expect(l.why).toMatch(/^[a-z_]+$/);
        for (const d of a.dropped) expect(d.reason).toMatch(/^[a-z_]+$/);
        // WhatId is one record: the linked Opportunity, else the Event's Account; never beside a Lead.
        if (a.leadId !== null) expect(a.whatId).toBeNull();
        if (opportunities[0] !== undefined) expect(a.whatId).toBe(opportunities[0].recordId);
        else if (a.whatId !== null) expect(a.accountIds).toContain(a.whatId);
        // every id on the Event was linked with a reason
        const linkedIds = a.linked.map((l) => l.recordId);
        for (const id of [a.whoId, a.whatId, ...a.contactIds, ...a.accountIds]) {
          if (id !== null) expect(linkedIds).toContain(id);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('excluded emails and domains, and internal domains, are never linked nor matched by domain', () => {
    fc.assert(
      fc.property(arbMeeting, arbSnapshot, arbSettings, (m, s, settings) => {
        const a = resolveAssociations(m, s, settings);
        const emailsOf = (id: string) =>
          [...s.contacts, ...s.leads].filter((r) => same(r.id, id)).flatMap((r) => r.email ?? []);
        for (const l of a.linked) {
          if (l.type !== 'Contact' && l.type !== 'Lead') continue;
          for (const email of emailsOf(l.recordId)) {
            if (l.why === 'email_match' || l.why === 'hand_picked')
              expect(isExcludedEmail(email, settings)).toBe(false);
          }
        }
        const byDomain = a.linked.filter((l) => l.why === 'website_domain' || l.why === 'domain_mapping');
        if (byDomain.length > 0) {
          // some external, non-excluded, non-free participant domain must point to it
          const domains = m.participants
            .filter((p) => !p.internal)
            .flatMap((p) => emailDomain(p.email) ?? [])
            .filter((d) => !settings.exclusions.neverLinkDomains.includes(d))
            .filter((d) => !settings.exclusions.internalDomains.includes(d));
          expect(domains.filter((d) => d !== 'gmail.com' && d !== 'vendor.example').length).toBeGreaterThan(
            0,
          );
          expect(byDomain).toHaveLength(1);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a tie picks none and reports every tied candidate; the choice ignores input order', () => {
    fc.assert(
      fc.property(
        arbOpportunities,
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 9 }).map(contactId), { maxLength: 3 }),
        fc.integer({ min: 0, max: 40 }),
        (opps, account, contacts, window) => {
          const choice = chooseOpportunity(
            opps,
            accountId(account),
            contacts,
            '2026-10-20T10:00:00Z',
            window,
          );
          const reversed = chooseOpportunity(
            [...opps].reverse(),
            accountId(account),
            contacts,
            '2026-10-20T10:00:00Z',
            window,
          );
          if (choice.kind === 'chosen') {
            expect(reversed).toEqual(choice);
            const chosen = opps.find((o) => o.id === choice.id);
            expect(chosen?.isClosed).toBe(false);
            expect(chosen?.accountId).toBe(accountId(account));
          }
          if (choice.kind === 'tie') {
            expect(choice.candidates.length).toBeGreaterThan(1);
            expect(reversed.kind).toBe('tie');
            for (const id of choice.candidates) expect(opps.find((o) => o.id === id)?.isClosed).toBe(false);
          }
        },
      ),
      { numRuns: 600 },
    );
  });

  it('when a meeting ties, then the resolution links no Opportunity and reports both', () => {
    const m = meeting({ participants: [{ email: 'ana@acme.io', internal: false }] });
    const s = snapshot({
      contacts: [
        {
          id: contactId(1),
          email: 'ana@acme.io',
          accountId: accountId(1),
          lastModified: '',
          isDeleted: false,
        },
      ],
      opportunities: [
        { id: oppId(1), accountId: accountId(1), closeDate: '2026-11-18', isClosed: false, contactIds: [] },
        { id: oppId(2), accountId: accountId(1), closeDate: '2026-11-22', isClosed: false, contactIds: [] },
      ],
    });
    const a = resolveAssociations(m, s, associationSettingsSchema.parse({}));
    expect(a.whatId).toBe(accountId(1));
    expect(a.dropped).toEqual(
      expect.arrayContaining([
        { recordId: oppId(1), reason: 'opportunity_tie' },
        { recordId: oppId(2), reason: 'opportunity_tie' },
      ]),
    );
  });
});
