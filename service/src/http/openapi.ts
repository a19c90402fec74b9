/**
 * /openapi.json, generated from the zod schemas the routes validate with.
 *
 * Every operation goes through `operation()`, which is what keeps the document passing Redocly's
 * recommended rules strictly (service/test/http/openapi-lint.test.ts): an operationId, `security` on
 * every operation (an empty list for the public ones), body schemas as shared components/schemas, and
 * every error status the service can answer, each with the one error body. To add a route: register
 * its schemas in `schemas` below (with `named`) and call `operation()` once.
 */
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { simulateRequestSchema, simulateResponseSchema } from '../simulator/simulate-service.ts';
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

/**
 * A schema as a shared component (`#/components/schemas/<name>`): zod 4's own metadata id, which the
 * generator turns into a $ref (registry.register would need zod patched before the schemas exist).
 */
export const named = <T extends z.ZodType>(name: string, schema: T): T => schema.meta({ id: name }) as T;

/** Who may call an operation: the backend's bearer token, a signed webhook, or anyone. */
export type Access = 'bearer' | 'webhook-signature' | 'public';

export interface OperationSpec {
  readonly method: RouteConfig['method'];
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly access: Access;
  readonly tags: readonly string[];
  readonly request?: RouteConfig['request'];
  /** Success responses (2xx/3xx). */
  readonly responses: Readonly<Record<number, ResponseConfig>>;
  /**
   * Also document `default` (the error body for any status not listed). Only for an operation whose
   * success is a redirect: Redocly's operation-2xx-response accepts `default` in place of a 2xx.
   */
  readonly defaultError?: boolean;
  /** Error statuses this operation answers besides the ones its access and request imply. */
  readonly errors?: Readonly<Record<number, string>>;
}

export const jsonBody = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
export const json = <T extends z.ZodType>(schema: T, description: string): ResponseConfig => ({
  description,
  ...jsonBody(schema),
});

/**
 * A document builder whose operations all follow the same rules. `errorBody` is the shared
 * component every error status answers with.
 */
export function createOpenApiBuilder() {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'SALESCALING_API_TOKEN, the Salescaling backend’s token',
  });
  const signature = registry.registerComponent('securitySchemes', 'webhookSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'Salescaling-Signature',
    description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" with WEBHOOK_SECRET>',
  });
  const errorBody = named('ErrorBody', errorBodySchema);
  const security: Record<Access, Record<string, string[]>[]> = {
    bearer: [{ [bearer.name]: [] }],
    'webhook-signature': [{ [signature.name]: [] }],
    // Explicitly none: a probe, a browser redirect.
    public: [],
  };

  function operation(spec: OperationSpec): void {
    const errors: Record<number, string> = {};
    if (spec.access === 'bearer') errors[401] = 'no or wrong bearer token';
    if (spec.request?.params || spec.request?.query || spec.request?.body) {
      errors[422] = 'a parameter or the body is not valid: details lists each wrong path';
    }
    if (spec.request?.body && spec.access === 'bearer') {
      errors[413] = 'the body is over 1 MB';
      errors[415] = 'the body is not application/json';
      errors[400] = 'the body is not valid JSON';
    }
    Object.assign(errors, spec.errors);
    errors[405] = 'the path exists, but not with this method';
    errors[500] = 'something went wrong on the service’s side (no detail is given)';
    const responses: Record<string, ResponseConfig> = {};
    for (const [status, response] of Object.entries(spec.responses)) responses[status] = response;
    for (const [status, description] of Object.entries(errors))
      responses[status] = json(errorBody, description);
    if (spec.defaultError)
      responses['default'] = json(errorBody, 'any other failure, in the same error body');
    registry.registerPath({
      method: spec.method,
      path: spec.path,
      operationId: spec.operationId,
      summary: spec.summary,
      tags: [...spec.tags],
      security: security[spec.access],
      ...(spec.request ? { request: spec.request } : {}),
      responses,
    });
  }

  return { registry, operation, errorBody };
}

export function buildOpenApiDocument(publicUrl: string): object {
  const { registry, operation } = createOpenApiBuilder();
  // Bodies as shared components: clients generate one type per name.
  const schemas = {
    connectRequest: named('ConnectRequest', connectRequestSchema),
    connectResponse: named('ConnectResponse', connectResponseSchema),
    connectionStatus: named('ConnectionStatus', connectionStatusSchema),
    meetingEvent: named('MeetingEvent', meetingEventSchema),
    webhookAccepted: named('WebhookAccepted', webhookAcceptedSchema),
    meetingStatus: named('MeetingStatus', meetingStatusSchema),
    resyncResponse: named('ResyncResponse', resyncResponseSchema),
    suggestRequest: named('SuggestRequest', suggestRequestSchema),
    suggestResponse: named('SuggestResponse', suggestResponseSchema),
    searchResponse: named('SearchResponse', searchResponseSchema),
    probe: named('ProbeStatus', z.object({ status: z.string() })),
    settingsView: named('SalesforceSettings', settingsViewSchema),
    settingsPut: named('SalesforceSettingsUpdate', settingsPutSchema),
    simulateRequest: named('SimulateRequest', simulateRequestSchema),
    simulateResponse: named('SimulateResponse', simulateResponseSchema),
  };
  const ws = z.object({ workspaceId: z.string() });
  const wsMeeting = z.object({ workspaceId: z.string(), meetingId: z.string() });

  operation({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/salesforce/connect',
    operationId: 'connectSalesforce',
    summary: 'Start connecting a Salesforce org (OAuth 2.0 web-server flow with PKCE)',
    tags: ['connection'],
    access: 'bearer',
    request: { params: ws, body: jsonBody(schemas.connectRequest) },
    responses: { 201: json(schemas.connectResponse, 'where to send the user') },
  });
  operation({
    method: 'get',
    path: '/oauth/salesforce/callback',
    operationId: 'salesforceOAuthCallback',
    summary: 'OAuth redirect target: exchanges the code and redirects to the returnUrl',
    tags: ['connection'],
    // Authorised by its single-use state parameter, not by a credential.
    access: 'public',
    request: {
      query: z.object({ code: z.string().optional(), state: z.string(), error: z.string().optional() }),
    },
    responses: {
      302: {
        description: 'to returnUrl with ?salesforce=connected or ?salesforce=error&reason=<code>',
        headers: z.object({ location: z.string() }),
      },
    },
    errors: { 400: 'unknown, used or expired state' },
    defaultError: true,
  });
  operation({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/salesforce',
    operationId: 'getSalesforceConnection',
    summary: 'Connection status and what the grant lacks',
    tags: ['connection'],
    access: 'bearer',
    request: {
      params: ws,
      query: z.object({
        recheck: z.enum(['true', 'false']).optional().describe('run the describe checks again first'),
      }),
    },
    responses: { 200: json(schemas.connectionStatus, 'the status') },
    errors: { 502: 'Salesforce refused the re-check' },
  });
  operation({
    method: 'delete',
    path: '/v1/workspaces/{workspaceId}/salesforce',
    operationId: 'disconnectSalesforce',
    summary: 'Revoke the grant at Salesforce and forget it',
    tags: ['connection'],
    access: 'bearer',
    request: { params: ws },
    responses: { 204: { description: 'disconnected' } },
    errors: { 404: 'not connected' },
  });
  operation({
    method: 'post',
    path: '/v1/webhooks/meetings',
    operationId: 'receiveMeetingEvent',
    summary: 'A meeting event from Salescaling, signed with Salescaling-Signature',
    tags: ['webhooks'],
    access: 'webhook-signature',
    request: { body: jsonBody(schemas.meetingEvent) },
    responses: {
      202: json(schemas.webhookAccepted, 'stored for sync'),
      200: json(schemas.webhookAccepted, 'duplicate event id: nothing changed'),
    },
    errors: {
      400: 'not JSON, or a body that could not be read',
      401: 'missing, malformed, stale or wrong signature',
      413: 'over 5 MB',
      422: 'schema violation: details lists each wrong path',
    },
  });
  operation({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/meetings/{meetingId}',
    operationId: 'getMeeting',
    summary: 'Sync state of a meeting',
    tags: ['meetings'],
    access: 'bearer',
    request: { params: wsMeeting },
    responses: { 200: json(schemas.meetingStatus, 'the meeting') },
    errors: { 404: 'unknown meeting' },
  });
  operation({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/meetings/{meetingId}/resync',
    operationId: 'resyncMeeting',
    summary: 'Queue the latest version again',
    tags: ['meetings'],
    access: 'bearer',
    request: { params: wsMeeting },
    responses: { 202: json(schemas.resyncResponse, 'queued') },
    errors: { 404: 'unknown meeting' },
  });
  operation({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/associations/suggest',
    operationId: 'suggestAssociations',
    summary: 'Records the meeting would or could be linked to, ranked, each with why',
    tags: ['associations'],
    access: 'bearer',
    request: { params: ws, body: jsonBody(schemas.suggestRequest) },
    responses: { 200: json(schemas.suggestResponse, 'suggestions') },
    errors: { 409: 'workspace not connected, or its connection is broken' },
  });
  operation({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/associations/search',
    operationId: 'searchAssociations',
    summary:
      'Find Contacts, Accounts and Opportunities (open ones first) by the beginning of their names (SOSL)',
    tags: ['associations'],
    access: 'bearer',
    request: {
      params: ws,
      query: z.object({
        q: z.string().min(2),
        types: z.string().optional().describe('comma-separated: Contact,Account,Opportunity'),
      }),
    },
    responses: { 200: json(schemas.searchResponse, 'matches') },
    errors: { 409: 'workspace not connected, or its connection is broken' },
  });
  operation({
    method: 'get',
    path: '/v1/workspaces/{workspaceId}/salesforce/settings',
    operationId: 'getSalesforceSettings',
    summary: 'The workspace’s association settings (defaults until saved; ETag holds the version)',
    tags: ['settings'],
    access: 'bearer',
    request: { params: ws },
    responses: { 200: json(schemas.settingsView, 'the settings') },
  });
  operation({
    method: 'put',
    path: '/v1/workspaces/{workspaceId}/salesforce/settings',
    operationId: 'putSalesforceSettings',
    summary: 'Replace the association settings; fields left out take their defaults',
    tags: ['settings'],
    access: 'bearer',
    request: {
      params: ws,
      headers: z.object({
        'if-match': z
          .string()
          .optional()
          .describe('the version read, e.g. "3" (or send version in the body)'),
      }),
      body: jsonBody(schemas.settingsPut),
    },
    responses: { 200: json(schemas.settingsView, 'saved; version is one higher') },
    errors: {
      400: 'If-Match unreadable, or it and the body name different versions',
      409: 'version_conflict: someone saved meanwhile; details.currentVersion',
      428: 'no version given',
    },
  });
  operation({
    method: 'post',
    path: '/v1/workspaces/{workspaceId}/meetings/simulate',
    operationId: 'simulateMeeting',
    summary: 'The links and records a meeting would get, each with its reason; writes nothing',
    tags: ['meetings'],
    access: 'bearer',
    request: { params: ws, body: jsonBody(schemas.simulateRequest) },
    responses: { 200: json(schemas.simulateResponse, 'what a sync would do') },
    errors: { 409: 'workspace not connected', 502: 'Salesforce refused the look-up' },
  });
  registerAdminPaths({ operation, named, json });
  operation({
    method: 'get',
    path: '/healthz',
    operationId: 'getLiveness',
    summary: 'liveness',
    tags: ['operations'],
    access: 'public',
    responses: { 200: json(schemas.probe, 'ok') },
  });
  operation({
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'readiness: the database answers',
    tags: ['operations'],
    access: 'public',
    responses: { 200: json(schemas.probe, 'ready') },
    errors: { 503: 'not ready: the database does not answer' },
  });
  operation({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    tags: ['operations'],
    access: 'public',
    responses: {
      200: { description: 'text exposition format', content: { 'text/plain': { schema: z.string() } } },
    },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Salescaling for Salesforce service',
      version: '1.0.0',
      description: 'Receives meetings from Salescaling and writes them into the connected Salesforce org.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: publicUrl }],
    tags: [
      { name: 'connection', description: 'Connecting a workspace to its Salesforce org' },
      { name: 'webhooks', description: 'Meeting events from Salescaling' },
      { name: 'meetings', description: 'What became of a meeting' },
      { name: 'associations', description: 'Records a person may link a meeting to' },
      { name: 'operations', description: 'Probes and metrics' },
    ],
  });
}
