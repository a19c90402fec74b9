/** Prometheus metrics, on a registry per service instance so tests can run several side by side. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from './store/types.ts';

/**
 * Why a webhook delivery was refused: the signature check's four outcomes, a body that is not JSON,
 * one that breaks the event schema, one over the size limit, one the body parser could not read.
 */
export const WEBHOOK_REJECTIONS = [
  'signature_missing',
  'signature_malformed',
  'signature_stale',
  'signature_mismatch',
  'invalid_json',
  'schema_invalid',
  'too_large',
  'unreadable_body',
] as const;
export type WebhookRejection = (typeof WEBHOOK_REJECTIONS)[number];

/**
 * One route-label scheme for every HTTP metric and log line: the OpenAPI path template a request
 * matched (`/v1/workspaces/{workspaceId}/meetings/{meetingId}`, as /openapi.json names it), or
 * `unmatched`. Ids never become labels, so the label set stays small.
 */
export function routeLabeler(templates: readonly string[]): (path: string) => string {
  const compiled = templates.map((template) => ({
    template,
    pattern: new RegExp(
      `^${template
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('')}/?$`,
    ),
  }));
  return (path) => compiled.find((c) => c.pattern.test(path))?.template ?? 'unmatched';
}

export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly webhookEvents: Counter<'result'>;
  /** Every webhook delivery answered with an error, by why (see WebhookRejection). */
  readonly webhookRejections: Counter<'reason'>;
  readonly syncs: Counter<'outcome'>;
  readonly syncDuration: Histogram<'outcome'>;
  readonly salesforceApiCalls: Counter;
  readonly tokenRefreshes: Counter<'outcome'>;
  readonly lookupCache: Counter<'kind' | 'result'>;
}

export function createMetrics(store: Store, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'salescaling_meetings',
    help: 'Meetings in the store by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await store.meetings.count();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'salescaling_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    webhookEvents: new Counter({
      name: 'salescaling_webhook_events_total',
      help: 'Webhook deliveries by result (accepted, duplicate, bad_signature, invalid, too_large)',
      labelNames: ['result'],
      registers: [registry],
    }),
    webhookRejections: new Counter({
      name: 'salescaling_webhook_rejections_total',
      help: `Rejected webhook deliveries by reason (${WEBHOOK_REJECTIONS.join(', ')})`,
      labelNames: ['reason'],
      registers: [registry],
    }),
    syncs: new Counter({
      name: 'salescaling_syncs_total',
      help: 'Sync attempts by outcome (synced, skipped, deleted, retry, failed, waiting)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    syncDuration: new Histogram({
      name: 'salescaling_sync_duration_seconds',
      help: 'Duration of one sync attempt',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    salesforceApiCalls: new Counter({
      name: 'salescaling_salesforce_api_calls_total',
      help: 'Salesforce API calls spent by syncs',
      registers: [registry],
    }),
    tokenRefreshes: new Counter({
      name: 'salescaling_token_refreshes_total',
      help: 'OAuth access-token refreshes by outcome (ok, dead, error)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    lookupCache: new Counter({
      name: 'salescaling_lookup_cache_total',
      help: 'Suggest/search look-ups by cache result (hit, miss)',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
  };
}
