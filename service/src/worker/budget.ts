/**
 * The API budget (setting `apiBudget.stopAtPercent`): a workspace whose org has used that share of
 * its daily API allowance stops writing as a whole, and resumes when Salesforce shows room again.
 *
 * The usage comes from what Salesforce last told us: the `Sforce-Limit-Info: api-usage=used/max`
 * header on every REST answer
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm),
 * or `DailyApiRequests {Max, Remaining}` from the `/limits` resource
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm).
 * Deciding costs no call; while paused, one `/limits` call per workspace per interval looks for room.
 */

export interface ApiUsageSeen {
  readonly used: number;
  readonly max: number;
}

/** At or over the budget: `used / max >= stopAtPercent / 100` (integers, no rounding drift). */
export function overBudget(usage: ApiUsageSeen | null | undefined, stopAtPercent: number): boolean {
  if (!usage || !(usage.max > 0)) return false; // never measured: nothing tells us to stop
  return usage.used * 100 >= usage.max * stopAtPercent;
}

export type BudgetDecision =
  /** Under budget: sync. */
  | { readonly action: 'run' }
  /** Over budget by the last-seen figure and no recent look: ask `/limits` once, then decide again. */
  | { readonly action: 'check' }
  /** Over budget and looked recently: leave the workspace's meetings queued until `until`. */
  | { readonly action: 'pause'; readonly until: number };

export interface BudgetInput {
  readonly usage: ApiUsageSeen | null | undefined;
  readonly stopAtPercent: number;
  /** When `/limits` was last asked for this workspace (null: not since this process started). */
  readonly lastCheckAt: number | null;
  readonly now: number;
  readonly checkIntervalMs: number;
}

export function budgetDecision(i: BudgetInput): BudgetDecision {
  if (!overBudget(i.usage, i.stopAtPercent)) return { action: 'run' };
  if (i.lastCheckAt === null || i.now - i.lastCheckAt >= i.checkIntervalMs) return { action: 'check' };
  return { action: 'pause', until: i.lastCheckAt + i.checkIntervalMs };
}

/** `/limits`' answer → usage (null when it lacks DailyApiRequests). */
export function usageFromLimits(limits: unknown): ApiUsageSeen | null {
  const d = (limits as Record<string, { Max?: unknown; Remaining?: unknown } | undefined> | null)?.[
    'DailyApiRequests'
  ];
  if (!d || typeof d.Max !== 'number' || typeof d.Remaining !== 'number') return null;
  return { used: Math.max(0, d.Max - d.Remaining), max: d.Max };
}

/** The little of a jsforce Connection that reading the usage needs. */
export interface UsageSource {
  limits(): Promise<unknown>;
  request(url: string): Promise<unknown>;
  readonly version: string;
  readonly limitInfo?: { apiUsage?: { used: number; limit: number } };
}

/**
 * Connections whose user Salesforce refused `/limits`: their later looks read the header at once, one
 * call each. Keyed by the connection object, so a new connection (a reconnect, another user) asks
 * `/limits` again.
 */
const headerOnly = new WeakSet<UsageSource>();

/**
 * The org's usage now, for a paused workspace: `/limits` first. That resource is documented for
 * users with "View Setup and Configuration", which the integration user need not have
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm);
 * refused, one GET of the version's resource list reads the same figure from its `Sforce-Limit-Info`
 * header, and so do the connection's later looks, without asking `/limits` again. Over the allowance
 * itself (REQUEST_LIMIT_EXCEEDED) there is nothing more to ask: null.
 */
export async function readUsage(conn: UsageSource): Promise<ApiUsageSeen | null> {
  if (!headerOnly.has(conn)) {
    try {
      const fromLimits = usageFromLimits(await conn.limits());
      if (fromLimits) return fromLimits;
    } catch (err) {
      const code = (err as { errorCode?: unknown }).errorCode;
      if (code === 'REQUEST_LIMIT_EXCEEDED') return null;
      // Salesforce answered with a refusal (the permission); a failure without one may pass.
      if (typeof code === 'string') headerOnly.add(conn);
    }
  }
  try {
    await conn.request(`/services/data/v${conn.version}/`);
  } catch (err) {
    if ((err as { errorCode?: unknown }).errorCode === 'REQUEST_LIMIT_EXCEEDED') return null;
    throw err;
  }
  const header = conn.limitInfo?.apiUsage;
  return header ? { used: header.used, max: header.limit } : null;
}

/**
 * The org refused a call because its daily allowance is spent. Salesforce answers both that and its
 * concurrent long-running request limit with the same code, REQUEST_LIMIT_EXCEEDED
 * (https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html);
 * only the message tells them apart: `TotalRequests Limit exceeded.` for the allowance, versus
 * `ConcurrentRequests (Concurrent API Requests) Limit exceeded.` / `ConcurrentPerOrgLongTxn Limit
 * exceeded.` for concurrency. The docs do not publish these texts (docs/local-org.md): anything but
 * `TotalRequests` stays an ordinary limit retry, so a concurrency refusal never pauses a workspace.
 */
export function allowanceExhausted(err: unknown): boolean {
  const e = err as { errorCode?: unknown; message?: unknown } | null;
  if (e?.errorCode !== 'REQUEST_LIMIT_EXCEEDED' || typeof e.message !== 'string') return false;
  return /^\s*TotalRequests\b/i.test(e.message);
}

/**
 * What to record once the allowance is exhausted: the whole allowance used, so the budget pause
 * (any `stopAtPercent`, 1–100) stops the workspace until `/limits` shows room. The allowance's size
 * comes from the refusal's `Sforce-Limit-Info` header, else from what was last seen; never seen,
 * 1 of 1 (all of an unknown allowance).
 */
export function exhaustedUsage(
  headerLimit: number | undefined,
  seen: ApiUsageSeen | null | undefined,
): ApiUsageSeen {
  const max =
    headerLimit !== undefined && headerLimit > 0 ? headerLimit : seen && seen.max > 0 ? seen.max : 1;
  return { used: max, max };
}
