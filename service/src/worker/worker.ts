/**
 * The sync worker: claims due meetings with a lease, calls the sync core with what the store holds,
 * and stores the outcome. What a failure means is decided by its kind (CONTRACT §8):
 * - transient / limit: back in the queue with exponential backoff and jitter (limit waits longer);
 * - auth: refresh the token once and try again; a dead grant marks the connection broken and the
 *   workspace's meetings wait for a reconnect;
 * - record: this meeting is `failed` with Salesforce's message; no other meeting is affected.
 * A killed worker loses nothing: its leases expire (or, embedded, are released at start-up) and the
 * meetings are claimed again. Exactly once across a kill does not rest on a unique field: before a
 * write that creates a meeting's records is sent, the store notes it (`markCreateStarted`); a claimed
 * meeting with such a write still unanswered is put back until `started + writeSettleMs`, when the
 * write can no longer land, and the sync's look-up then finds it (update) or not (create).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import {
  ConnectionBrokenError,
  NotConnectedError,
  type Connection,
  type ConnectionEntry,
  type ConnectionManager,
} from '../salesforce/connection.ts';
import { SalesforceError, type SalesforceErrorKind } from '../salesforce/errors.ts';
import type { ClaimedMeeting, MeetingKey, Store } from '../store/types.ts';
import type { AssociationSettings } from '../settings/association-settings.ts';
import type { OrgProfile } from '../domain/org-profile.ts';
import type { SyncInput, SyncOutcome, WrittenRecords } from '../domain/meeting-outcome.ts';
import { WriteFenceError, type CreateFence } from '../sync/types.ts';
import { allowanceExhausted, budgetDecision, exhaustedUsage, overBudget, readUsage } from './budget.ts';

export type SyncMeetingFn = (
  conn: Connection,
  org: OrgProfile,
  input: SyncInput,
  previous: WrittenRecords | null,
  /** The workspace's association settings (defaults until an admin saves some). */
  settings: AssociationSettings,
  /** Notes a create write in the store before it is sent (exactly once across a kill). */
  fence?: CreateFence,
) => Promise<SyncOutcome>;

/**
 * Default settle: Salesforce's longest transaction (10 minutes) plus the default call timeout (config.ts
 * SALESFORCE_MAX_TRANSACTION_SECONDS, SALESFORCE_TIMEOUT_SECONDS).
 */
const DEFAULT_WRITE_SETTLE_MS = (600 + 60) * 1000;

export interface WorkerOptions {
  readonly store: Store;
  readonly connections: ConnectionManager;
  readonly syncMeeting: SyncMeetingFn;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly owner?: string;
  /** Meetings synced at the same time by this instance. */
  readonly concurrency?: number;
  /**
   * Meetings of one workspace (one org) synced at the same time: a hung org holds at most this many
   * slots, one at least stays free for other workspaces (issue 14 item 3). Default: all slots but one.
   */
  readonly perWorkspace?: number;
  readonly leaseMs?: number;
  /**
   * How long a create write whose answer was lost may still land (SALESFORCE_WRITE_SETTLE_SECONDS):
   * its meeting is not synced again before.
   */
  readonly writeSettleMs?: number;
  readonly pollMs?: number;
  readonly backoff?: Partial<BackoffOptions>;
  /** Attempts after which an error of unknown kind fails the meeting instead of retrying. */
  readonly maxUnknownAttempts?: number;
  readonly random?: () => number;
  /** While a workspace is over its API budget, how often one `/limits` call looks for room. */
  readonly budgetCheckMs?: number;
}

export interface BackoffOptions {
  readonly baseMs: number;
  readonly limitBaseMs: number;
  readonly maxMs: number;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 2_000, limitBaseMs: 60_000, maxMs: 30 * 60_000 };

/** Exponential backoff with "equal jitter": half fixed, half random, so retries of a burst spread out. */
export function backoffDelay(
  attempts: number,
  kind: 'transient' | 'limit',
  o: BackoffOptions,
  random = Math.random,
): number {
  const base = kind === 'limit' ? o.limitBaseMs : o.baseMs;
  const ceiling = Math.min(o.maxMs, base * 2 ** Math.min(attempts, 20));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

function kindOf(err: unknown): SalesforceErrorKind | 'unknown' {
  if (err instanceof SalesforceError) return err.kind;
  // a SalesforceError from another copy of the module (jsforce-style duck typing, never instanceof only)
  const e = err as { name?: unknown; kind?: unknown };
  if (e?.name === 'SalesforceError' && typeof e.kind === 'string') return e.kind as SalesforceErrorKind;
  return 'unknown';
}

function describe(err: unknown): string {
  if (err instanceof SalesforceError) return `${err.errorCode}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export class Worker {
  readonly #o: WorkerOptions;
  readonly #owner: string;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #settleMs: number;
  readonly #pollMs: number;
  readonly #backoff: BackoffOptions;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #perWorkspace: number;
  /** Syncs under way by workspace. */
  readonly #busy = new Map<string, number>();
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #kicked = false;
  /** When `/limits` was last asked, per workspace (the API budget's pause). */
  readonly #limitsCheckedAt = new Map<string, number>();
  /** A `/limits` look under way, per workspace: meetings claimed meanwhile wait for its answer. */
  readonly #limitsLook = new Map<string, Promise<number | null>>();

  constructor(options: WorkerOptions) {
    this.#o = options;
    this.#owner = options.owner ?? `worker-${randomUUID()}`;
    this.#concurrency = options.concurrency ?? 4;
    this.#perWorkspace = Math.max(1, options.perWorkspace ?? this.#concurrency - 1);
    this.#leaseMs = options.leaseMs ?? 120_000;
    this.#settleMs = options.writeSettleMs ?? DEFAULT_WRITE_SETTLE_MS;
    this.#pollMs = options.pollMs ?? 1_000;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  get owner(): string {
    return this.#owner;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    const released = await this.#o.store.meetings.releaseOrphanedLeases(Date.now());
    if (released > 0) this.#o.logger.warn({ released }, 'released leases left by a stopped process');
    this.#running = true;
    this.#loop = this.#run();
  }

  /**
   * Stops claiming and waits for the syncs under way to finish and be stored, at most `graceMs`: a
   * sync still hanging then keeps its lease, which expires (or is released at the next start).
   */
  async stop(graceMs = 30_000): Promise<void> {
    this.#running = false;
    this.kick();
    await this.#loop;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
  }

  /** Something was queued: look now rather than at the next poll. */
  kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  /** Claims what is due (up to the free slots) and syncs it; resolves when those are done. */
  async runOnce(): Promise<number> {
    const claimed = await this.#o.store.meetings.claim({
      owner: this.#owner,
      limit: this.#concurrency,
      leaseMs: this.#leaseMs,
      now: Date.now(),
    });
    await Promise.all(claimed.map((m) => this.#process(m)));
    return claimed.length;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#kicked = false;
      const free = this.#concurrency - this.#inFlight.size;
      const claimed: ClaimedMeeting[] = [];
      // One at a time, so no workspace goes beyond its share of the slots.
      while (claimed.length < free) {
        const full = [...this.#busy].filter(([, n]) => n >= this.#perWorkspace).map(([ws]) => ws);
        let next: ClaimedMeeting[] = [];
        try {
          next = await this.#o.store.meetings.claim({
            owner: this.#owner,
            limit: 1,
            leaseMs: this.#leaseMs,
            now: Date.now(),
            skipWorkspaces: full,
          });
        } catch (err) {
          this.#o.logger.error({ err: (err as Error).message }, 'claiming meetings failed');
        }
        const m = next[0];
        if (m === undefined) break;
        claimed.push(m);
        this.#busy.set(m.workspaceId, (this.#busy.get(m.workspaceId) ?? 0) + 1);
        const p: Promise<void> = this.#process(m).finally(() => {
          this.#inFlight.delete(p);
          const n = (this.#busy.get(m.workspaceId) ?? 1) - 1;
          if (n <= 0) this.#busy.delete(m.workspaceId);
          else this.#busy.set(m.workspaceId, n);
          this.kick();
        });
        this.#inFlight.add(p);
      }
      if (claimed.length === free && free > 0) continue; // there may be more due
      if (this.#kicked || !this.#running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  async #process(m: ClaimedMeeting): Promise<void> {
    const key: MeetingKey = { workspaceId: m.workspaceId, meetingId: m.meetingId };
    const log = this.#o.logger.child({
      workspaceId: m.workspaceId,
      meetingId: m.meetingId,
      version: m.version,
    });
    const started = performance.now();
    const renew = setInterval(
      () => {
        this.#o.store.meetings
          .extendLease({ owner: this.#owner, key, until: Date.now() + this.#leaseMs })
          .catch(() => undefined);
      },
      Math.max(1_000, this.#leaseMs / 3),
    );
    let outcomeLabel = 'failed';
    try {
      outcomeLabel = await this.#attempt(m, key, log);
    } catch (err) {
      // the store itself failed; the lease expires and the meeting is claimed again
      log.error({ err: (err as Error).message }, 'could not record the sync outcome');
      outcomeLabel = 'error';
    } finally {
      clearInterval(renew);
      const seconds = (performance.now() - started) / 1000;
      this.#o.metrics?.syncs.inc({ outcome: outcomeLabel });
      this.#o.metrics?.syncDuration.observe({ outcome: outcomeLabel }, seconds);
    }
  }

  async #attempt(m: ClaimedMeeting, key: MeetingKey, log: Logger): Promise<string> {
    const { store, connections } = this.#o;
    const now = () => Date.now();
    // An earlier create of this meeting (a killed process's, or one whose answer was lost) may still
    // land: syncing now could find nothing and write the meeting twice. Wait until it has settled.
    if (m.createStartedAt !== null && m.createStartedAt + this.#settleMs > now()) {
      const until = m.createStartedAt + this.#settleMs;
      const note = `waiting until ${new Date(until).toISOString()} for an earlier write of this meeting to settle`;
      await this.#record(log, () =>
        store.meetings.defer({ owner: this.#owner, key, until, note, now: now() }),
      );
      log.warn({ until: new Date(until).toISOString() }, 'an earlier create may still land; waiting');
      return 'settling';
    }
    let entry: ConnectionEntry;
    try {
      entry = await connections.get(m.workspaceId);
    } catch (err) {
      if (err instanceof NotConnectedError) {
        await this.#record(log, () =>
          store.meetings.fail({
            owner: this.#owner,
            key,
            reason: 'not_connected',
            error: err.message,
            now: now(),
          }),
        );
        return 'waiting';
      }
      if (err instanceof ConnectionBrokenError) {
        await this.#record(log, () =>
          store.meetings.fail({
            owner: this.#owner,
            key,
            reason: 'connection_broken',
            error: err.message,
            now: now(),
          }),
        );
        return 'waiting';
      }
      throw err;
    }

    const { settings } = await store.settings.get(m.workspaceId);
    const pausedUntil = await this.#budgetPause(m.workspaceId, entry, settings.apiBudget.stopAtPercent, log);
    if (pausedUntil !== null) {
      await store.meetings.defer({ owner: this.#owner, key, until: pausedUntil, note: null, now: now() });
      return 'paused';
    }
    const fence: CreateFence = {
      beforeCreate: async () => {
        if (!(await store.meetings.markCreateStarted({ owner: this.#owner, key, now: now() })))
          throw new WriteFenceError('lease lost before the write; another worker has the meeting');
      },
      // Not clearing it only makes a later sync of this meeting wait for the settle time.
      answered: () =>
        store.meetings
          .clearCreateMark({ owner: this.#owner, key })
          .catch((err: unknown) =>
            log.warn({ err: (err as Error).message }, 'could not clear the write mark'),
          ),
    };
    const run = () =>
      this.#o.syncMeeting(entry.conn, entry.record.profile, m.input, m.previous, settings, fence);
    let outcome: SyncOutcome;
    try {
      try {
        outcome = await run();
      } catch (err) {
        if (kindOf(err) !== 'auth' || (await this.#isBroken(m.workspaceId))) throw err;
        log.info('Salesforce refused the session; refreshing once and trying again');
        await connections.forceRefresh(m.workspaceId);
        outcome = await run();
      }
    } catch (err) {
      if (allowanceExhausted(err)) return this.#allowanceSpent(m, key, entry, log);
      return this.#failure(m, key, err, log);
    }

    const usage = entry.conn.limitInfo?.apiUsage;
    if (usage) {
      // Information only: the meeting's outcome matters more than a missed usage figure.
      await store.connections
        .recordApiUsage(m.workspaceId, { used: usage.used, max: usage.limit, at: new Date().toISOString() })
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not record API usage'));
    }
    this.#o.metrics?.salesforceApiCalls.inc(outcome.apiCalls);
    const result = outcome;
    const stored = await this.#record(log, () =>
      store.meetings.complete({
        owner: this.#owner,
        key,
        claimedVersion: m.version,
        result: {
          state: result.state,
          reason: result.reason ?? null,
          written: result.written,
          linked: result.linked,
          dropped: result.dropped,
          apiCalls: result.apiCalls,
        },
        now: now(),
      }),
    );
    if (!stored) log.warn('lease lost before the outcome was stored; another worker has the meeting');
    log.info({ state: outcome.state, apiCalls: outcome.apiCalls }, 'meeting synced');
    return outcome.state;
  }

  async #failure(m: ClaimedMeeting, key: MeetingKey, err: unknown, log: Logger): Promise<string> {
    const { store } = this.#o;
    const now = Date.now();
    const message = describe(err).slice(0, 2_000);
    if (err instanceof ConnectionBrokenError || (await this.#isBroken(m.workspaceId))) {
      await this.#record(log, () =>
        store.meetings.fail({ owner: this.#owner, key, reason: 'connection_broken', error: message, now }),
      );
      log.warn('connection broken; the meeting waits for a reconnect');
      return 'waiting';
    }
    const kind = kindOf(err);
    if (kind === 'record') {
      await this.#record(log, () =>
        store.meetings.fail({
          owner: this.#owner,
          key,
          reason: 'salesforce_record_error',
          error: message,
          now,
        }),
      );
      log.warn({ error: message }, 'Salesforce refused the meeting');
      return 'failed';
    }
    if (kind === 'unknown' && m.attempts + 1 >= (this.#o.maxUnknownAttempts ?? 10)) {
      await this.#record(log, () =>
        store.meetings.fail({ owner: this.#owner, key, reason: 'internal_error', error: message, now }),
      );
      log.error({ error: message }, 'giving up after repeated unexpected errors');
      return 'failed';
    }
    const delay = backoffDelay(
      m.attempts,
      kind === 'limit' ? 'limit' : 'transient',
      this.#backoff,
      this.#o.random,
    );
    await this.#record(log, () =>
      store.meetings.retry({ owner: this.#owner, key, error: message, nextAttemptAt: now + delay, now }),
    );
    log.warn({ kind, delayMs: delay, attempts: m.attempts + 1, error: message }, 'sync failed; will retry');
    return 'retry';
  }

  /**
   * The org refused a call with its daily allowance spent (worker/budget.ts `allowanceExhausted`):
   * the whole workspace is paused, not this meeting alone. Recording the allowance as used up makes
   * `#budgetPause` defer every meeting of the workspace claimed from now on, by any instance, without
   * a call and without counting an attempt; one `/limits` look per interval (this refusal counts as
   * the first) resumes them all once it shows room. This meeting waits with them, no attempt counted:
   * nothing is wrong with it.
   */
  async #allowanceSpent(
    m: ClaimedMeeting,
    key: MeetingKey,
    entry: ConnectionEntry,
    log: Logger,
  ): Promise<string> {
    const { store } = this.#o;
    const interval = this.#o.budgetCheckMs ?? 5 * 60_000;
    const seen = (await store.connections.get(m.workspaceId))?.apiUsage ?? null;
    const usage = exhaustedUsage(entry.conn.limitInfo?.apiUsage?.limit, seen);
    const now = Date.now();
    this.#limitsCheckedAt.set(m.workspaceId, now);
    await this.#record(log, () =>
      store.connections.recordApiUsage(m.workspaceId, { ...usage, at: new Date(now).toISOString() }),
    );
    const note =
      "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded. — the org's daily API allowance is used up; the workspace waits for /limits to show room";
    await this.#record(log, () =>
      store.meetings.defer({ owner: this.#owner, key, until: now + interval, note, now }),
    );
    log.warn({ max: usage.max }, 'daily API allowance exhausted; workspace paused until /limits shows room');
    return 'paused';
  }

  /**
   * Records an outcome in the store, again and again while the database is away (a restart, a
   * failover): the outcome is known and must not wait for the lease to expire while this instance is
   * alive (issue 14 item 11). Gives up once the lease would have expired anyway; the meeting is then
   * claimed again and the sync, idempotent, finds what it wrote.
   */
  async #record<T>(log: Logger, write: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#leaseMs;
    let delay = 100;
    for (;;) {
      try {
        return await write();
      } catch (err) {
        if (Date.now() + delay >= deadline) throw err;
        log.warn(
          { err: (err as Error).message, retryInMs: delay },
          'could not record the sync outcome; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  /**
   * The API budget (worker/budget.ts): null to sync, or when to look again. Decided from the usage
   * Salesforce last reported, so a paused workspace spends no call per meeting; only one `/limits`
   * call per workspace per interval looks for room (a raised allowance, or the daily reset).
   */
  async #budgetPause(
    workspaceId: string,
    entry: ConnectionEntry,
    stopAtPercent: number,
    log: Logger,
  ): Promise<number | null> {
    const interval = this.#o.budgetCheckMs ?? 5 * 60_000;
    const seen = (await this.#o.store.connections.get(workspaceId))?.apiUsage ?? null;
    const now = Date.now();
    // No await between the decision and noting the check: meetings of one workspace claimed
    // together make one `/limits` call, not one each.
    const d = budgetDecision({
      usage: seen,
      stopAtPercent,
      lastCheckAt: this.#limitsCheckedAt.get(workspaceId) ?? null,
      now,
      checkIntervalMs: interval,
    });
    if (d.action === 'run') return null;
    if (d.action === 'pause') return this.#limitsLook.get(workspaceId) ?? d.until;
    this.#limitsCheckedAt.set(workspaceId, now);
    const look = this.#lookForRoom(workspaceId, entry, stopAtPercent, now + interval, log).finally(() =>
      this.#limitsLook.delete(workspaceId),
    );
    this.#limitsLook.set(workspaceId, look);
    return look;
  }

  /** One `/limits` call: null when it shows room under the budget, else `pauseUntil`. */
  async #lookForRoom(
    workspaceId: string,
    entry: ConnectionEntry,
    stopAtPercent: number,
    pauseUntil: number,
    log: Logger,
  ): Promise<number | null> {
    let usage = null;
    try {
      usage = await readUsage(entry.conn);
    } catch (err) {
      // Salesforce may refuse even this call (an outage, or REQUEST_LIMIT_EXCEEDED): still paused.
      log.warn({ error: describe(err) }, 'API budget: the usage could not be read; staying paused');
    }
    if (usage) {
      await this.#o.store.connections.recordApiUsage(workspaceId, { ...usage, at: new Date().toISOString() });
      if (!overBudget(usage, stopAtPercent)) {
        log.info({ used: usage.used, max: usage.max }, 'API budget: room again; resuming');
        return null;
      }
    }
    log.info({ used: usage?.used, max: usage?.max, stopAtPercent }, 'API budget reached; workspace paused');
    return pauseUntil;
  }

  async #isBroken(workspaceId: string): Promise<boolean> {
    const c = await this.#o.store.connections.get(workspaceId);
    return c === null || c.status === 'broken';
  }
}
