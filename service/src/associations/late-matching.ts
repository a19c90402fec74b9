/**
 * Late matches (CONTRACT §7.7): a meeting that was skipped, or written while some participants
 * matched nothing, is looked at again for the workspace's late-matching window, so a Contact or Lead
 * created after the meeting gets linked without anyone resending it. This part is pure: which stored
 * meetings qualify, and which emails to ask the org about.
 */
import type { Meeting } from '../meetings/schema.ts';
import type { DroppedAssociation } from '../domain/meeting-outcome.ts';
import { normalizeEmail } from './emails.ts';

export const DAY_MS = 86_400_000;

export interface StoredOutcome {
  readonly meetingId: string;
  readonly meeting: Meeting | null;
  readonly dropped: readonly DroppedAssociation[];
}

export interface LateMatchCandidate {
  readonly meetingId: string;
  /** Participants' emails that matched nothing in the org at the last sync. */
  readonly emails: readonly string[];
}

/** The meetings of one workspace worth asking about again, within `windowDays` after they ended. */
export function lateMatchCandidates(
  outcomes: readonly StoredOutcome[],
  windowDays: number,
  now: number,
): LateMatchCandidate[] {
  if (windowDays <= 0) return [];
  const out: LateMatchCandidate[] = [];
  for (const o of outcomes) {
    if (o.meeting === null) continue;
    const ended = Date.parse(o.meeting.endedAt);
    if (Number.isNaN(ended) || ended < now - windowDays * DAY_MS) continue;
    const emails = [
      ...new Set(o.dropped.flatMap((d) => (d.reason === 'not_found' ? (normalizeEmail(d.email) ?? []) : []))),
    ];
    if (emails.length > 0) out.push({ meetingId: o.meetingId, emails });
  }
  return out;
}

/** The meetings to sync again: those with an email the org now knows. */
export function meetingsToRequeue(
  candidates: readonly LateMatchCandidate[],
  known: ReadonlySet<string>,
): string[] {
  return candidates.filter((c) => c.emails.some((e) => known.has(e))).map((c) => c.meetingId);
}
