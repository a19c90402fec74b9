/**
 * More invariants of the pure cascade (fast-check), with every setting varied, Contacts for unknown
 * guests and late matching included:
 * - never a closed Opportunity unless picked by hand; never a link without a reason;
 * - a tie picks no Opportunity and reports every candidate;
 * - free-mail and the workspace's own domains never match an Account, nor make a Contact;
 * - excluded emails and domains, internal domains and opted-out organizers are never linked;
 * - a created Contact is always an unmatched external guest under the one Account their domain named;
 * - the records planned for a new meeting hold exactly one Event, and every graph reference points
 *   to a node before it (never two Events for one meeting, nothing dangling);
 * - late matching queues only meetings within the window, for changes after their last sync.
 */
import fc from 'fast-check';
import {
  domainMatchesHost,
  emailDomain,
  isFreeMailDomain,
  websiteHost,
} from '../../src/associations/domains.ts';
import {
  lateMatchCandidates,
  meetingsToRequeue,
  type StoredOutcome,
} from '../../src/associations/late-matching.ts';
import { CONTACT_LAST_NAME_MAX, isNewContactRef } from '../../src/associations/new-contacts.ts';
import { isExcludedEmail, resolveAssociations } from '../../src/associations/resolve.ts';
import type { CrmSnapshot } from '../../src/associations/snapshot.ts';
import type { Meeting } from '../../src/meetings/schema.ts';
import { planMeeting } from '../../src/plan/meeting-plan.ts';
import { createNodes } from '../../src/salesforce/writes.ts';
import {
  associationSettingsSchema,
  type AssociationSettings,
} from '../../src/settings/association-settings.ts';
import type { OrgProfile } from '../../src/domain/org-profile.ts';
import { accountId, contactId, leadId, meeting, oppId, snapshot, userId } from './fixtures.ts';

const DOMAINS = [
  'acme.io',
  'globex.io',
  'gmail.com',
  'vendor.example',
  'shared.io',
  'eu.acme.io',
  'yahoo.fr',
];
const arbEmail = fc
  .tuple(fc.constantFrom('ana', 'bo', 'cy', 'di', 'ed.k'), fc.constantFrom(...DOMAINS))
  .map(([user, domain]) => `${user}@${domain}`);

const ORGANIZERS = ['seller@vendor.example', 'boss@vendor.example'];

const arbMeeting: fc.Arbitrary<Meeting> = fc
  .record({
    organizer: fc.constantFrom(...ORGANIZERS),
    participants: fc.array(
      fc.record({
        email: arbEmail,
        internal: fc.boolean(),
        name: fc.option(fc.constantFrom('Ana López', 'Bo', 'Cy, Di', ' ', 'x@y.example'), { nil: undefined }),
      }),
      { maxLength: 8 },
    ),
    // Hand-picks in about half the meetings each: the rules often run without them.
    account: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined, freq: 2 }),
    opp: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined, freq: 2 }),
    day: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ organizer, participants, account, opp, day }) =>
    meeting({
      organizer: { email: organizer },
      startedAt: `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`,
      endedAt: `2026-11-${String(day).padStart(2, '0')}T11:00:00Z`,
      participants: participants.map((p) =>
        p.name === undefined ? { email: p.email, internal: p.internal } : p,
      ),
      associations: {
        ...(account === undefined ? {} : { accountId: accountId(account) }),
        ...(opp === undefined ? {} : { opportunityId: oppId(opp) }),
      },
    }),
  );

const arbSnapshot: fc.Arbitrary<CrmSnapshot> = fc
  .record({
    sharedActivities: fc.boolean(),
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
      { maxLength: 5, selector: (c) => c.id },
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
    opportunities: fc.uniqueArray(
      fc.record({
        id: fc.integer({ min: 0, max: 6 }).map(oppId),
        accountId: fc.option(fc.integer({ min: 0, max: 2 }).map(accountId), { nil: null }),
        closeDate: fc.option(
          fc
            .integer({ min: 12, max: 18 })
            .map((d) => new Date(Date.UTC(2026, 10, d)).toISOString().slice(0, 10)),
          { nil: null },
        ),
        isClosed: fc.boolean(),
        contactIds: fc.array(fc.integer({ min: 0, max: 9 }).map(contactId), { maxLength: 3 }),
      }),
      { maxLength: 8, selector: (o) => o.id },
    ),
    domainAccounts: fc.uniqueArray(
      fc.record({
        id: fc.integer({ min: 0, max: 4 }).map(accountId),
        website: fc.option(fc.constantFrom(...DOMAINS, 'https://www.acme.io/', 'www.globex.io'), {
          nil: null,
        }),
      }),
      { maxLength: 4, selector: (a) => a.id },
    ),
  })
  .map((s) => snapshot(Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined))));

const arbSettings: fc.Arbitrary<AssociationSettings> = fc
  .record({
    opp: fc.boolean(),
    window: fc.integer({ min: 0, max: 60 }),
    domain: fc.boolean(),
    create: fc.boolean(),
    neverEmails: fc.array(arbEmail, { maxLength: 2 }),
    neverDomains: fc.array(fc.constantFrom(...DOMAINS), { maxLength: 2 }),
    internal: fc.array(fc.constantFrom(...DOMAINS), { maxLength: 1 }),
    optedOut: fc.array(fc.constantFrom(...ORGANIZERS), { maxLength: 1 }),
    withoutExternal: fc.boolean(),
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
      contactCreation: { enabled: s.create },
      exclusions: {
        neverLinkEmails: s.neverEmails,
        neverLinkDomains: s.neverDomains,
        internalDomains: s.internal,
        optedOutOrganizers: s.optedOut,
        writeMeetingsWithoutExternalParticipant: s.withoutExternal,
      },
    }),
  );

const same = (a: string, b: string) => a.slice(0, 15) === b.slice(0, 15);
const under = (domain: string, list: readonly string[]) =>
  list.some((d) => domain === d || domain.endsWith(`.${d}`));

/** The workspace's own domains as the cascade sees them: organizer, internal participants, active users. */
function ownDomains(m: Meeting, s: CrmSnapshot): Set<string> {
  const own = new Set<string>();
  for (const e of [
    m.organizer.email,
    ...m.participants.filter((p) => p.internal).map((p) => p.email),
    ...s.users.filter((u) => u.isActive).map((u) => u.email),
  ]) {
    const d = emailDomain(e);
    if (d !== null) own.add(d);
  }
  return own;
}

const PROFILE: OrgProfile = {
  orgId: '00D000000000001AAA',
  connectedUserId: userId(9),
  sharedActivities: true,
  packageFields: {},
};

/**
 * A fixed seed: the counts below must not depend on luck (some cases, such as a guest created beside
 * a matched contact, come up a few times in a thousand runs). Change it to explore other cases; the
 * counts then say whether every case is still met.
 */
fc.configureGlobal({ seed: Number(process.env['PROPERTY_SEED'] ?? 1) });

/** How often each case came up: a property that never meets its case proves nothing. */
const hits = {
  createdBeside: 0,
  created: 0,
  tie: 0,
  domain: 0,
  optedOut: 0,
  ruleOpportunity: 0,
  requeued: 0,
};
afterAll(() => {
  for (const [name, count] of Object.entries(hits)) {
    if (count === 0) throw new Error(`no generated case exercised ${name}: ${JSON.stringify(hits)}`);
  }
});

describe('cascade invariants (all settings varied)', () => {
  it('never a closed Opportunity unless picked; never a link without a reason; a tie links none and reports its candidates', () => {
    fc.assert(
      fc.property(arbMeeting, arbSnapshot, arbSettings, (m, s, settings) => {
        const a = resolveAssociations(m, s, settings);
        for (const l of a.linked) expect(l.why).toMatch(/^[a-z_]+$/);
        const linkedIds = a.linked.map((l) => l.recordId);
        for (const id of [a.whoId, a.whatId, ...a.contactIds, ...a.accountIds, a.opportunityId, a.leadId])
          if (id !== null) expect(linkedIds).toContain(id);
        for (const o of a.linked.filter((l) => l.type === 'Opportunity')) {
          if (o.why === 'hand_picked') continue;
          expect((s.opportunities ?? []).find((r) => same(r.id, o.recordId))?.isClosed).toBe(false);
        }
        const tied = a.dropped.filter((d) => d.reason === 'opportunity_tie');
        if (a.linked.some((l) => l.type === 'Opportunity' && l.why !== 'hand_picked'))
          hits.ruleOpportunity += 1;
        if (tied.length > 0) {
          hits.tie += 1;
          expect(tied.length).toBeGreaterThan(1);
          expect(a.linked.some((l) => l.type === 'Opportunity' && l.why !== 'hand_picked')).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('when two open Opportunities of the meeting’s Account are equally near and nearest, then none is linked and both are reported', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 25 }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
        (day, k, byRole, farther) => {
          const start = `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`;
          const at = (offset: number) =>
            new Date(Date.parse(start) + offset * 86_400_000).toISOString().slice(0, 10);
          const m = meeting({
            startedAt: start,
            endedAt: start.replace('T10', 'T11'),
            participants: [{ email: 'ana@acme.io', internal: false }],
          });
          const roles = byRole ? [contactId(1)] : [];
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
              {
                id: oppId(1),
                accountId: accountId(1),
                closeDate: at(-k),
                isClosed: false,
                contactIds: roles,
              },
              { id: oppId(2), accountId: accountId(1), closeDate: at(k), isClosed: false, contactIds: roles },
              // farther ones, some closed, none with a role: they never break the tie
              ...farther.map((f, i) => ({
                id: oppId(3 + i),
                accountId: accountId(1),
                closeDate: at(k + 1 + f),
                isClosed: f % 2 === 0,
                contactIds: [],
              })),
            ],
          });
          const a = resolveAssociations(m, s, associationSettingsSchema.parse({}));
          expect(a.opportunityId).toBeNull();
          expect(a.whatId).toBe(accountId(1));
          expect(a.dropped).toEqual(
            expect.arrayContaining([
              { recordId: oppId(1), reason: 'opportunity_tie' },
              { recordId: oppId(2), reason: 'opportunity_tie' },
            ]),
          );
          hits.tie += 1;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('opted-out organizers, excluded and internal addresses are never linked; free-mail and own domains never match an Account', () => {
    fc.assert(
      fc.property(arbMeeting, arbSnapshot, arbSettings, (m, s, settings) => {
        const a = resolveAssociations(m, s, settings);
        if (settings.exclusions.optedOutOrganizers.includes(m.organizer.email)) {
          expect(a).toMatchObject({ outcome: 'skipped', skipReason: 'organizer_opted_out', linked: [] });
          hits.optedOut += 1;
          return;
        }
        for (const l of a.linked) {
          if (l.type !== 'Contact' && l.type !== 'Lead') continue;
          const emails = isNewContactRef(l.recordId)
            ? (a.newContacts ?? []).filter((c) => c.ref === l.recordId).map((c) => c.email)
            : [...s.contacts, ...s.leads].filter((r) => same(r.id, l.recordId)).flatMap((r) => r.email ?? []);
          for (const email of emails) {
            expect(isExcludedEmail(email, settings)).toBe(false);
            if (l.why !== 'hand_picked')
              expect(under(emailDomain(email)!, settings.exclusions.internalDomains)).toBe(false);
          }
        }
        const byDomain = a.linked.filter((l) => l.why === 'website_domain' || l.why === 'domain_mapping');
        expect(byDomain.length).toBeLessThanOrEqual(1);
        for (const l of byDomain) {
          hits.domain += 1;
          const own = ownDomains(m, s);
          const reasons = m.participants
            .filter((p) => !p.internal)
            .flatMap((p) => emailDomain(p.email) ?? [])
            .filter(
              (d) => !own.has(d) && !isFreeMailDomain(d) && !under(d, settings.exclusions.internalDomains),
            )
            .filter((d) => {
              const mapping = settings.domainMatching.domainAccounts.find(
                (x) => d === x.domain || d.endsWith(`.${x.domain}`),
              );
              if (mapping !== undefined) return same(mapping.accountId, l.recordId);
              return (s.domainAccounts ?? []).some((acc) => {
                const host = websiteHost(acc.website);
                return same(acc.id, l.recordId) && host !== null && domainMatchesHost(d, host);
              });
            });
          expect(reasons.length).toBeGreaterThan(0);
        }
        if (!settings.exclusions.writeMeetingsWithoutExternalParticipant) {
          const hasExternal = m.participants.some((p) => !p.internal && !own(m, s, p.email ?? '', settings));
          if (!hasExternal) expect(a.outcome).toBe('skipped');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a created Contact is an unmatched external guest, with a company domain naming exactly the Account it goes under; only when the setting is on', () => {
    fc.assert(
      fc.property(arbMeeting, arbSnapshot, arbSettings, (m, s, settings) => {
        const a = resolveAssociations(m, s, settings);
        const created = a.newContacts ?? [];
        if (!settings.contactCreation.enabled) expect(created).toEqual([]);
        const cap = s.sharedActivities ? 50 : 1;
        expect(a.contactIds.length).toBeLessThanOrEqual(cap);
        const email = (p: { email?: string | undefined }) => (p.email ?? '').toLowerCase();
        const external = m.participants.filter((p) => !p.internal).map(email);
        const internal = new Set(m.participants.filter((p) => p.internal).map(email));
        if (created.length > 0) hits.created += 1;
        const own = ownDomains(m, s);
        for (const c of created) {
          expect(external).toContain(c.email);
          expect(internal.has(c.email)).toBe(false);
          const domain = emailDomain(c.email)!;
          expect(isFreeMailDomain(domain)).toBe(false);
          expect(own.has(domain)).toBe(false);
          expect(isExcludedEmail(c.email, settings)).toBe(false);
          // nobody in the org had this email as a live Contact or a Lead
          expect(s.contacts.some((x) => !x.isDeleted && x.email === c.email)).toBe(false);
          expect(s.leads.some((x) => x.email === c.email)).toBe(false);
          // under an Account the meeting is linked to: with nobody else matched, the one the domain
          // rule chose (the Event's); beside matched contacts, the only Account the domain names
          expect(a.accountIds).toContain(c.accountId);
          const matched = a.contactIds.filter((id) => !isNewContactRef(id));
          if (matched.length === 0) expect(c.accountId).toBe(a.accountId);
          else {
            hits.createdBeside += 1;
            const host = (acc: { website: string | null }) => websiteHost(acc.website);
            const mapping = settings.domainMatching.domainAccounts.find(
              (x) => domain === x.domain || domain.endsWith(`.${x.domain}`),
            );
            const named =
              mapping !== undefined
                ? [mapping.accountId]
                : (s.domainAccounts ?? [])
                    .filter((acc) => host(acc) !== null && domainMatchesHost(domain, host(acc)!))
                    .map((acc) => acc.id);
            expect(named).toEqual([c.accountId]);
          }
          expect(a.linked).toContainEqual({ recordId: c.ref, type: 'Contact', why: 'created_for_guest' });
          expect(a.dropped.some((d) => d.reason === 'ambiguous_domain' && d.email === c.email)).toBe(false);
          expect(c.lastName.trim().length).toBeGreaterThan(0);
          expect(c.lastName.length).toBeLessThanOrEqual(CONTACT_LAST_NAME_MAX);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a new meeting’s graph holds exactly one Event and one Task, and every reference points to an earlier node', () => {
    fc.assert(
      fc.property(arbMeeting, arbSnapshot, arbSettings, (m, s, settings) => {
        const a = resolveAssociations(m, s, settings);
        if (a.outcome !== 'linked') return;
        const nodes = createNodes(
          planMeeting(m, a, { ...PROFILE, sharedActivities: s.sharedActivities }),
          PROFILE,
        );
        expect(nodes.filter((n) => n.method === 'POST' && n.url === '/sobjects/Event')).toHaveLength(1);
        expect(nodes.filter((n) => n.method === 'POST' && n.url === '/sobjects/Task')).toHaveLength(1);
        const seen = new Set<string>();
        for (const node of nodes) {
          const text = JSON.stringify(node.body ?? {}) + node.url;
          for (const [, ref] of text.matchAll(/@\{([A-Za-z0-9_]+)\.id\}/g)) expect(seen.has(ref!)).toBe(true);
          seen.add(node.referenceId);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Whether an email is the workspace's own for the "without external participant" rule. */
function own(m: Meeting, s: CrmSnapshot, email: string, settings: AssociationSettings): boolean {
  const e = email.toLowerCase();
  const d = emailDomain(e);
  return (
    e === m.organizer.email.toLowerCase() ||
    m.participants.some((p) => p.internal && (p.email ?? '').toLowerCase() === e) ||
    s.users.some((u) => u.isActive && u.email.toLowerCase() === e) ||
    (d !== null && under(d, settings.exclusions.internalDomains)) ||
    isExcludedEmail(e, settings)
  );
}

describe('late matching invariants', () => {
  const NOW = Date.parse('2026-11-30T12:00:00Z');
  const arbOutcome: fc.Arbitrary<StoredOutcome> = fc
    .record({
      id: fc.integer({ min: 0, max: 50 }).map((n) => `m${n}`),
      m: arbMeeting,
      endedDaysAgo: fc.integer({ min: 0, max: 20 }),
      notFound: fc.array(arbEmail, { maxLength: 3 }),
      linkedAccount: fc.option(fc.integer({ min: 0, max: 4 }).map(accountId), { nil: null }),
      linkedOpp: fc.boolean(),
      syncedHoursAgo: fc.integer({ min: 0, max: 200 }),
    })
    .map((o) => {
      const end = new Date(NOW - o.endedDaysAgo * 86_400_000);
      return {
        meetingId: o.id,
        meeting: {
          ...o.m,
          startedAt: new Date(end.getTime() - 3_600_000).toISOString(),
          endedAt: end.toISOString(),
        },
        dropped: o.notFound.map((email) => ({ email, reason: 'not_found' as const })),
        linked: [
          ...(o.linkedAccount === null
            ? []
            : [{ recordId: o.linkedAccount, type: 'Account' as const, why: 'contact_account' }]),
          ...(o.linkedOpp ? [{ recordId: oppId(1), type: 'Opportunity' as const, why: 'hand_picked' }] : []),
        ],
        syncedAt: NOW - o.syncedHoursAgo * 3_600_000,
      };
    });

  it('only meetings within the window are asked about; only changes after a meeting’s last sync queue it; rules off ask nothing of them', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbOutcome, { maxLength: 6, selector: (o) => o.meetingId }),
        arbSettings,
        fc.integer({ min: 0, max: 30 }),
        fc.array(
          fc.record({
            accountId: fc.integer({ min: 0, max: 4 }).map(accountId),
            hoursAgo: fc.integer({ min: 0, max: 300 }),
            day: fc.integer({ min: 1, max: 30 }),
          }),
          { maxLength: 4 },
        ),
        (outcomes, base, windowDays, opps) => {
          const settings = { ...base, lateMatching: { windowDays } };
          const candidates = lateMatchCandidates(outcomes, settings, NOW);
          for (const c of candidates) {
            const o = outcomes.find((x) => x.meetingId === c.meetingId)!;
            expect(Date.parse(o.meeting!.endedAt)).toBeGreaterThanOrEqual(NOW - windowDays * 86_400_000);
            if (!settings.opportunityRule.enabled) expect(c.accountIds ?? []).toEqual([]);
            if (!settings.domainMatching.enabled) expect(c.domains ?? []).toEqual([]);
            for (const d of c.domains ?? []) expect(isFreeMailDomain(d)).toBe(false);
          }
          const findings = {
            emails: new Set<string>(),
            opportunities: opps.map((o, i) => ({
              id: oppId(10 + i),
              accountId: o.accountId,
              closeDate: `2026-11-${String(o.day).padStart(2, '0')}`,
              lastModified: NOW - o.hoursAgo * 3_600_000,
            })),
          };
          const queued = meetingsToRequeue(candidates, findings, settings, null);
          if (queued.length > 0) hits.requeued += 1;
          for (const id of queued) {
            const c = candidates.find((x) => x.meetingId === id)!;
            // some Opportunity of its Account changed after its last sync
            expect(
              findings.opportunities.some(
                (o) =>
                  (c.accountIds ?? []).includes(o.accountId) && o.lastModified > (c.syncedAt ?? -Infinity),
              ),
            ).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
