/**
 * The opportunity rule (CONTRACT §7.8): without a hand-picked Opportunity, which open Opportunity of
 * the meeting's Account takes WhatId.
 * 1. Only open Opportunities of that Account (never a closed one: a closed deal is history, and the
 *    meeting is about what is in play).
 * 2. Only those whose close date lies within the window around the meeting day.
 * 3. Of those, the ones where a linked contact holds an OpportunityContactRole, if any.
 * 4. The close date nearest the meeting day; two or more equally near: none is picked, all reported.
 */
import { sameSalesforceId } from './emails.ts';
import type { OpportunityRecord } from './snapshot.ts';

export type OpportunityChoice =
  | { readonly kind: 'chosen'; readonly id: string; readonly why: 'contact_role' | 'nearest_close_date' }
  | { readonly kind: 'tie'; readonly candidates: readonly string[] }
  | { readonly kind: 'outside_window'; readonly candidates: readonly string[] }
  | { readonly kind: 'none' };

const DAY_MS = 86_400_000;

/** Days between two YYYY-MM-DD dates (or ISO date-times, by their UTC day); null when unreadable. */
export function daysBetween(a: string, b: string): number | null {
  const da = Date.parse(`${a.slice(0, 10)}T00:00:00Z`);
  const db = Date.parse(`${b.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(da) || Number.isNaN(db)) return null;
  return Math.round(Math.abs(da - db) / DAY_MS);
}

export function chooseOpportunity(
  opportunities: readonly OpportunityRecord[],
  accountId: string,
  linkedContactIds: readonly string[],
  meetingStart: string,
  windowDays: number,
): OpportunityChoice {
  const seen = new Set<string>();
  const open = opportunities.filter((o) => {
    const key = o.id.slice(0, 15);
    if (o.isClosed || o.accountId === null || !sameSalesforceId(o.accountId, accountId) || seen.has(key))
      return false;
    seen.add(key);
    return true;
  });
  if (open.length === 0) return { kind: 'none' };
  const distance = new Map<string, number>();
  for (const o of open) {
    const d = o.closeDate === null ? null : daysBetween(o.closeDate, meetingStart);
    if (d !== null && d <= windowDays) distance.set(o.id, d);
  }
  const inWindow = open.filter((o) => distance.has(o.id));
  if (inWindow.length === 0) return { kind: 'outside_window', candidates: open.map((o) => o.id) };
  const withRole = inWindow.filter((o) =>
    o.contactIds.some((c) => linkedContactIds.some((l) => sameSalesforceId(c, l))),
  );
  const pool = withRole.length > 0 ? withRole : inWindow;
  const nearest = Math.min(...pool.map((o) => distance.get(o.id) ?? Infinity));
  const best = pool.filter((o) => distance.get(o.id) === nearest);
  if (best.length > 1) return { kind: 'tie', candidates: best.map((o) => o.id) };
  const [winner] = best;
  if (winner === undefined) return { kind: 'none' };
  return { kind: 'chosen', id: winner.id, why: withRole.length > 0 ? 'contact_role' : 'nearest_close_date' };
}
