/** The admin page's API in /openapi.json: sign-in links, the sync log and backfills. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { errorBodySchema, meetingStatusSchema } from '../http/api-schemas.ts';
import { meetingsQuerySchema } from './admin-router.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(errorBodySchema, description);

export const adminLinkSchema = z.object({
  url: z.url().describe('open once, within expiresAt, in the admin’s browser'),
  expiresAt: z.iso.datetime(),
});

const meetingLogSchema = meetingStatusSchema
  .omit({ workspaceId: true })
  .extend({ title: z.string().nullable(), startedAt: z.string().nullable() });

export const backfillProgressSchema = z.object({
  backfillId: z.string(),
  workspaceId: z.string(),
  state: z.enum(['receiving', 'running', 'paused', 'cancelled', 'done']),
  total: z.number().int(),
  invalid: z.number().int(),
  enqueued: z.number().int(),
  duplicates: z.number().int(),
  synced: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  percent: z.number().int(),
  apiCalls: z.number().int(),
  etaSeconds: z.number().int().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
const problemSchema = z.object({ index: z.number().int(), message: z.string() });
const dryRunSchema = z.object({
  dryRun: z.literal(true),
  total: z.number().int(),
  invalid: z.number().int(),
  problems: z.array(problemSchema),
  counts: z.record(z.string(), z.number().int()),
  apiCalls: z.number().int(),
  meetings: z.array(
    z.object({
      meetingId: z.string(),
      version: z.number().int(),
      action: z.enum([
        'create',
        'update',
        'delete',
        'unchanged',
        'skip_no_crm_match',
        'not_connected',
        'not_checked',
      ]),
      records: z.array(z.string()),
      linked: z.array(z.object({ recordId: z.string(), type: z.string(), why: z.string() })),
      dropped: z.array(
        z.object({ recordId: z.string().optional(), email: z.string().optional(), reason: z.string() }),
      ),
      apiCalls: z.number().int(),
    }),
  ),
});

export function registerAdminPaths(registry: OpenAPIRegistry, security: Record<string, string[]>[]): void {
  const ws = z.object({ workspaceId: z.string() });
  const wsBackfill = z.object({ workspaceId: z.string(), backfillId: z.string() });
  registry.registerPath({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/admin-links',
    summary: 'A single-use sign-in link (5 minutes) to the admin page of this workspace',
    security,
    request: { params: ws },
    responses: { 201: json(adminLinkSchema, 'the link'), 401: error('no or wrong bearer token') },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/meetings',
    summary: 'The sync log: meetings by state (failed first, then newest), a page at a time',
    security,
    request: { params: ws, query: meetingsQuerySchema },
    responses: {
      200: json(
        z.object({ meetings: z.array(meetingLogSchema), nextCursor: z.string().nullable() }),
        'a page',
      ),
      422: error('bad state, cursor or limit'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/backfills',
    summary:
      'Bring in past meetings: NDJSON or a JSON array of meeting events (the webhook’s format), read as it streams',
    security,
    request: {
      params: ws,
      query: z.object({
        dryRun: z.enum(['true', 'false']).optional().describe('answer what would happen; write nothing'),
      }),
      body: {
        content: {
          'application/x-ndjson': { schema: z.string().describe('one meeting event per line') },
          'application/json': { schema: z.array(z.unknown()).describe('meeting events') },
        },
      },
    },
    responses: {
      200: json(dryRunSchema, 'dry run: what would be written and linked'),
      202: json(
        z.object({ backfill: backfillProgressSchema, problems: z.array(problemSchema) }),
        'stored and started',
      ),
      400: error('neither NDJSON nor a JSON array'),
      413: error('one item over 5 MB'),
      415: error('another content type'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/backfills/{backfillId}',
    summary: 'A backfill’s progress: counts, API calls used, ETA',
    security,
    request: { params: wsBackfill },
    responses: { 200: json(backfillProgressSchema, 'progress'), 404: error('unknown backfill') },
  });
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    registry.registerPath({
      method: 'post',
      path: `/v1/workspaces/{workspaceId}/backfills/{backfillId}/${action}`,
      summary: `${action[0]?.toUpperCase()}${action.slice(1)} a backfill`,
      security,
      request: { params: wsBackfill },
      responses: {
        200: json(backfillProgressSchema, 'progress'),
        404: error('unknown backfill'),
        409: error('not in a state that allows it'),
      },
    });
  }
}
