/**
 * What a failed sync means, by the kind of its failure (CONTRACT §8), as one pure decision the worker
 * acts on for a lone meeting and for every meeting of a batch alike:
 * - transient / limit: back in the queue with exponential backoff and jitter (limit waits longer);
 * - auth: refresh the token once and try again; after that, or with a dead grant, the connection is
 *   broken and the workspace's meetings wait for a reconnect;
 * - record: this meeting is `failed` with Salesforce's message; no other meeting is affected;
 * - the org's daily allowance spent (REQUEST_LIMIT_EXCEEDED: TotalRequests): the workspace pauses as
 *   a whole (worker/budget.ts), no attempt counted;
 * - unknown: retried like a transient error, and failed after `maxUnknownAttempts`.
 */

export interface BackoffOptions {
  readonly baseMs: number;
  readonly limitBaseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 2_000, limitBaseMs: 60_000, maxMs: 30 * 60_000 };

/** Exponential backoff with "equal jitter": half fixed, half random, so retries of a burst spread out. */
export function backoffDelay(
  attempts: number,
  kind: 'transient' | 'limit',
  o: BackoffOptions,
  random = Math.random,
): number {
  const base = kind === 'limit' ? o.limitBaseMs : o.baseMs;
  const ceiling = Math.min(o.maxMs, base * 2 ** Math.min(attempts, 20));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export type FailureKind = 'transient' | 'limit' | 'auth' | 'record' | 'unknown';

export interface FailureFacts {
  readonly kind: FailureKind;
  /** The org refused the call because its daily API allowance is spent. */
  readonly allowanceExhausted: boolean;
  /** The workspace's connection is broken (a dead grant), or this error says so. */
  readonly connectionBroken: boolean;
  /** The token was already refreshed once for this attempt. */
  readonly refreshed: boolean;
  /** Attempts already counted for this meeting. */
  readonly attempts: number;
}

export interface RetryPolicy {
  readonly backoff: BackoffOptions;
  readonly maxUnknownAttempts: number;
  readonly random?: () => number;
}

export type RetryDecision =
  | { readonly action: 'refresh' }
  | { readonly action: 'pause_workspace' }
  | { readonly action: 'wait_for_reconnect' }
  | { readonly action: 'fail'; readonly reason: 'salesforce_record_error' | 'internal_error' }
  | { readonly action: 'retry'; readonly delayMs: number; readonly kind: FailureKind };

export function decideRetry(f: FailureFacts, policy: RetryPolicy): RetryDecision {
  if (f.allowanceExhausted) return { action: 'pause_workspace' };
  if (f.kind === 'auth' && !f.refreshed && !f.connectionBroken) return { action: 'refresh' };
  if (f.connectionBroken) return { action: 'wait_for_reconnect' };
  if (f.kind === 'record') return { action: 'fail', reason: 'salesforce_record_error' };
  if (f.kind === 'unknown' && f.attempts + 1 >= policy.maxUnknownAttempts)
    return { action: 'fail', reason: 'internal_error' };
  const delayMs = backoffDelay(
    f.attempts,
    f.kind === 'limit' ? 'limit' : 'transient',
    policy.backoff,
    policy.random,
  );
  return { action: 'retry', delayMs, kind: f.kind };
}
