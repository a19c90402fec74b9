/**
 * The Limits resource: the org's allocations and what remains of them.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
 */
import type { RestHost } from './host.ts';
import { allow, type Reply, type RestRequest } from './resource.ts';

/**
 * Every limit the Limits page lists for an org (Dev Hub-only ones aside); only DailyApiRequests is
 * counted, the others are untouched allocations with Developer Edition-like maxima.
 */
export function limitsTable(usage: { used: number; max: number }): Record<string, unknown> {
  const { used, max } = usage;
  const pair = (m: number, r = m) => ({ Max: m, Remaining: r });
  return {
    ConcurrentAsyncGetReportInstances: pair(200),
    ConcurrentSyncReportRuns: pair(20),
    DailyApiRequests: pair(max, Math.max(0, max - used)),
    DailyAsyncApexExecutions: pair(250000),
    DailyBulkApiBatches: pair(15000),
    DailyBulkV2QueryFileStorageMB: pair(976562),
    DailyBulkV2QueryJobs: pair(10000),
    DailyDurableGenericStreamingApiEvents: pair(10000),
    DailyDurableStreamingApiEvents: pair(10000),
    DailyGenericStreamingApiEvents: pair(10000),
    DailyStreamingApiEvents: pair(10000),
    DailyWorkflowEmails: pair(390),
    DataStorageMB: pair(5),
    DurableStreamingApiConcurrentClients: pair(20),
    FileStorageMB: pair(20),
    HourlyAsyncReportRuns: pair(1200),
    HourlyDashboardRefreshes: pair(200),
    HourlyDashboardResults: pair(5000),
    HourlyDashboardStatuses: pair(999999999),
    HourlyODataCallout: pair(10000),
    HourlySyncReportRuns: pair(500),
    HourlyTimeBasedWorkflow: pair(50),
    MassEmail: pair(10),
    SingleEmail: pair(15),
    StreamingApiConcurrentClients: pair(20),
  };
}

export class LimitsResource {
  readonly #usage: () => { used: number; max: number };

  constructor(host: Pick<RestHost, 'apiUsage'>) {
    this.#usage = () => host.apiUsage();
  }

  /** GET limits */
  handle(req: RestRequest): Reply {
    allow(req.method, ['GET']);
    return { status: 200, body: limitsTable(this.#usage()) };
  }
}
