/**
 * The late-matching pass (CONTRACT §7.7, associations/late-matching.ts): every few minutes, per
 * workspace, one composite call asks the org whether, since those meetings were last synced, the
 * emails that matched nothing now belong to a Contact or Lead, an Account's Website now names an
 * unmatched domain, or an open Opportunity appeared on a linked Account; those meetings are queued
 * again and the sync links them by the usual rules. A workspace with no such meeting costs nothing;
 * one with many costs one call per pass.
 */
import { DAY_MS, lateMatchCandidates, meetingsToRequeue } from '../associations/late-matching.ts';
import type { Logger } from '../logger.ts';
import { CallCounter } from '../salesforce/composite.ts';
import type { ConnectionManager } from '../salesforce/connection.ts';
import { lateMatchLookup } from '../salesforce/rule-lookups.ts';
import type { Store } from '../store/types.ts';

/** The longest late-matching window the settings allow; older outcomes are not even read. */
const MAX_WINDOW_DAYS = 30;
/** Stored outcomes read per pass. */
const OUTCOMES_PER_PASS = 2_000;

export interface LateMatchReport {
  readonly workspaces: number;
  readonly meetingsChecked: number;
  readonly requeued: number;
  readonly apiCalls: number;
}

export class LateMatchService {
  readonly #store: Store;
  readonly #connections: ConnectionManager;
  readonly #log: Logger;
  readonly #onQueued: () => void;

  constructor(store: Store, connections: ConnectionManager, logger: Logger, onQueued: () => void) {
    this.#store = store;
    this.#connections = connections;
    this.#log = logger;
    this.#onQueued = onQueued;
  }

  async runOnce(now = Date.now()): Promise<LateMatchReport> {
    const byWorkspace = await this.#store.lateMatches.outcomesSince({
      since: now - MAX_WINDOW_DAYS * DAY_MS,
      limit: OUTCOMES_PER_PASS,
    });
    let workspaces = 0;
    let meetingsChecked = 0;
    let requeued = 0;
    let apiCalls = 0;
    for (const [workspaceId, outcomes] of byWorkspace) {
      const { settings, updatedAt } = await this.#store.settings.get(workspaceId);
      const candidates = lateMatchCandidates(outcomes, settings, now);
      if (candidates.length === 0) continue;
      const counter = new CallCounter();
      try {
        const { conn } = await this.#connections.get(workspaceId);
        const unique = (values: readonly string[]): string[] => [...new Set(values)];
        const { found, asked } = await lateMatchLookup(conn, counter, {
          emails: unique(candidates.flatMap((c) => c.emails)),
          domains: unique(candidates.flatMap((c) => c.domains ?? [])),
          accountIds: unique(candidates.flatMap((c) => c.accountIds ?? [])),
          since: Math.min(...candidates.map((c) => c.syncedAt ?? now - MAX_WINDOW_DAYS * DAY_MS)),
        });
        const checked = candidates.filter(
          (c) =>
            c.emails.some((e) => asked.emails.includes(e)) ||
            (c.domains ?? []).some((d) => asked.domains.includes(d)) ||
            (c.accountIds ?? []).some((a) => asked.accountIds.includes(a)),
        );
        const ids = meetingsToRequeue(
          checked,
          found,
          settings,
          updatedAt === null ? null : Date.parse(updatedAt),
        );
        for (const id of ids) {
          const requeuedOne = await this.#store.meetings.requeue({ workspaceId, meetingId: id }, now, {
            relink: true,
          });
          if (requeuedOne) requeued += 1;
        }
        workspaces += 1;
        meetingsChecked += checked.length;
      } catch (err) {
        // Not connected, broken, or Salesforce refused: the next pass tries again.
        this.#log.warn(
          { workspaceId, err: (err as Error).message },
          'late-matching pass skipped a workspace',
        );
      }
      apiCalls += counter.count;
    }
    if (requeued > 0) this.#onQueued();
    this.#log.info({ workspaces, meetingsChecked, requeued, apiCalls }, 'late-matching pass');
    return { workspaces, meetingsChecked, requeued, apiCalls };
  }
}
