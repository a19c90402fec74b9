/**
 * The Limits resource: the org's allocations and what remains of them.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
 */
import { ApiError } from '../errors.ts';
import type { Org } from '../org/org.ts';
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

/** The limits the Limits page shows only to a user with "Manage Users". */
const MANAGE_USERS_ONLY = ['DataStorageMB', 'FileStorageMB'];

export class LimitsResource {
  readonly #usage: () => { used: number; max: number };
  readonly #org: Org;

  constructor(host: Pick<RestHost, 'apiUsage' | 'org'>) {
    this.#usage = () => host.apiUsage();
    this.#org = host.org;
  }

  /**
   * GET limits: "available … for API users with the View Setup and Configuration permission", and the
   * data and file storage limits only "if the API user has the Manage Users permission" (the Limits
   * page above), which Salesforce never grants without View Setup and Configuration. The refusal's
   * status and body are not documented (docs/local-org.md): the org's 403 INSUFFICIENT_ACCESS.
   */
  handle(req: RestRequest): Reply {
    allow(req.method, ['GET']);
    const user = this.#org.restrictedUser;
    const manageUsers = user === undefined || user.perms.has('ManageUsers');
    if (!manageUsers && !user!.perms.has('ViewSetup')) {
      throw new ApiError(
        'INSUFFICIENT_ACCESS',
        'The Limits resource requires the View Setup and Configuration permission.',
      );
    }
    const table = limitsTable(this.#usage());
    if (!manageUsers) for (const name of MANAGE_USERS_ONLY) delete table[name];
    return { status: 200, body: table };
  }
}
