/**
 * What the HTTP front (app.ts) provides to the REST resources, handed to the router's constructor and
 * from there to each resource: the org, the clock, the instance URL and the API counters. Nothing is
 * patched in after construction.
 */
import type { Org } from '../org/org.ts';

export interface RestHost {
  readonly org: Org;
  /** The clock in milliseconds (query cursors expire by it; the replication window ends at it). */
  now(): number;
  /** The org's instance URL, absolute (the token response's `instance_url`). */
  instanceUrl(): string;
  /** The daily API allowance: requests counted so far and the maximum. */
  apiUsage(): { used: number; max: number };
  /** Counts API calls beyond the one the HTTP layer counted (Composite Batch subrequests, GraphQL subqueries). */
  countExtra(kind: string, n: number): void;
}
