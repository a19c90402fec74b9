/**
 * Request and response shapes of the HTTP API (CONTRACT §4) as zod schemas: the routes validate
 * with them and /openapi.json is generated from them, so the document cannot drift from the code.
 */
import { z } from 'zod';

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

// One rule for workspace ids everywhere, the webhook included: defined beside the meeting event.
export { workspaceIdSchema } from '../meetings/schema.ts';
export const meetingIdSchema = z.string().min(1).max(255);

const httpUrl = z.url().refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

export const connectRequestSchema = z.object({
  returnUrl: httpUrl,
  /** A sandbox (https://test.salesforce.com) or My Domain login URL; defaults to SALESFORCE_LOGIN_URL. */
  loginUrl: httpUrl.optional(),
});

export const connectResponseSchema = z.object({ authorizeUrl: z.url(), expiresAt: z.iso.datetime() });

export const callbackQuerySchema = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

export const connectionStatusSchema = z.object({
  workspaceId: z.string(),
  connected: z.boolean(),
  status: z.enum(['connected', 'broken', 'not_connected']),
  brokenReason: z.string().nullable().optional(),
  orgId: z.string().optional(),
  instanceUrl: z.string().optional(),
  loginUrl: z.string().optional(),
  user: z
    .object({ id: z.string(), username: z.string().nullable(), displayName: z.string().nullable() })
    .optional(),
  permissions: z
    .object({
      ok: z.boolean(),
      missing: z.array(z.string()),
      // What an admin grants for each missing permission, in words.
      details: z.array(z.object({ name: z.string(), fix: z.string() })).optional(),
    })
    .optional(),
  sharedActivities: z.boolean().optional(),
  // Organization.IsSandbox as the org answered it at the last check (null: not known).
  isSandbox: z.boolean().nullable().optional(),
  packageFields: z
    .object({
      installed: z.boolean(),
      found: z.array(z.string()),
      missing: z.array(z.string()),
      // What an admin does when some are missing (not installed, or hidden by field-level security).
      fix: z.string().optional(),
    })
    .optional(),
  apiUsage: z.object({ used: z.number(), max: z.number(), at: z.string() }).nullable().optional(),
  lastSyncAt: z.string().nullable().optional(),
  connectedAt: z.string().optional(),
  checkedAt: z.string().optional(),
});

export const webhookAcceptedSchema = z.object({
  status: z.enum(['accepted', 'duplicate']),
  eventId: z.string(),
  meetingId: z.string(),
});

const linkedSchema = z.object({
  recordId: z.string(),
  // Event: the calendar tool's Event the meeting enriched instead of creating its own
  type: z.enum(['Contact', 'Lead', 'Account', 'Opportunity', 'Event']),
  why: z.string(),
});
const droppedSchema = z.object({
  recordId: z.string().optional(),
  email: z.string().optional(),
  reason: z.string(),
  fields: z.array(z.string()).optional().describe('kept_person_edit: the Event fields a person changed'),
  by: z.string().optional().describe('kept_person_edit: the user who last modified the Event'),
  detail: z.string().optional().describe("contact_not_created: Salesforce's own words"),
});

export const meetingStatusSchema = z.object({
  workspaceId: z.string(),
  meetingId: z.string(),
  state: z.enum(['queued', 'syncing', 'synced', 'skipped', 'failed', 'deleted']),
  reason: z.string().nullable(),
  version: z.number().int(),
  syncedVersion: z.number().int().nullable(),
  salesforce: z.object({
    eventId: z.string().nullable(),
    noteId: z.string().nullable(),
    taskId: z.string().nullable(),
  }),
  linked: z.array(linkedSchema),
  dropped: z.array(droppedSchema),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  apiCalls: z.number().int().nullable(),
  nextAttemptAt: z.string().nullable(),
  updatedAt: z.string(),
});

export const resyncResponseSchema = z.object({ meetingId: z.string(), state: z.string() });

export const suggestRequestSchema = z.object({
  participants: z
    .array(z.object({ email: z.string().trim().min(3).max(320), name: z.string().max(255).optional() }))
    .min(1)
    .max(200),
});

const suggestionSchema = z.object({
  type: z.enum(['Contact', 'Lead', 'Account', 'Opportunity']),
  id: z.string(),
  name: z.string(),
  score: z.number(),
  why: z.array(z.string()),
  email: z.string().optional(),
  accountId: z.string().optional(),
  stageName: z.string().optional(),
});
export const suggestResponseSchema = z.object({ suggestions: z.array(suggestionSchema) });

export const SEARCH_TYPES = ['Contact', 'Account', 'Opportunity'] as const;
export const searchQuerySchema = z.object({
  q: z.string().trim().min(2, 'must be at least 2 characters').max(100),
  types: z
    .string()
    .optional()
    .transform((t, ctx) => {
      if (!t) return [...SEARCH_TYPES];
      // case-insensitive: `contact,account` names the same types as `Contact,Account`
      const canonical = (s: string) => SEARCH_TYPES.find((k) => k.toLowerCase() === s.toLowerCase()) ?? s;
      const list = [
        ...new Set(
          t
            .split(',')
            .map((s) => canonical(s.trim()))
            .filter(Boolean),
        ),
      ];
      const bad = list.filter((s) => !(SEARCH_TYPES as readonly string[]).includes(s));
      if (bad.length > 0 || list.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `types must be a comma-separated subset of ${SEARCH_TYPES.join(', ')}`,
        });
        return z.NEVER;
      }
      return list as (typeof SEARCH_TYPES)[number][];
    }),
});
export const searchResponseSchema = z.object({
  records: z.array(
    z.object({
      type: z.enum(SEARCH_TYPES),
      id: z.string(),
      name: z.string(),
      email: z.string().optional(),
      accountId: z.string().optional(),
      stageName: z.string().optional(),
      isClosed: z.boolean().optional(),
    }),
  ),
});

/** zod issues as `details`: the path of each wrong field and what is wrong with it. */
export function issuesToDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}
