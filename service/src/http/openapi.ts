/** /openapi.json, generated from the zod schemas the routes validate with. */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { simulateRequestSchema, simulateResponseSchema } from '../lookups/simulate-service.ts';
import { registerAdminPaths } from '../admin/admin-openapi.ts';
import { meetingEventSchema } from '../meetings/schema.ts';
import { settingsPutSchema, settingsViewSchema } from '../settings/settings-service.ts';
import {
  connectRequestSchema,
  connectResponseSchema,
  connectionStatusSchema,
  errorBodySchema,
  meetingStatusSchema,
  resyncResponseSchema,
  searchResponseSchema,
  suggestRequestSchema,
  suggestResponseSchema,
  webhookAcceptedSchema,
} from './api-schemas.ts';

const jsonBody = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, ...jsonBody(schema) });
const error = (description: string) => json(errorBodySchema, description);

export function buildOpenApiDocument(publicUrl: string): object {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const secured = [{ [bearer.name]: [] }];
  const ws = z.object({ workspaceId: z.string() });
  const wsMeeting = z.object({ workspaceId: z.string(), meetingId: z.string() });

  registry.registerPath({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/salesforce/connect',
    summary: 'Start connecting a Salesforce org (OAuth 2.0 web-server flow with PKCE)',
    security: secured,
    request: { params: ws, body: jsonBody(connectRequestSchema) },
    responses: {
      201: json(connectResponseSchema, 'where to send the user'),
      401: error('no or wrong bearer token'),
      422: error('invalid body'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/oauth/salesforce/callback',
    summary: 'OAuth redirect target: exchanges the code and redirects to the returnUrl',
    request: {
      query: z.object({ code: z.string().optional(), state: z.string(), error: z.string().optional() }),
    },
    responses: {
      302: { description: 'to returnUrl with ?salesforce=connected or ?salesforce=error&reason=<code>' },
      400: error('unknown, used or expired state'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/salesforce',
    summary: 'Connection status and what the grant lacks',
    security: secured,
    request: {
      params: ws,
      query: z.object({
        recheck: z.enum(['true', 'false']).optional().describe('run the describe checks again first'),
      }),
    },
    responses: { 200: json(connectionStatusSchema, 'the status'), 401: error('no or wrong bearer token') },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/workspaces/{workspaceId}/salesforce',
    summary: 'Revoke the grant at Salesforce and forget it',
    security: secured,
    request: { params: ws },
    responses: { 204: { description: 'disconnected' }, 404: error('not connected') },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/webhooks/meetings',
    summary: 'A meeting event from Salescaling, signed with Salescaling-Signature',
    request: {
      headers: z.object({ 'salescaling-signature': z.string() }),
      body: jsonBody(meetingEventSchema),
    },
    responses: {
      202: json(webhookAcceptedSchema, 'stored for sync'),
      200: json(webhookAcceptedSchema, 'duplicate event id: nothing changed'),
      400: error('not JSON'),
      401: error('bad or stale signature'),
      413: error('over 5 MB'),
      422: error('schema violation: details lists each wrong path'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/meetings/{meetingId}',
    summary: 'Sync state of a meeting',
    security: secured,
    request: { params: wsMeeting },
    responses: { 200: json(meetingStatusSchema, 'the meeting'), 404: error('unknown meeting') },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/meetings/{meetingId}/resync',
    summary: 'Queue the latest version again',
    security: secured,
    request: { params: wsMeeting },
    responses: { 202: json(resyncResponseSchema, 'queued'), 404: error('unknown meeting') },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/associations/suggest',
    summary: 'Records the meeting would or could be linked to, ranked, each with why',
    security: secured,
    request: { params: ws, body: jsonBody(suggestRequestSchema) },
    responses: { 200: json(suggestResponseSchema, 'suggestions'), 409: error('workspace not connected') },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/associations/search',
    summary: 'Find Contacts, Accounts and Opportunities (open ones first) by name (SOSL)',
    security: secured,
    request: {
      params: ws,
      query: z.object({
        q: z.string().min(2),
        types: z.string().optional().describe('comma-separated: Contact,Account,Opportunity'),
      }),
    },
    responses: { 200: json(searchResponseSchema, 'matches'), 409: error('workspace not connected') },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/salesforce/settings',
    summary: 'The workspace’s association settings (defaults until saved; ETag holds the version)',
    security: secured,
    request: { params: ws },
    responses: { 200: json(settingsViewSchema, 'the settings'), 401: error('no or wrong bearer token') },
  });
  registry.registerPath({
    method: 'put',
    path: '/v1/workspaces/{workspaceId}/salesforce/settings',
    summary: 'Replace the association settings; fields left out take their defaults',
    security: secured,
    request: {
      params: ws,
      headers: z.object({
        'if-match': z
          .string()
          .optional()
          .describe('the version read, e.g. "3" (or send version in the body)'),
      }),
      body: jsonBody(settingsPutSchema),
    },
    responses: {
      200: json(settingsViewSchema, 'saved; version is one higher'),
      400: error('If-Match unreadable, or it and the body name different versions'),
      409: error('version_conflict: someone saved meanwhile; details.currentVersion'),
      422: error('invalid settings: details lists each wrong path'),
      428: error('no version given'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/meetings/simulate',
    summary: 'The links and records a meeting would get, each with its reason; writes nothing',
    security: secured,
    request: { params: ws, body: jsonBody(simulateRequestSchema) },
    responses: {
      200: json(simulateResponseSchema, 'what a sync would do'),
      409: error('workspace not connected'),
      422: error('invalid meeting: details lists each wrong path'),
      502: error('Salesforce refused the look-up'),
    },
  });
  registerAdminPaths(registry, secured);
  for (const [path, summary] of [
    ['/healthz', 'liveness'],
    ['/readyz', 'readiness: the database answers'],
  ] as const) {
    registry.registerPath({
      method: 'get',
      path,
      summary,
      responses: { 200: json(z.object({ status: z.string() }), 'ok'), 503: error('not ready') },
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    responses: {
      200: { description: 'text exposition format', content: { 'text/plain': { schema: z.string() } } },
    },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Salescaling for Salesforce service', version: '1.0.0' },
    servers: [{ url: publicUrl }],
  });
}
