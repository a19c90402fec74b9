/**
 * Late matches (CONTRACT §7.7): a meeting that was skipped, or written without all it could be linked
 * to, is looked at again for the workspace's late-matching window, so that what appears in Salesforce
 * after the meeting gets linked without anyone resending it — for every rule of the cascade:
 * - a Contact or Lead created with the email of a participant who matched nothing (§7.1, §7.4);
 * - an open Opportunity of the meeting's Account created (or changed) after the last sync, whose close
 *   date lies within the opportunity rule's window (§7.8);
 * - an Account whose Website now names an unmatched participant's domain, or an admin's domain → Account
 *   mapping saved after the last sync (§7.9).
 * This part is pure: which stored meetings qualify, what to ask the org, and which meetings the org's
 * answer sends back to the queue. Only what changed after a meeting's last sync counts, so a meeting
 * is re-synced once per change, not at every pass.
 */
import type { Meeting } from '../meetings/schema.ts';
import type { AssociationSettings } from '../settings/association-settings.ts';
import type { DroppedAssociation, LinkedAssociation } from '../domain/meeting-outcome.ts';
import { domainMatchesHost, emailDomain, isFreeMailDomain, websiteHost } from './domains.ts';
import { normalizeEmail, sameSalesforceId } from './emails.ts';
import { daysBetween } from './opportunity-rule.ts';
import { isExcludedEmail } from './resolve.ts';

export const DAY_MS = 86_400_000;

export interface StoredOutcome {
  readonly meetingId: string;
  readonly meeting: Meeting | null;
  readonly dropped: readonly DroppedAssociation[];
  /** What the last sync linked (absent: read by an older caller; then only emails are asked about). */
  readonly linked?: readonly LinkedAssociation[];
  /** When the meeting was last synced or skipped (epoch ms); absent: unknown. */
  readonly syncedAt?: number;
}

export interface LateMatchCandidate {
  readonly meetingId: string;
  /** Participants' emails that matched nothing in the org at the last sync. */
  readonly emails: readonly string[];
  /** Company domains of those emails, when nothing was linked that domain matching would yield to. */
  readonly domains?: readonly string[];
  /** Accounts the meeting is linked to without an Opportunity, when the opportunity rule may add one. */
  readonly accountIds?: readonly string[];
  /** The last sync (epoch ms): only records changed since then count. */
  readonly syncedAt?: number;
  /** The meeting's start, for the opportunity rule's close-date window. */
  readonly startedAt?: string;
}

/** What the org answered for one pass (salesforce/rule-lookups.ts lateMatchLookup). */
export interface LateMatchFindings {
  /** Emails now held by a Contact or an unconverted Lead (normalized). */
  readonly emails: ReadonlySet<string>;
  /** Accounts whose Website may name an asked domain, with when they last changed (epoch ms). */
  readonly accounts?: readonly { id: string; website: string | null; lastModified: number }[];
  /** Open Opportunities of asked Accounts changed since the oldest asked sync. */
  readonly opportunities?: readonly {
    id: string;
    accountId: string | null;
    closeDate: string | null;
    lastModified: number;
  }[];
}

function ownDomains(meeting: Meeting): Set<string> {
  const own = new Set<string>();
  for (const email of [
    meeting.organizer.email,
    ...meeting.participants.filter((p) => p.internal).map((p) => p.email),
  ]) {
    const d = emailDomain(email);
    if (d !== null) own.add(d);
  }
  return own;
}

/**
 * The meetings of one workspace worth asking about again, within `lateMatching.windowDays` after they
 * ended. `settings` may be a plain window (days) when only Contacts and Leads are asked about.
 */
export function lateMatchCandidates(
  outcomes: readonly StoredOutcome[],
  settings: AssociationSettings | number,
  now: number,
): LateMatchCandidate[] {
  const windowDays = typeof settings === 'number' ? settings : settings.lateMatching.windowDays;
  const rules = typeof settings === 'number' ? null : settings;
  if (windowDays <= 0) return [];
  const out: LateMatchCandidate[] = [];
  for (const o of outcomes) {
    if (o.meeting === null) continue;
    const ended = Date.parse(o.meeting.endedAt);
    if (Number.isNaN(ended) || ended < now - windowDays * DAY_MS) continue;
    const emails = [
      ...new Set(
        o.dropped.flatMap((d) =>
          d.reason === 'not_found' && d.recordId === undefined ? (normalizeEmail(d.email) ?? []) : [],
        ),
      ),
    ];
    const linked = o.linked ?? [];
    const picked = o.meeting.associations ?? {};
    const linkedTypes = new Set(linked.map((l) => l.type));
    const handPicked = picked.accountId !== undefined || picked.opportunityId !== undefined;

    let domains: string[] = [];
    if (
      rules?.domainMatching.enabled === true &&
      o.linked !== undefined &&
      !handPicked &&
      !linkedTypes.has('Contact') &&
      !linkedTypes.has('Lead') &&
      !linkedTypes.has('Account')
    ) {
      const own = ownDomains(o.meeting);
      const internal = rules.exclusions.internalDomains;
      domains = [
        ...new Set(
          emails.flatMap((email) => {
            const d = emailDomain(email);
            if (d === null || own.has(d) || isFreeMailDomain(d) || isExcludedEmail(email, rules)) return [];
            if (internal.some((i) => d === i || d.endsWith(`.${i}`))) return [];
            // Only plain host names reach a LIKE pattern.
            return /^[a-z0-9.-]+\.[a-z0-9-]+$/.test(d) ? [d] : [];
          }),
        ),
      ];
    }

    let accountIds: string[] = [];
    if (
      rules?.opportunityRule.enabled === true &&
      picked.opportunityId === undefined &&
      !linkedTypes.has('Opportunity') &&
      !linkedTypes.has('Lead')
    ) {
      accountIds = [...new Set(linked.filter((l) => l.type === 'Account').map((l) => l.recordId))];
    }

    if (emails.length === 0 && domains.length === 0 && accountIds.length === 0) continue;
    out.push({
      meetingId: o.meetingId,
      emails,
      ...(rules === null ? {} : { domains, accountIds, startedAt: o.meeting.startedAt }),
      ...(o.syncedAt === undefined ? {} : { syncedAt: o.syncedAt }),
    });
  }
  return out;
}

/**
 * Changed after the meeting's last sync. Strictly after, to the millisecond: a change the last sync
 * already saw must not queue the meeting at every pass. (The query asks from the whole second, as
 * SOQL date-times have no milliseconds.)
 */
function changedSince(lastModified: number, syncedAt: number | undefined): boolean {
  if (syncedAt === undefined) return true;
  return lastModified > syncedAt;
}

/**
 * The meetings to sync again: an email the org now knows; an Account changed since the last sync
 * whose Website names one of the meeting's domains, or an admin's mapping for one of them saved since
 * then; an open Opportunity of the meeting's Account changed since then, with its close date within
 * the rule's window. `findings` may be the set of known emails alone.
 */
export function meetingsToRequeue(
  candidates: readonly LateMatchCandidate[],
  findings: LateMatchFindings | ReadonlySet<string>,
  settings?: AssociationSettings,
  settingsUpdatedAt?: number | null,
): string[] {
  const found: LateMatchFindings =
    findings instanceof Set ? { emails: findings } : (findings as LateMatchFindings);
  return candidates
    .filter((c) => {
      if (c.emails.some((e) => found.emails.has(e))) return true;
      for (const domain of c.domains ?? []) {
        const mapped = settings?.domainMatching.domainAccounts.some(
          (m) => domain === m.domain || domain.endsWith(`.${m.domain}`),
        );
        if (mapped === true && settingsUpdatedAt != null && changedSince(settingsUpdatedAt, c.syncedAt))
          return true;
        const hit = (found.accounts ?? []).some((a) => {
          const host = websiteHost(a.website);
          return host !== null && domainMatchesHost(domain, host) && changedSince(a.lastModified, c.syncedAt);
        });
        if (hit) return true;
      }
      const window = settings?.opportunityRule.closeDateWindowDays;
      for (const o of found.opportunities ?? []) {
        if (o.accountId === null || !(c.accountIds ?? []).some((a) => sameSalesforceId(a, o.accountId!)))
          continue;
        if (!changedSince(o.lastModified, c.syncedAt)) continue;
        const distance =
          o.closeDate === null || c.startedAt === undefined ? null : daysBetween(o.closeDate, c.startedAt);
        if (window === undefined || (distance !== null && distance <= window)) return true;
      }
      return false;
    })
    .map((c) => c.meetingId);
}
