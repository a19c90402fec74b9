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
  type ConnectionEntry,
  type ConnectionManager,
} from '../salesforce/connection.ts';
import { SalesforceError, type SalesforceErrorKind } from '../salesforce/errors.ts';
import type { ApiUsage, ClaimedMeeting, MeetingKey, Store } from '../store/types.ts';
import type { Complete } from '../store/meetings.ts';
import { allowanceExhausted, budgetDecision, exhaustedUsage, overBudget, readUsage } from './budget.ts';
import {
  oneByOne,
  type BatchFence,
  type BatchItem,
  type ItemResult,
  type OneMeetingSync,
  type syncBatch,
} from '../sync/sync-batch.ts';
import {
  DEFAULT_BACKOFF,
  decideRetry,
  type BackoffOptions,
  type FailureKind,
  type RetryDecision,
} from './retry-policy.ts';

export { backoffDelay, type BackoffOptions } from './retry-policy.ts';

/** Syncs several meetings of one workspace together (sync/sync-batch.ts). */
export type SyncBatchFn = typeof syncBatch;

/** Syncs one meeting (sync/sync-meeting.ts `syncMeeting`, or a test's). */
export type SyncMeetingFn = OneMeetingSync;

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
  /** Syncs (a lone meeting or a batch) under way at the same time in this instance. */
  readonly concurrency?: number;
  /**
   * Meetings of one workspace synced together when more than one is due (WORKER_BATCH_SIZE); 1 turns
   * batching off. A lone meeting is never held back waiting for a batch to fill.
   */
  readonly batchSize?: number;
  /**
   * The stored inputs of a batch's meetings add up to at most this many bytes (WORKER_BATCH_BYTES),
   * so a batch of large meetings does not hold the heap; a meeting larger than it goes alone.
   */
  readonly batchBytes?: number;
  /** The batched sync (sync/sync-batch.ts); without it, a batch runs `syncMeeting` per meeting. */
  readonly syncBatch?: SyncBatchFn;
  /**
   * Meetings of one workspace (one org) synced at the same time: a hung org holds at most this many
   * slots, one at least stays free for other workspaces (issue 14 item 3). Default: all slots but one.
   */
  readonly perWorkspace?: number;
  /**
   * Calls in flight to one org at most (SALESFORCE_CONCURRENT_REQUESTS, ≤ 25): each of a workspace's
   * batches sends its calls `requestsPerOrg / perWorkspace` at once. Default 1 per batch.
   */
  readonly requestsPerOrg?: number;
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

function kindOf(err: unknown): FailureKind {
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

/** Production orgs' concurrent long-running API requests (Developer Edition: 5). */
export const SALESFORCE_CONCURRENT_LIMIT = 25;

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
  readonly #batchSize: number;
  readonly #batchBytes: number | undefined;
  /** Calls one batch sends at once: its share of the org's concurrent requests. */
  readonly #parallel: number;
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
    // One org serves at most 25 long-running requests at once (REQUEST_LIMIT_EXCEEDED beyond;
    // https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html):
    // a sync sends one request at a time, so a workspace's slots are its requests in flight.
    this.#perWorkspace = Math.min(
      SALESFORCE_CONCURRENT_LIMIT,
      Math.max(1, options.perWorkspace ?? this.#concurrency - 1),
    );
    this.#batchSize = Math.max(1, options.batchSize ?? 1);
    this.#batchBytes = options.batchBytes;
    this.#parallel = Math.max(
      1,
      Math.floor(Math.min(SALESFORCE_CONCURRENT_LIMIT, options.requestsPerOrg ?? 1) / this.#perWorkspace),
    );
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
    await Promise.all(claimed.map((m) => this.#process([m])));
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
        // What else of this workspace is due now joins it: a backlog shares its calls, a lone
        // meeting goes at once.
        let more: ClaimedMeeting[] = [];
        if (this.#batchSize > 1) {
          try {
            more = await this.#o.store.meetings.claim({
              owner: this.#owner,
              onlyWorkspace: m.workspaceId,
              limit: this.#batchSize - 1,
              ...(this.#batchBytes === undefined ? {} : { maxInputBytes: this.#batchBytes - m.inputBytes }),
              leaseMs: this.#leaseMs,
              now: Date.now(),
            });
          } catch (err) {
            this.#o.logger.error({ err: (err as Error).message }, 'claiming a batch failed');
          }
        }
        const p: Promise<void> = this.#process([m, ...more]).finally(() => {
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

  async #failure(m: ClaimedMeeting, key: MeetingKey, err: unknown, log: Logger): Promise<string> {
    const { store } = this.#o;
    const now = Date.now();
    const message = describe(err).slice(0, 2_000);
    const decision = decideRetry(
      {
        kind: kindOf(err),
        allowanceExhausted: false,
        connectionBroken: err instanceof ConnectionBrokenError || (await this.#isBroken(m.workspaceId)),
        refreshed: true,
        attempts: m.attempts,
      },
      this.#policy(),
    );
    switch (decision.action) {
      case 'wait_for_reconnect':
      case 'refresh':
      case 'pause_workspace':
        await this.#record(log, () =>
          store.meetings.fail({ owner: this.#owner, key, reason: 'connection_broken', error: message, now }),
        );
        log.warn('connection broken; the meeting waits for a reconnect');
        return 'waiting';
      case 'fail':
        await this.#record(log, () =>
          store.meetings.fail({ owner: this.#owner, key, reason: decision.reason, error: message, now }),
        );
        if (decision.reason === 'salesforce_record_error')
          log.warn({ error: message }, 'Salesforce refused the meeting');
        else log.error({ error: message }, 'giving up after repeated unexpected errors');
        return 'failed';
      case 'retry':
        await this.#record(log, () =>
          store.meetings.retry({
            owner: this.#owner,
            key,
            error: message,
            nextAttemptAt: now + decision.delayMs,
            now,
          }),
        );
        log.warn(
          { kind: decision.kind, delayMs: decision.delayMs, attempts: m.attempts + 1, error: message },
          'sync failed; will retry',
        );
        return 'retry';
    }
  }

  #policy() {
    return {
      backoff: this.#backoff,
      maxUnknownAttempts: this.#o.maxUnknownAttempts ?? 10,
      ...(this.#o.random === undefined ? {} : { random: this.#o.random }),
    };
  }

  /** Whether a failed sync may be tried again at once after one token refresh. */
  async #shouldRefresh(workspaceId: string, err: unknown): Promise<boolean> {
    if (kindOf(err) !== 'auth') return false;
    const d: RetryDecision = decideRetry(
      {
        kind: 'auth',
        allowanceExhausted: false,
        connectionBroken: await this.#isBroken(workspaceId),
        refreshed: false,
        attempts: 0,
      },
      this.#policy(),
    );
    return d.action === 'refresh';
  }

  /**
   * The org refused a call with its daily allowance spent (worker/budget.ts `allowanceExhausted`):
   * the whole workspace is paused, not this meeting alone. Recording the allowance as used up makes
   * `#budgetPause` defer every meeting of the workspace claimed from now on, by any instance, without
   * a call and without counting an attempt; one `/limits` look per interval (this refusal counts as
   * the first) resumes them all once it shows room. This meeting waits with them, no attempt counted:
   * nothing is wrong with it.
   */
  async #allowanceSpent(ms: readonly ClaimedMeeting[], entry: ConnectionEntry, log: Logger): Promise<string> {
    const { store } = this.#o;
    const workspaceId = ms[0]!.workspaceId;
    const interval = this.#o.budgetCheckMs ?? 5 * 60_000;
    const seen = (await store.connections.get(workspaceId))?.apiUsage ?? null;
    const usage = exhaustedUsage(entry.conn.limitInfo?.apiUsage?.limit, seen);
    const now = Date.now();
    this.#limitsCheckedAt.set(workspaceId, now);
    await this.#record(log, () =>
      store.connections.recordApiUsage(workspaceId, { ...usage, at: new Date(now).toISOString() }),
    );
    const note =
      "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded. — the org's daily API allowance is used up; the workspace waits for /limits to show room";
    for (const m of ms) {
      const key: MeetingKey = { workspaceId, meetingId: m.meetingId };
      await this.#record(log, () =>
        store.meetings.defer({ owner: this.#owner, key, until: now + interval, note, now }),
      );
    }
    log.warn(
      { max: usage.max, meetings: ms.length },
      'daily API allowance exhausted; workspace paused until /limits shows room',
    );
    return 'paused';
  }

  async #process(ms: readonly ClaimedMeeting[]): Promise<void> {
    const workspaceId = ms[0]!.workspaceId;
    const log = this.#o.logger.child({ workspaceId, batch: ms.length });
    const started = performance.now();
    const renew = setInterval(
      () => {
        for (const m of ms) {
          const key = { workspaceId, meetingId: m.meetingId };
          this.#o.store.meetings
            .extendLease({ owner: this.#owner, key, until: Date.now() + this.#leaseMs })
            .catch(() => undefined);
        }
      },
      Math.max(1_000, this.#leaseMs / 3),
    );
    let labels: string[] = [];
    try {
      labels = await this.#attempt(ms, log);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not record the batch outcome');
      labels = ms.map(() => 'error');
    } finally {
      clearInterval(renew);
      const seconds = (performance.now() - started) / 1000;
      for (const outcome of labels) {
        this.#o.metrics?.syncs.inc({ outcome });
        this.#o.metrics?.syncDuration.observe({ outcome }, seconds);
      }
    }
  }

  /**
   * Meetings of one workspace, one alone or a batch (sync/sync-batch.ts): once for all of them what
   * concerns the workspace (connection, settings, API budget, token refresh, a spent allowance), per
   * meeting what concerns the meeting (the settle wait, its outcome). A lone meeting goes through the
   * lone sync (2 calls for a new one), a batch shares its look-ups and write calls.
   */
  async #attempt(ms: readonly ClaimedMeeting[], log: Logger): Promise<string[]> {
    const { store, connections } = this.#o;
    const workspaceId = ms[0]!.workspaceId;
    const now = () => Date.now();
    const keyOf = (m: ClaimedMeeting): MeetingKey => ({ workspaceId, meetingId: m.meetingId });
    const labels: string[] = [];
    const ready: ClaimedMeeting[] = [];
    for (const m of ms) {
      if (m.createStartedAt !== null && m.createStartedAt + this.#settleMs > now()) {
        const until = m.createStartedAt + this.#settleMs;
        const note = `waiting until ${new Date(until).toISOString()} for an earlier write of this meeting to settle`;
        await this.#record(log, () =>
          store.meetings.defer({ owner: this.#owner, key: keyOf(m), until, note, now: now() }),
        );
        labels.push('settling');
      } else ready.push(m);
    }
    if (ready.length === 0) return labels;
    // Asked together rather than one after the other: three reads, one wait (a round trip each with
    // PostgreSQL). Their failures surface where they are awaited; unawaited ones are not unhandled.
    const settingsRead = store.settings.get(workspaceId);
    const usageRead = store.connections.get(workspaceId).then((c) => c?.apiUsage ?? null);
    settingsRead.catch(() => undefined);
    usageRead.catch(() => undefined);
    let entry: ConnectionEntry;
    try {
      entry = await connections.get(workspaceId);
    } catch (err) {
      const reason =
        err instanceof NotConnectedError
          ? 'not_connected'
          : err instanceof ConnectionBrokenError
            ? 'connection_broken'
            : null;
      if (reason === null) throw err;
      for (const m of ready) {
        await this.#record(log, () =>
          store.meetings.fail({
            owner: this.#owner,
            key: keyOf(m),
            reason,
            error: (err as Error).message,
            now: now(),
          }),
        );
        labels.push('waiting');
      }
      return labels;
    }
    const { settings } = await settingsRead;
    const pausedUntil = await this.#budgetPause(
      workspaceId,
      entry,
      await usageRead,
      settings.apiBudget.stopAtPercent,
      log,
    );
    if (pausedUntil !== null) {
      for (const m of ready) {
        await store.meetings.defer({
          owner: this.#owner,
          key: keyOf(m),
          until: pausedUntil,
          note: null,
          now: now(),
        });
        labels.push('paused');
      }
      return labels;
    }

    const fence: BatchFence = {
      beforeCreate: async (ids) =>
        new Set(
          await store.meetings.markCreatesStarted({
            owner: this.#owner,
            workspaceId,
            meetingIds: ids,
            now: now(),
          }),
        ),
      // Not clearing them only makes a later sync of these meetings wait for the settle time.
      answered: (ids) =>
        store.meetings
          .clearCreateMarks({ owner: this.#owner, workspaceId, meetingIds: ids })
          .catch((err: unknown) =>
            log.warn({ err: (err as Error).message }, 'could not clear the write marks'),
          ),
    };
    const sync =
      ready.length === 1 || this.#o.syncBatch === undefined
        ? oneByOne(this.#o.syncMeeting)
        : this.#o.syncBatch;
    const run = (group: readonly ClaimedMeeting[]) =>
      sync(
        entry.conn,
        entry.record.profile,
        group.map((m): BatchItem => ({ input: m.input, previous: m.previous })),
        settings,
        fence,
        { parallel: this.#parallel },
      );
    const results = new Map<string, ItemResult>();
    let apiCalls = 0;
    const failAll = (group: readonly ClaimedMeeting[], error: unknown): void => {
      for (const m of group) results.set(m.meetingId, { ok: false, error });
    };
    try {
      let out;
      try {
        out = await run(ready);
      } catch (err) {
        if (!(await this.#shouldRefresh(workspaceId, err))) throw err;
        log.info('Salesforce refused the session; refreshing once and trying the batch again');
        await connections.forceRefresh(workspaceId);
        out = await run(ready);
      }
      apiCalls += out.apiCalls;
      for (const [id, r] of out.results) results.set(id, r);
      // A write call refused for the session after the look-ups: refresh once, those meetings again.
      const refused = ready.filter((m) => {
        const r = results.get(m.meetingId);
        return r !== undefined && !r.ok && kindOf(r.error) === 'auth';
      });
      const first = results.get(refused[0]?.meetingId ?? '');
      if (first !== undefined && !first.ok && (await this.#shouldRefresh(workspaceId, first.error))) {
        try {
          await connections.forceRefresh(workspaceId);
          const again = await run(refused);
          apiCalls += again.apiCalls;
          for (const [id, r] of again.results) results.set(id, r);
        } catch (err) {
          failAll(refused, err);
        }
      }
    } catch (err) {
      failAll(ready, err);
    }

    const usage = entry.conn.limitInfo?.apiUsage;
    const recordUsage = async (): Promise<void> => {
      if (!usage) return;
      await store.connections
        .recordApiUsage(workspaceId, { used: usage.used, max: usage.limit, at: new Date().toISOString() })
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not record API usage'));
    };
    this.#o.metrics?.salesforceApiCalls.inc(apiCalls);
    const spent = ready.filter((m) => {
      const r = results.get(m.meetingId);
      return r !== undefined && !r.ok && allowanceExhausted(r.error);
    });
    if (spent.length > 0) {
      // Before the spent allowance is noted, which must not be overwritten by this older figure.
      await recordUsage();
      await this.#allowanceSpent(spent, entry, log);
      labels.push(...spent.map(() => 'paused'));
    }
    // The synced meetings' outcomes are stored together, in one transaction; the failures one by one
    // (each decides its own retry).
    const completes: { mlog: Logger; complete: Complete }[] = [];
    for (const m of ready) {
      if (spent.includes(m)) continue;
      const key = keyOf(m);
      const mlog = log.child({ meetingId: m.meetingId, version: m.version });
      const r = results.get(m.meetingId) ?? {
        ok: false as const,
        error: new Error('the batch gave no result for this meeting'),
      };
      if (!r.ok) {
        labels.push(await this.#failure(m, key, r.error, mlog));
        continue;
      }
      const o = r.outcome;
      completes.push({
        mlog,
        complete: {
          owner: this.#owner,
          key,
          claimedVersion: m.version,
          result: {
            state: o.state,
            reason: o.reason ?? null,
            written: o.written,
            linked: o.linked,
            dropped: o.dropped,
            apiCalls: o.apiCalls,
          },
          now: now(),
        },
      });
    }
    if (completes.length > 0) {
      const stored = await this.#record(log, () =>
        store.meetings.completeAll(completes.map((c) => c.complete)),
      );
      completes.forEach(({ mlog, complete }, i) => {
        if (stored[i] !== true)
          mlog.warn('lease lost before the outcome was stored; another worker has the meeting');
        labels.push(complete.result.state);
      });
    }
    // After the outcomes: a meeting is synced once its outcome is stored, and its webhook's caller
    // should not wait for a commit (~4 ms in a store of 10,000 meetings) that only later budget
    // decisions read.
    if (spent.length === 0) await recordUsage();
    log.info({ meetings: ms.length, apiCalls }, 'batch synced');
    return labels;
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
    seen: ApiUsage | null,
    stopAtPercent: number,
    log: Logger,
  ): Promise<number | null> {
    const interval = this.#o.budgetCheckMs ?? 5 * 60_000;
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
