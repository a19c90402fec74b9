/**
 * API calls per meeting for each association case of issue 9 (docs/benchmarks.md), counted by the
 * local org's own counters, look-ups included: a Contact matched by email (the baseline), the
 * opportunity rule, an Account by Website domain, Contacts created for unknown guests (and refused,
 * then written without them), a late match re-written, and one late-matching pass over many waiting
 * meetings. The counts are exact and do not vary; nothing is timed.
 * The local org runs in this process; the service's sync core is called directly, connected as a
 * Standard User with the package's permission sets (never the admin).
 * Usage: node service/bench/associations.ts [--waiting 100]
 */
import { startLocalOrg, type LocalOrg } from '../../emulator/src/index.ts';
import { lateMatchCandidates, type StoredOutcome } from '../src/associations/late-matching.ts';
import type { Meeting } from '../src/meetings/schema.ts';
import { CallCounter } from '../src/salesforce/composite.ts';
import { passwordConnection, type Connection } from '../src/salesforce/connection.ts';
import { PACKAGE_FIELDS } from '../src/salesforce/org-check.ts';
import { lateMatchLookup } from '../src/salesforce/rule-lookups.ts';
import {
  associationSettingsSchema,
  type AssociationSettingsInput,
} from '../src/settings/association-settings.ts';
import { syncMeeting } from '../src/sync/sync-meeting.ts';
import type { OrgProfile } from '../src/domain/org-profile.ts';
import type { SyncOutcome, WrittenRecords } from '../src/domain/meeting-outcome.ts';
import { parseFlags, runIfMain } from '../../scripts/lib/cli.ts';

const USAGE = `Usage: node service/bench/associations.ts [options]   (npm run bench runs every benchmark)
  --waiting N   meetings waiting for a late match in the pass case (default 100)
  --help        this text`;

const values = parseFlags({ waiting: { type: 'string', default: '100' } }, USAGE);
const WAITING = Number(values.waiting);

let n = 0;
function meeting(guests: { email: string; name?: string }[], overrides: Partial<Meeting> = {}): Meeting {
  n += 1;
  const end = new Date(Date.now() - 86_400_000);
  return {
    id: `bench_assoc_${n}`,
    version: 1,
    title: `Association case ${n}`,
    startedAt: new Date(end.getTime() - 1_800_000).toISOString(),
    endedAt: end.toISOString(),
    recordingUrl: `https://app.salescaling.com/recordings/bench-assoc-${n}`,
    organizer: { email: 'seller@vendor.example', name: 'Sam Seller' },
    participants: [
      { email: 'seller@vendor.example', internal: true },
      ...guests.map((g) => ({ ...g, internal: false })),
    ],
    summary: 'Bench meeting.',
    notes: [],
    clips: [],
    ...overrides,
  };
}

async function login(
  org: LocalOrg,
  permissionSets: string[],
  profile?: string,
): Promise<{ conn: Connection; id: string }> {
  const user = await org.createUser({ permissionSets, ...(profile === undefined ? {} : { profile }) });
  const conn = await passwordConnection({
    loginUrl: org.url,
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    redirectUri: 'http://localhost:1717/OauthRedirect',
    username: user.username,
    password: user.password,
    apiVersion: '66.0',
  });
  return { conn, id: user.id };
}

async function main(): Promise<void> {
  const org = await startLocalOrg({});
  try {
    const standard = await login(org, ['Salescaling_Integration_User']);
    const minimum = await login(org, ['Salescaling_Integration_User'], 'Minimum Access - Salesforce');
    const profile: OrgProfile = {
      orgId: org.orgId,
      connectedUserId: standard.id,
      sharedActivities: org.knobs().sharedActivities,
      packageFields: PACKAGE_FIELDS,
    };
    const total = () => org.counters()['total'] ?? 0;
    const seed = (object: string, record: Record<string, unknown>): string => org.seed(object, [record])[0]!;

    async function sync(
      m: Meeting,
      input: AssociationSettingsInput = {},
      conn: Connection = standard.conn,
      previous: WrittenRecords | null = null,
      relink = false,
    ): Promise<{ out: SyncOutcome; calls: number }> {
      const before = total();
      const out = await syncMeeting(
        conn,
        { ...profile, connectedUserId: conn === standard.conn ? standard.id : minimum.id },
        { kind: 'upsert', meeting: m, ...(relink ? { relink } : {}) },
        previous,
        associationSettingsSchema.parse(input),
      );
      return { out, calls: total() - before };
    }

    const rows: { name: string; calls: number; note: string }[] = [];
    const row = (name: string, calls: number, note: string) => rows.push({ name, calls, note });

    // Baseline: a Contact matched by email, Account by the contact, opportunity rule off.
    const acme = seed('Account', { Name: 'Acme' });
    seed('Contact', { LastName: 'Buyer', Email: 'buyer@acme.example', AccountId: acme });
    const base = await sync(meeting([{ email: 'buyer@acme.example' }]), {
      opportunityRule: { enabled: false },
    });
    row('contact match (baseline)', base.calls, `${base.out.state}`);

    const deal = seed('Opportunity', {
      Name: 'Acme deal',
      AccountId: acme,
      CloseDate: new Date().toISOString().slice(0, 10),
      StageName: 'Prospecting',
    });
    const rule = await sync(meeting([{ email: 'buyer@acme.example' }]));
    row(
      'contact match + opportunity rule',
      rule.calls,
      rule.out.linked.some((l) => l.recordId === deal) ? 'Opportunity linked' : 'no Opportunity',
    );

    seed('Account', { Name: 'Globex', Website: 'https://www.globex.example' });
    const domain = await sync(meeting([{ email: 'hank@globex.example' }]));
    row('Account by Website domain', domain.calls, domain.out.state);

    seed('Account', { Name: 'Initech', Website: 'initech.example' });
    const guests = [1, 2, 3].map((i) => ({ email: `guest${i}@initech.example`, name: `Guest Number${i}` }));
    const created = await sync(meeting(guests), { contactCreation: { enabled: true } });
    row(
      'contact creation (3 guests)',
      created.calls,
      `${created.out.linked.filter((l) => l.why === 'created_for_guest').length} Contacts created in the meeting's graph`,
    );

    const beside = await sync(
      meeting([
        { email: 'buyer@acme.example' },
        { email: 'new.colleague@initech.example', name: 'New Colleague' },
      ]),
      { contactCreation: { enabled: true }, opportunityRule: { enabled: false } },
    );
    row(
      'contact creation beside a matched contact',
      beside.calls,
      `${beside.out.linked.filter((l) => l.why === 'created_for_guest').length} Contact created (Accounts by domain asked)`,
    );

    seed('Account', { Name: 'Hooli', Website: 'hooli.example' });
    const refused = await sync(
      meeting([{ email: 'gavin@hooli.example', name: 'Gavin B' }]),
      { contactCreation: { enabled: true } },
      minimum.conn,
    );
    row(
      'contact creation refused (no create on Contact)',
      refused.calls,
      `${refused.out.state}, ${refused.out.dropped.filter((d) => d.reason === 'contact_not_created').length} contact_not_created`,
    );

    // A late match: the written meeting is written again (relink) once an Opportunity appears.
    const umbrella = seed('Account', { Name: 'Umbrella' });
    seed('Contact', { LastName: 'Late', Email: 'late@umbrella.example', AccountId: umbrella });
    const late = meeting([{ email: 'late@umbrella.example' }]);
    const first = await sync(late);
    seed('Opportunity', {
      Name: 'Umbrella deal',
      AccountId: umbrella,
      CloseDate: late.startedAt.slice(0, 10),
      StageName: 'Prospecting',
    });
    const relinked = await sync(late, {}, standard.conn, first.out.written, true);
    row(
      'late match, meeting re-written (relink)',
      relinked.calls,
      relinked.out.linked.some((l) => l.type === 'Opportunity') ? 'Opportunity linked' : 'no Opportunity',
    );

    // One late-matching pass over many waiting meetings: unknown guests, domains, Accounts.
    const outcomes: StoredOutcome[] = Array.from({ length: WAITING }, (_, i) => {
      const m = meeting([{ email: `person${i}@company${i % 40}.example` }]);
      return {
        meetingId: m.id,
        meeting: m,
        dropped: [{ email: `person${i}@company${i % 40}.example`, reason: 'not_found' }],
        linked: i % 2 === 0 ? [] : [{ recordId: umbrella, type: 'Account', why: 'contact_account' }],
        syncedAt: Date.now() - 3_600_000,
      };
    });
    const settings = associationSettingsSchema.parse({});
    const candidates = lateMatchCandidates(outcomes, settings, Date.now());
    const counter = new CallCounter();
    const before = total();
    const unique = (v: string[]) => [...new Set(v)];
    await lateMatchLookup(standard.conn, counter, {
      emails: unique(candidates.flatMap((c) => c.emails)),
      domains: unique(candidates.flatMap((c) => c.domains ?? [])),
      accountIds: unique(candidates.flatMap((c) => c.accountIds ?? [])),
      since: Math.min(...candidates.map((c) => c.syncedAt ?? Date.now())),
    });
    const pass = total() - before;
    row(
      `late-match pass (${candidates.length} waiting meetings)`,
      pass,
      `${(pass / Math.max(1, candidates.length)).toFixed(3)} calls per waiting meeting`,
    );

    console.log('\nAPI calls per meeting by association case (counted by the local org; exact, not timed)');
    const width = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) {
      const delta = r.calls - base.calls;
      const vs = r === rows[0] ? 'baseline' : `${delta >= 0 ? '+' : ''}${delta} vs baseline`;
      console.log(`  ${r.name.padEnd(width)}  ${String(r.calls).padStart(2)}  (${vs}; ${r.note})`);
    }
  } finally {
    await org.stop();
  }
}

runIfMain('associations.ts', main, USAGE);
