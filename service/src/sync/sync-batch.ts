/**
 * Syncs many meetings of one workspace together: the look-ups are shared (salesforce/batch-lookups.ts:
 * one `IN` query per question for the whole batch, each meeting's rows filtered from it), each meeting
 * is decided alone by the same functions as a lone sync (sync-meeting.ts `decideUpsert`,
 * `decideDelete`), and the writes go out as one graph per meeting, as many graphs per composite/graph
 * call as its limits allow (salesforce/composite.ts `packGraphs`).
 *
 * Isolation. Each graph is its own transaction
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_introduction.htm):
 * one meeting's record error fails that meeting only. A call that fails as a whole (timeout, outage,
 * expired session, exhausted allowance) fails every meeting not yet written with that error, and the
 * calls after it are not sent: the worker retries them (or pauses the workspace) together. A shared
 * look-up refused for a reason of one meeting's data (a malformed id in an `IN` list) is retried one
 * meeting at a time, so that meeting fails alone.
 *
 * Exactly once. Before a call carrying new meetings' graphs is sent, every one of them is marked in
 * the store (`BatchFence.beforeCreate`, one transaction); an unanswered call keeps them, and the
 * worker then waits for those writes to settle (worker.ts). An answered call's written meetings lose
 * their marks with their outcome (the store's `completeAll`, one transaction for the batch); the
 * answered ones not written (refused, or refused and not sent again) are cleared once, at the end of
 * the batch (`BatchFence.answered`): one commit per batch instead of one per call.
 */
import { resolveAssociations } from '../associations/resolve.ts';
import { meetingMarker } from '../plan/marker.ts';
import {
  lookUpExistingMany,
  lookUpMeetings,
  lookUpRuleRecordsMany,
  type LookupRequest,
} from '../salesforce/batch-lookups.ts';
import { CallCounter, graphs, inParallel, packGraphs, type Subrequest } from '../salesforce/composite.ts';
import type { Connection } from '../salesforce/connection.ts';
import { SalesforceError, classifySalesforceError, isUnanswered } from '../salesforce/errors.ts';
import type { AssociationSettings } from '../settings/association-settings.ts';
import {
  decideDelete,
  decideUpsert,
  syncMeeting,
  withoutRefusedContacts,
  writtenResult,
  type Decision,
  type WriteDecision,
} from './sync-meeting.ts';
import type { OrgProfile } from '../domain/org-profile.ts';
import type { SyncInput, SyncOutcome, WrittenRecords } from '../domain/meeting-outcome.ts';
import { WriteFenceError, type CreateFence } from './types.ts';

export interface BatchItem {
  readonly input: SyncInput;
  readonly previous: WrittenRecords | null;
}

/** The create fence for a batch: the store marks (and clears) many meetings in one transaction. */
export interface BatchFence {
  /** Before the call is sent: the meeting ids that may be sent (a lost lease leaves one out). */
  beforeCreate(meetingIds: readonly string[]): Promise<ReadonlySet<string>>;
  /**
   * These creates' calls were answered and they were not written: they can no longer land later
   * (the written ones are cleared with their outcome).
   */
  answered(meetingIds: readonly string[]): Promise<void>;
}

export interface BatchOptions {
  /**
   * Calls of this batch in flight at once at most (the worker's share of the org's concurrent
   * requests); 1 sends them one after another.
   */
  readonly parallel?: number;
}

export type ItemResult =
  { readonly ok: true; readonly outcome: SyncOutcome } | { readonly ok: false; readonly error: unknown };

export interface BatchOutcome {
  /** By meeting id, one per item. */
  readonly results: Map<string, ItemResult>;
  /** Salesforce API calls the batch spent in all. */
  readonly apiCalls: number;
}

const meetingIdOf = (input: SyncInput): string =>
  input.kind === 'delete' ? input.meetingId : input.meeting.id;

function classify(err: unknown): unknown {
  return err instanceof WriteFenceError ? err : classifySalesforceError(err);
}

/** A shared look-up refused because of what one meeting asked (not the org, session or network). */
function blamesOneMeeting(err: unknown): boolean {
  return !(err instanceof SalesforceError) || err.kind === 'record';
}

/** One meeting alone through the lone sync, its fence a one-meeting batch fence. */
function loneFence(fence: BatchFence | undefined, meetingId: string): CreateFence | undefined {
  if (fence === undefined) return undefined;
  return {
    beforeCreate: async () => {
      if (!(await fence.beforeCreate([meetingId])).has(meetingId))
        throw new WriteFenceError('lease lost before the write; another worker has the meeting');
    },
    answered: () => fence.answered([meetingId]),
  };
}

/**
 * Syncs the batch. Throws only when the shared look-ups fail as a whole (nothing was written: the
 * caller retries every meeting); otherwise every item has its own result.
 */
export async function syncBatch(
  conn: Connection,
  org: OrgProfile,
  items: readonly BatchItem[],
  settings: AssociationSettings,
  fence?: BatchFence,
  options: BatchOptions = {},
): Promise<BatchOutcome> {
  const counter = new CallCounter();
  const results = new Map<string, ItemResult>();
  const fail = (id: string, error: unknown): void =>
    void results.set(id, { ok: false, error: classify(error) });
  const done = new Map<string, Omit<SyncOutcome, 'apiCalls'>>();

  // 1. The shared look-ups, and each meeting's decision from its rows.
  const requests: LookupRequest[] = items.map((item) => {
    const id = meetingIdOf(item.input);
    return {
      meetingId: id,
      marker: meetingMarker(id),
      meeting: item.input.kind === 'upsert' ? item.input.meeting : null,
      previous: item.previous,
    };
  });
  const decisions = new Map<string, Decision>();
  try {
    const parallel = options.parallel ?? 1;
    const found = await lookUpMeetings(conn, counter, org, requests, settings, parallel);
    const upserts = items.flatMap((item) => (item.input.kind === 'upsert' ? [item.input.meeting] : []));
    const snapshots = await lookUpRuleRecordsMany(
      conn,
      counter,
      upserts.map((meeting) => ({ meeting, snapshot: found.get(meeting.id)!.snapshot, settings })),
      parallel,
    );
    const withRules = new Map(upserts.map((m, i) => [m.id, snapshots[i]!]));
    // A calendar tool's Event an earlier meeting of the batch enriches is taken for the later ones,
    // as their own look-ups would see it after that write (its meeting-id field set).
    const claimed = new Map<string, string>();
    for (const item of items) {
      const id = meetingIdOf(item.input);
      const shared = found.get(id)!;
      try {
        if (item.input.kind === 'delete') {
          decisions.set(id, decideDelete(item.input.version, item.previous, shared, org));
          continue;
        }
        const snapshot = withRules.get(id)!;
        if (snapshot instanceof Error) throw snapshot;
        const links = resolveAssociations(item.input.meeting, snapshot, settings);
        const lookup = {
          ...shared,
          calendarEvents: shared.calendarEvents.map((e) =>
            claimed.has(e.id) ? { ...e, salescalingId: claimed.get(e.id)! } : e,
          ),
        };
        const decision = decideUpsert(
          item.input.meeting,
          item.previous,
          lookup,
          links,
          org,
          settings,
          item.input.relink === true,
        );
        if (decision.kind === 'create' && decision.enriches !== null) claimed.set(decision.enriches, id);
        decisions.set(id, decision);
      } catch (err) {
        fail(id, err);
      }
    }
    const detailed = [...decisions].filter(([, d]) => d.kind === 'detail');
    if (detailed.length > 0) {
      const details = await lookUpExistingMany(
        conn,
        counter,
        detailed.map(([key, d]) => ({ key, ...(d as Extract<Decision, { kind: 'detail' }>).request })),
        parallel,
      );
      for (const [key, d] of detailed) {
        try {
          decisions.set(key, (d as Extract<Decision, { kind: 'detail' }>).next(details.get(key)!));
        } catch (err) {
          decisions.delete(key);
          fail(key, err);
        }
      }
    }
  } catch (err) {
    const classified = classify(err);
    if (!blamesOneMeeting(classified)) throw classified;
    // One meeting's data broke a shared query: each alone, so that one fails alone.
    return lone(conn, org, items, settings, fence, counter.count);
  }

  // 2. The writes: one graph per meeting, packed into as few calls as the limits allow. A graph
  // refused for one of its Contacts for unknown guests goes again without them, in a later call
  // (sync-meeting.ts `withoutRefusedContacts`); the other graphs of its call are not affected.
  type Write = { graphId: string; nodes: Subrequest[]; meetingId: string; decision: WriteDecision };
  let pending: Write[] = [];
  for (const [id, d] of decisions) {
    if (d.kind === 'done') done.set(id, d.result);
    else if (d.kind === 'create' || d.kind === 'write')
      pending.push({ graphId: `m${pending.length}`, nodes: d.nodes, meetingId: id, decision: d });
  }
  let stopped: unknown = null;
  /** Creates whose call was answered: they can no longer land later. */
  const answeredCreates = new Set<string>();
  while (pending.length > 0) {
    const { payloads, tooBig } = packGraphs(pending);
    pending = [];
    for (const w of tooBig) {
      fail(
        w.meetingId,
        new SalesforceError(
          'record',
          'GRAPH_TOO_LARGE',
          `the meeting needs ${w.nodes.length} records written at once, more than one composite graph holds (500)`,
        ),
      );
    }
    // The calls go out `parallel` at a time (the worker's share of the org's concurrent requests):
    // graphs are independent transactions, so their order does not matter.
    await inParallel(payloads, options.parallel ?? 1, async (payload) => {
      if (stopped !== null) {
        for (const w of payload) fail(w.meetingId, stopped);
        return;
      }
      const creates = payload.filter((w) => w.decision.kind === 'create').map((w) => w.meetingId);
      let send = payload;
      if (fence !== undefined && creates.length > 0) {
        let allowed: ReadonlySet<string>;
        try {
          allowed = await fence.beforeCreate(creates);
        } catch (err) {
          stopped = new WriteFenceError((err as Error).message);
          for (const w of payload) fail(w.meetingId, stopped);
          return;
        }
        send = payload.filter((w) => w.decision.kind !== 'create' || allowed.has(w.meetingId));
        for (const w of payload)
          if (!send.includes(w))
            fail(
              w.meetingId,
              new WriteFenceError('lease lost before the write; another worker has the meeting'),
            );
      }
      const sentCreates = send.filter((w) => w.decision.kind === 'create').map((w) => w.meetingId);
      let answer;
      try {
        answer = await graphs(conn, counter, send);
      } catch (err) {
        // Refused with an answer: nothing can land later. No answer (timeout, network): keep the marks.
        if (!isUnanswered(err)) for (const id of sentCreates) answeredCreates.add(id);
        stopped = classify(err);
        for (const w of send) fail(w.meetingId, stopped);
        return;
      }
      for (const id of sentCreates) answeredCreates.add(id);
      for (const w of send) {
        const r = answer.get(w.graphId);
        if (r === undefined || !r.ok) {
          const again = r === undefined ? null : withoutRefusedContacts(w.decision, r.error);
          if (again === null) fail(w.meetingId, r?.error ?? new Error(`no answer for graph ${w.graphId}`));
          else if (again.kind === 'done') done.set(w.meetingId, again.result);
          else pending.push({ ...w, graphId: `${w.graphId}c`, nodes: again.nodes, decision: again });
          continue;
        }
        try {
          done.set(w.meetingId, writtenResult(w.decision, r.responses));
        } catch (err) {
          fail(w.meetingId, err);
        }
      }
    });
  }

  const notWritten = [...answeredCreates].filter((id) => !done.has(id));
  if (notWritten.length > 0) await fence?.answered(notWritten);

  // Each meeting's share of the calls, rounded: what its status shows; the metrics count the total.
  const share = Math.round(counter.count / Math.max(1, items.length));
  for (const [id, r] of done) results.set(id, { ok: true, outcome: { ...r, apiCalls: share } });
  return { results, apiCalls: counter.count };
}

/** A sync of one meeting (sync-meeting.ts `syncMeeting`, or a test's). */
export type OneMeetingSync = (
  conn: Connection,
  org: OrgProfile,
  input: SyncInput,
  previous: WrittenRecords | null,
  /** The workspace's association settings (defaults until an admin saves some). */
  settings: AssociationSettings,
  /** Notes a create write in the store before it is sent (exactly once across a kill). */
  fence?: CreateFence,
) => Promise<SyncOutcome>;

/** A batch synced one meeting after another by `sync`: what a batch does without shared calls. */
export function oneByOne(sync: OneMeetingSync) {
  return (
    conn: Connection,
    org: OrgProfile,
    items: readonly BatchItem[],
    settings: AssociationSettings,
    fence?: BatchFence,
  ): Promise<BatchOutcome> => lone(conn, org, items, settings, fence, 0, sync);
}

async function lone(
  conn: Connection,
  org: OrgProfile,
  items: readonly BatchItem[],
  settings: AssociationSettings,
  fence: BatchFence | undefined,
  spent: number,
  sync: OneMeetingSync = syncMeeting,
): Promise<BatchOutcome> {
  const results = new Map<string, ItemResult>();
  let apiCalls = spent;
  for (const item of items) {
    const id = meetingIdOf(item.input);
    try {
      const outcome = await sync(conn, org, item.input, item.previous, settings, loneFence(fence, id));
      apiCalls += outcome.apiCalls;
      results.set(id, { ok: true, outcome });
    } catch (err) {
      results.set(id, { ok: false, error: err });
    }
  }
  return { results, apiCalls };
}
