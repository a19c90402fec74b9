/**
 * Backfills: past meetings posted in bulk (NDJSON or a JSON array of webhook events), streamed into
 * the database as they arrive, then fed into the same durable inbox the webhook uses
 * (`acceptMeetingEvent`), a few at a time as the worker drains the queue. The same event-id and
 * version rules therefore apply: a meeting that also arrives by webhook is never written twice.
 * A backfill's state lives in the database, so a restarted service carries on where it stopped.
 */
import { randomUUID } from 'node:crypto';
import type { ConnectionManager } from '../salesforce/connection.ts';
import { AppError, notFound } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import { acceptMeetingEvent } from '../meetings/ingest.ts';
import { meetingEventSchema, type MeetingEvent } from '../meetings/schema.ts';
import type { BackfillItem, BackfillRecord } from '../store/backfills.ts';
import type { Store } from '../store/types.ts';
import { dryRunMeeting, type DryRunMeeting } from './dry-run.ts';
import { splitItems, type RawItem } from './split-items.ts';

/** Items stored per transaction while the body streams in. */
const BATCH = 100;
/** The runner keeps at most this many of a workspace's meetings in the queue at once. */
const QUEUE_WINDOW = 20;
/**
 * A dry run checks at most this many meetings against the org (one API call each), so a large file
 * cannot spend the org's daily allowance; the rest are counted as not checked.
 */
export const DRY_RUN_MAX_LOOKUPS = 200;
/** Problems listed in an answer; the counts cover them all. */
const MAX_LISTED = 50;

export interface ItemProblem {
  readonly index: number;
  readonly message: string;
}

export interface BackfillProgressView {
  readonly backfillId: string;
  readonly workspaceId: string;
  readonly state: BackfillRecord['state'];
  readonly total: number;
  readonly invalid: number;
  readonly enqueued: number;
  readonly duplicates: number;
  readonly synced: number;
  readonly skipped: number;
  readonly failed: number;
  readonly pending: number;
  /** Meetings past the queue (synced, skipped, failed, deleted) over all valid ones. */
  readonly percent: number;
  readonly apiCalls: number;
  readonly etaSeconds: number | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface DryRunAnswer {
  readonly dryRun: true;
  readonly total: number;
  readonly invalid: number;
  readonly problems: readonly ItemProblem[];
  readonly counts: Record<DryRunMeeting['action'], number>;
  readonly apiCalls: number;
  /** The first meetings in detail (the counts cover all). */
  readonly meetings: readonly DryRunMeeting[];
}

export interface BackfillServiceOptions {
  readonly store: Store;
  readonly connections: ConnectionManager;
  readonly logger: Logger;
  /** Meetings were queued: wake the worker. */
  readonly onQueued: () => void;
  readonly pollMs?: number;
}

function validate(workspaceId: string, item: RawItem): { event: MeetingEvent } | { problem: ItemProblem } {
  let value: unknown;
  try {
    value = JSON.parse(item.text);
  } catch {
    return { problem: { index: item.index, message: 'not valid JSON' } };
  }
  const parsed = meetingEventSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      problem: {
        index: item.index,
        message: `does not match the webhook's event format: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`,
      },
    };
  }
  if (parsed.data.workspaceId !== workspaceId)
    return {
      problem: {
        index: item.index,
        message: `belongs to workspace ${parsed.data.workspaceId}, not this one`,
      },
    };
  return { event: parsed.data };
}

export class BackfillService {
  readonly #o: BackfillServiceOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = true;

  constructor(options: BackfillServiceOptions) {
    this.#o = options;
  }

  /** Reads the body item by item and answers what a real run would write and link; writes nothing. */
  async dryRun(workspaceId: string, body: AsyncIterable<Buffer | string>): Promise<DryRunAnswer> {
    let total = 0;
    let invalid = 0;
    let apiCalls = 0;
    const problems: ItemProblem[] = [];
    const meetings: DryRunMeeting[] = [];
    const counts: Record<DryRunMeeting['action'], number> = {
      create: 0,
      update: 0,
      delete: 0,
      unchanged: 0,
      skip_no_crm_match: 0,
      not_connected: 0,
      not_checked: 0,
    };
    let lookups = 0;
    for await (const item of splitItems(body)) {
      total++;
      const v = validate(workspaceId, item);
      if ('problem' in v) {
        invalid++;
        if (problems.length < MAX_LISTED) problems.push(v.problem);
        continue;
      }
      const answer = await dryRunMeeting(
        this.#o.store,
        this.#o.connections,
        v.event,
        lookups < DRY_RUN_MAX_LOOKUPS,
      );
      if (answer.apiCalls > 0) lookups++;
      counts[answer.action]++;
      apiCalls += answer.apiCalls;
      if (meetings.length < MAX_LISTED) meetings.push(answer);
    }
    return { dryRun: true, total, invalid, problems, counts, apiCalls, meetings };
  }

  /** Streams the body into a new backfill and starts it; answers once the whole body is stored. */
  async create(
    workspaceId: string,
    body: AsyncIterable<Buffer | string>,
    now = Date.now(),
  ): Promise<{ backfill: BackfillProgressView; problems: ItemProblem[] }> {
    const backfillId = `bf_${randomUUID()}`;
    await this.#o.store.backfills.create({ backfillId, workspaceId, now });
    const problems: ItemProblem[] = [];
    let batch: BackfillItem[] = [];
    let invalid = 0;
    let seq = 0;
    const flush = async () => {
      await this.#o.store.backfills.addItems(backfillId, { items: batch, invalid });
      batch = [];
      invalid = 0;
    };
    try {
      for await (const item of splitItems(body)) {
        const v = validate(workspaceId, item);
        if ('problem' in v) {
          invalid++;
          if (problems.length < MAX_LISTED) problems.push(v.problem);
        } else {
          batch.push({
            seq: ++seq,
            meetingId: v.event.data.meeting.id,
            version: v.event.data.meeting.version,
            eventJson: JSON.stringify(v.event),
          });
        }
        if (batch.length >= BATCH) await flush();
      }
      await flush();
    } catch (err) {
      // A body cut off or malformed half-way: nothing was queued yet, and nothing of it is kept.
      await this.#o.store.backfills.delete(backfillId);
      throw err;
    }
    await this.#o.store.backfills.setState(backfillId, {
      from: ['receiving'],
      to: 'running',
      now: Date.now(),
    });
    this.#o.logger.info({ workspaceId, backfillId, items: seq }, 'backfill received');
    this.kick();
    return { backfill: await this.progress(workspaceId, backfillId), problems };
  }

  async progress(workspaceId: string, backfillId: string): Promise<BackfillProgressView> {
    const b = await this.#o.store.backfills.get({ workspaceId, backfillId });
    if (!b) throw notFound('backfill_not_found', `no backfill ${backfillId} in workspace ${workspaceId}`);
    return this.#view(b);
  }

  async list(workspaceId: string): Promise<BackfillProgressView[]> {
    return Promise.all((await this.#o.store.backfills.list(workspaceId)).map((b) => this.#view(b)));
  }

  async #view(b: BackfillRecord): Promise<BackfillProgressView> {
    const p = await this.#o.store.backfills.progress({
      workspaceId: b.workspaceId,
      backfillId: b.backfillId,
    });
    const s = p.byState;
    const done = (s.synced ?? 0) + (s.skipped ?? 0) + (s.failed ?? 0) + (s.deleted ?? 0);
    const pending = b.total - done;
    const elapsed = b.startedAt === null ? 0 : (b.finishedAt ?? Date.now()) - b.startedAt;
    const eta =
      b.state === 'running' && done > 0 && pending > 0
        ? Math.ceil(((elapsed / done) * pending) / 1000)
        : null;
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      backfillId: b.backfillId,
      workspaceId: b.workspaceId,
      state: b.state,
      total: b.total,
      invalid: b.invalid,
      enqueued: b.enqueued,
      duplicates: b.duplicates,
      synced: s.synced ?? 0,
      skipped: s.skipped ?? 0,
      failed: s.failed ?? 0,
      pending,
      percent: b.total === 0 ? 100 : Math.floor((done / b.total) * 100),
      apiCalls: p.apiCalls,
      etaSeconds: eta,
      createdAt: new Date(b.createdAt).toISOString(),
      startedAt: iso(b.startedAt),
      finishedAt: iso(b.finishedAt),
    };
  }

  async pause(workspaceId: string, backfillId: string) {
    return this.#transition(workspaceId, backfillId, ['running'], 'paused');
  }
  async resume(workspaceId: string, backfillId: string) {
    return this.#transition(workspaceId, backfillId, ['paused'], 'running');
  }
  async cancel(workspaceId: string, backfillId: string) {
    return this.#transition(workspaceId, backfillId, ['running', 'paused'], 'cancelled');
  }

  async #transition(
    workspaceId: string,
    backfillId: string,
    from: readonly BackfillRecord['state'][],
    to: BackfillRecord['state'],
  ): Promise<BackfillProgressView> {
    const b = await this.#o.store.backfills.get({ workspaceId, backfillId });
    if (!b) throw notFound('backfill_not_found', `no backfill ${backfillId} in workspace ${workspaceId}`);
    if (!(await this.#o.store.backfills.setState(backfillId, { from, to, now: Date.now() })))
      throw new AppError(
        409,
        'backfill_state_conflict',
        `the backfill is ${b.state}; it cannot become ${to}`,
      );
    this.#o.logger.info({ workspaceId, backfillId, state: to }, 'backfill state changed');
    if (to === 'running') this.kick();
    return this.progress(workspaceId, backfillId);
  }

  // --- the runner ----------------------------------------------------------------------------------

  start(): void {
    this.#stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** Runs a pass now (a backfill started or resumed, or the worker finished meetings). */
  kick(): void {
    if (this.#stopped || this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#running = this.#pass()
      .catch((err: unknown) => this.#o.logger.error({ err: (err as Error).message }, 'backfill pass failed'))
      .finally(() => {
        this.#running = null;
        if (!this.#stopped) this.#timer = setTimeout(() => this.kick(), this.#o.pollMs ?? 250);
      });
  }

  async #pass(): Promise<void> {
    for (const b of await this.#o.store.backfills.active()) {
      if (this.#stopped) return;
      const room = QUEUE_WINDOW - (await this.#o.store.meetingLog.pending(b.workspaceId));
      if (room > 0) {
        const items = await this.#o.store.backfills.nextItems(b.backfillId, room);
        let queued = 0;
        for (const item of items) {
          // Paused or cancelled meanwhile: stop feeding at once.
          const now = await this.#o.store.backfills.get({
            workspaceId: b.workspaceId,
            backfillId: b.backfillId,
          });
          if (now?.state !== 'running') break;
          const event = meetingEventSchema.parse(JSON.parse(item.eventJson));
          const result = await acceptMeetingEvent(this.#o.store, event);
          await this.#o.store.backfills.markItemEnqueued(b.backfillId, {
            seq: item.seq,
            outcome: result,
            now: Date.now(),
          });
          if (result === 'accepted') queued++;
        }
        if (queued > 0) this.#o.onQueued();
      }
      const fresh = await this.#o.store.backfills.get({
        workspaceId: b.workspaceId,
        backfillId: b.backfillId,
      });
      if (fresh?.state === 'running' && fresh.enqueued >= fresh.total) {
        const p = await this.#view(fresh);
        if (p.pending <= 0)
          await this.#o.store.backfills.setState(b.backfillId, {
            from: ['running'],
            to: 'done',
            now: Date.now(),
          });
      }
    }
  }
}
