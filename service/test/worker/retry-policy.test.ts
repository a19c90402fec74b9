import { DEFAULT_BACKOFF, decideRetry, type FailureFacts } from '../../src/worker/retry-policy.ts';

const policy = { backoff: DEFAULT_BACKOFF, maxUnknownAttempts: 3, random: () => 0 };
const facts = (f: Partial<FailureFacts>): FailureFacts => ({
  kind: 'transient',
  allowanceExhausted: false,
  connectionBroken: false,
  refreshed: false,
  attempts: 0,
  ...f,
});

describe('retry policy', () => {
  it('when a lock or an outage fails a sync, then it is retried after a backoff that grows with attempts', () => {
    expect(decideRetry(facts({ attempts: 0 }), policy)).toEqual({
      action: 'retry',
      delayMs: 1_000,
      kind: 'transient',
    });
    expect(decideRetry(facts({ attempts: 3 }), policy)).toEqual({
      action: 'retry',
      delayMs: 8_000,
      kind: 'transient',
    });
  });

  it('when the org answers a concurrency limit, then the wait starts at the limit base', () => {
    expect(decideRetry(facts({ kind: 'limit' }), policy)).toMatchObject({ action: 'retry', delayMs: 30_000 });
  });

  it('when the daily allowance is spent, then the workspace pauses, whatever the kind or attempts', () => {
    expect(decideRetry(facts({ kind: 'limit', allowanceExhausted: true, attempts: 9 }), policy)).toEqual({
      action: 'pause_workspace',
    });
  });

  it('when the session is refused, then the token is refreshed once; refused again, the sync is retried', () => {
    expect(decideRetry(facts({ kind: 'auth' }), policy)).toEqual({ action: 'refresh' });
    expect(decideRetry(facts({ kind: 'auth', refreshed: true }), policy)).toMatchObject({ action: 'retry' });
  });

  it('when the connection is broken, then the meeting waits for a reconnect instead of refreshing', () => {
    expect(decideRetry(facts({ kind: 'auth', connectionBroken: true }), policy)).toEqual({
      action: 'wait_for_reconnect',
    });
    expect(decideRetry(facts({ kind: 'record', connectionBroken: true }), policy)).toEqual({
      action: 'wait_for_reconnect',
    });
  });

  it('when the org refuses the records, then the meeting fails at once', () => {
    expect(decideRetry(facts({ kind: 'record', attempts: 0 }), policy)).toEqual({
      action: 'fail',
      reason: 'salesforce_record_error',
    });
  });

  it('when an unexpected error repeats, then the meeting fails after the allowed attempts', () => {
    expect(decideRetry(facts({ kind: 'unknown', attempts: 1 }), policy)).toMatchObject({ action: 'retry' });
    expect(decideRetry(facts({ kind: 'unknown', attempts: 2 }), policy)).toEqual({
      action: 'fail',
      reason: 'internal_error',
    });
  });
});
