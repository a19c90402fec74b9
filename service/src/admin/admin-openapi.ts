/** The admin page's API in /openapi.json: sign-in links, the sync log and backfills. */
import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { meetingStatusSchema } from '../http/api-schemas.ts';
import type { OperationSpec } from '../http/openapi.ts';
import { meetingsQuerySchema } from './admin-router.ts';

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

/** The builder's helpers (passed in, so that this module and openapi.ts import each other nowhere). */
export interface AdminOpenApiTools {
  operation(spec: OperationSpec): void;
  named<T extends z.ZodType>(name: string, schema: T): T;
  json<T extends z.ZodType>(schema: T, description: string): ResponseConfig;
}

export function registerAdminPaths({ operation, named, json }: AdminOpenApiTools): void {
  const ws = z.object({ workspaceId: z.string() });
  const wsBackfill = z.object({ workspaceId: z.string(), backfillId: z.string() });
  const adminLink = named('AdminLink', adminLinkSchema);
  const progress = named('BackfillProgress', backfillProgressSchema);
  const meetingLog = named(
    'MeetingLogPage',
    z.object({ meetings: z.array(meetingLogSchema), nextCursor: z.string().nullable() }),
  );
  operation({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/admin-links',
    operationId: 'createAdminLink',
    summary: 'A single-use sign-in link (5 minutes) to the admin page of this workspace',
    tags: ['admin'],
    access: 'bearer',
    request: { params: ws },
    responses: { 201: json(adminLink, 'the link') },
  });
  operation({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/meetings',
    operationId: 'listMeetings',
    summary: 'The sync log: meetings by state (failed first, then newest), a page at a time',
    tags: ['meetings'],
    access: 'bearer',
    request: { params: ws, query: meetingsQuerySchema },
    responses: { 200: json(meetingLog, 'a page') },
  });
  operation({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/backfills',
    operationId: 'createBackfill',
    summary:
      'Bring in past meetings: NDJSON or a JSON array of meeting events (the webhook’s format), read as it streams',
    tags: ['backfills'],
    access: 'bearer',
    request: {
      params: ws,
      query: z.object({
        dryRun: z.enum(['true', 'false']).optional().describe('answer what would happen; write nothing'),
      }),
      body: {
        content: {
          'application/x-ndjson': { schema: z.string().describe('one meeting event per line') },
          'application/json': {
            schema: named(
              'BackfillEvents',
              z.array(z.unknown()).describe('meeting events, as the webhook takes them'),
            ),
          },
        },
      },
    },
    responses: {
      200: json(named('BackfillDryRun', dryRunSchema), 'dry run: what would be written and linked'),
      202: json(
        named('BackfillStarted', z.object({ backfill: progress, problems: z.array(problemSchema) })),
        'stored and started',
      ),
    },
    errors: {
      400: 'neither NDJSON nor a JSON array',
      413: 'one item over 5 MB',
      415: 'another content type',
    },
  });
  operation({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/backfills/{backfillId}',
    operationId: 'getBackfill',
    summary: 'A backfill’s progress: counts, API calls used, ETA',
    tags: ['backfills'],
    access: 'bearer',
    request: { params: wsBackfill },
    responses: { 200: json(progress, 'progress') },
    errors: { 404: 'unknown backfill' },
  });
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    const title = `${action[0]?.toUpperCase()}${action.slice(1)}`;
    operation({
      method: 'post',
      path: `/v1/workspaces/{workspaceId}/backfills/{backfillId}/${action}`,
      operationId: `${action}Backfill`,
      summary: `${title} a backfill`,
      tags: ['backfills'],
      access: 'bearer',
      request: { params: wsBackfill },
      responses: { 200: json(progress, 'progress') },
      errors: { 404: 'unknown backfill', 409: 'not in a state that allows it' },
    });
  }
}
