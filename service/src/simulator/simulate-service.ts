/**
 * POST /v1/workspaces/{id}/meetings/simulate: what a meeting would be linked to and which records it
 * would get, each link with its reason, under the workspace's current settings. It reads the org with
 * the same look-ups the sync uses (so it costs what a sync's look-up costs) and writes nothing:
 * neither to Salesforce nor to the store.
 */
import { lookUpAndResolve } from '../sync/look-up-and-resolve.ts';
import { calendarDecisionFor, decisionEntries } from '../sync/enrichment.ts';
import { z } from 'zod';
import { issuesToDetails } from '../http/api-schemas.ts';
import { AppError, unprocessable } from '../app-error.ts';
import { meetingSchema } from '../meetings/schema.ts';
import { planMeeting } from '../plan/meeting-plan.ts';
import { CallCounter } from '../salesforce/composite.ts';
import {
  ConnectionBrokenError,
  NotConnectedError,
  type ConnectionEntry,
  type ConnectionManager,
} from '../salesforce/connection.ts';
import { classifySalesforceError } from '../salesforce/errors.ts';
import type { SettingsRepository } from '../store/settings-repository.ts';

export const simulateRequestSchema = z.object({ meeting: meetingSchema }).strict();

const linkSchema = z.object({
  recordId: z.string(),
  type: z.enum(['Contact', 'Lead', 'Account', 'Opportunity', 'Event']),
  why: z.string(),
});
const activitySchema = z.object({
  subject: z.string(),
  whoId: z.string().nullable(),
  whatId: z.string().nullable(),
  ownerId: z.string(),
  relatedContactIds: z.array(z.string()),
});
export const simulateResponseSchema = z.object({
  outcome: z.enum(['linked', 'skipped']),
  skipReason: z.string().nullable(),
  whoId: z.string().nullable(),
  whatId: z.string().nullable(),
  linked: z.array(linkSchema),
  dropped: z.array(
    z.object({ recordId: z.string().optional(), email: z.string().optional(), reason: z.string() }),
  ),
  records: z
    .object({
      event: activitySchema.extend({ start: z.string(), end: z.string() }),
      note: z.object({ title: z.string(), linkedEntityIds: z.array(z.string()) }),
      task: activitySchema,
      contacts: z
        .array(
          z.object({
            ref: z.string().describe('how the other records name it until Salesforce gives it an id'),
            firstName: z.string().nullable(),
            lastName: z.string(),
            email: z.string(),
            accountId: z.string(),
          }),
        )
        .describe('Contacts a sync would create for unknown guests (setting contactCreation)'),
    })
    .nullable()
    .describe('what a sync would write; null when the meeting would be skipped'),
  calendarEvent: z
    .object({
      decision: z.enum(['enrich', 'create']),
      eventId: z.string().nullable().describe('the calendar tool’s Event a sync would enrich'),
      reason: z
        .string()
        .describe(
          'enrich: calendar_event_subject_and_attendee_match, calendar_event_subject_match or calendar_event_attendee_match; create: disabled, no_candidate or ambiguous',
        ),
      candidates: z.array(z.string()).describe('every Event that qualified'),
    })
    .nullable()
    .describe(
      'for a meeting not yet written: whether a sync would enrich an Event another tool already wrote (same owner, overlapping time, matching subject or attendee) or create its own',
    ),
  alreadyWritten: z
    .object({ eventId: z.string() })
    .nullable()
    .describe('the Event this meeting already has in Salesforce: a sync would update it'),
  settingsVersion: z.number().int(),
  apiCalls: z.number().int().describe('Salesforce API calls the simulation spent (look-ups only)'),
});
export type SimulationView = z.infer<typeof simulateResponseSchema>;

export class SimulateService {
  readonly #connections: ConnectionManager;
  readonly #settings: SettingsRepository;

  constructor(connections: ConnectionManager, settings: SettingsRepository) {
    this.#connections = connections;
    this.#settings = settings;
  }

  async simulate(workspaceId: string, body: unknown): Promise<SimulationView> {
    const parsed = simulateRequestSchema.safeParse(body);
    if (!parsed.success) throw unprocessable('the meeting is not valid', issuesToDetails(parsed.error));
    const { meeting } = parsed.data;
    const stored = await this.#settings.get(workspaceId);
    const entry = await this.#entry(workspaceId);
    const counter = new CallCounter();
    const run = async () => {
      const org = entry.record.profile;
      return lookUpAndResolve(entry.conn, counter, org, meeting, null, stored.settings);
    };
    let result: Awaited<ReturnType<typeof run>>;
    try {
      try {
        result = await run();
      } catch (err) {
        if (classifySalesforceError(err).kind !== 'auth') throw err;
        await this.#connections.forceRefresh(workspaceId);
        result = await run();
      }
    } catch (err) {
      if (err instanceof ConnectionBrokenError) throw new AppError(409, 'connection_broken', err.message);
      const e = classifySalesforceError(err);
      throw new AppError(502, 'salesforce_error', `Salesforce refused the look-up: ${e.message}`);
    }
    const { found, links } = result;
    const plan = links.outcome === 'linked' ? planMeeting(meeting, links, entry.record.profile) : null;
    const liveEvent = found.event !== null && !found.event.isDeleted ? found.event : null;
    // The same decision the sync takes for a meeting without an Event yet (sync/enrichment.ts).
    const decision =
      plan === null || found.event !== null
        ? null
        : calendarDecisionFor(meeting, found, links, entry.record.profile, stored.settings);
    const entries = decision === null ? { linked: [], dropped: [] } : decisionEntries(decision);
    return {
      outcome: links.outcome,
      skipReason: links.skipReason ?? null,
      whoId: links.whoId,
      whatId: links.whatId,
      linked: [...links.linked, ...entries.linked],
      dropped: [...links.dropped, ...entries.dropped],
      calendarEvent:
        decision === null
          ? null
          : decision.kind === 'enrich'
            ? {
                decision: 'enrich',
                eventId: decision.eventId,
                reason: decision.why,
                candidates: [...decision.candidates],
              }
            : {
                decision: 'create',
                eventId: null,
                reason: decision.reason,
                candidates: [...decision.candidates],
              },
      records:
        plan === null
          ? null
          : {
              event: {
                subject: plan.event.subject,
                start: plan.event.start,
                end: plan.event.end,
                whoId: plan.event.whoId,
                whatId: plan.event.whatId,
                ownerId: plan.event.ownerId,
                relatedContactIds: [...plan.event.otherContactIds],
              },
              note: { title: plan.note.title, linkedEntityIds: [...plan.noteLinkIds] },
              task: {
                subject: plan.task.subject,
                whoId: plan.task.whoId,
                whatId: plan.task.whatId,
                ownerId: plan.task.ownerId,
                relatedContactIds: [...plan.task.otherContactIds],
              },
              contacts: plan.newContacts.map((c) => ({
                ref: c.ref,
                firstName: c.firstName,
                lastName: c.lastName,
                email: c.email,
                accountId: c.accountId,
              })),
            },
      alreadyWritten: liveEvent === null ? null : { eventId: liveEvent.id },
      settingsVersion: stored.version,
      apiCalls: counter.count,
    };
  }

  async #entry(workspaceId: string): Promise<ConnectionEntry> {
    try {
      return await this.#connections.get(workspaceId);
    } catch (err) {
      if (err instanceof NotConnectedError) throw new AppError(409, 'not_connected', err.message);
      if (err instanceof ConnectionBrokenError) throw new AppError(409, 'connection_broken', err.message);
      throw err;
    }
  }
}
