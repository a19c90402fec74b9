/** The API budget's decision (worker/budget.ts): pure, so every edge is checked without an org. */
import {
  allowanceExhausted,
  budgetDecision,
  exhaustedUsage,
  overBudget,
  readUsage,
  usageFromLimits,
  type UsageSource,
} from '../../src/worker/budget.ts';

describe('overBudget', () => {
  test.each([
    [{ used: 89, max: 100 }, 90, false],
    [{ used: 90, max: 100 }, 90, true], // "at or over"
    [{ used: 91, max: 100 }, 90, true],
    [{ used: 13_499, max: 15_000 }, 90, false],
    [{ used: 13_500, max: 15_000 }, 90, true],
    [{ used: 15_000, max: 15_000 }, 100, true],
    [{ used: 14_999, max: 15_000 }, 100, false],
    [{ used: 1, max: 3 }, 33, true], // 33.3% ≥ 33%: integer arithmetic, no rounding
    [{ used: 1, max: 3 }, 34, false],
  ])('%j at %i%% → %s', (usage, percent, expected) => {
    expect(overBudget(usage, percent)).toBe(expected);
  });

  test('when usage was never seen or the allowance is unknown, then nothing stops the sync', () => {
    expect(overBudget(null, 1)).toBe(false);
    expect(overBudget(undefined, 1)).toBe(false);
    expect(overBudget({ used: 10, max: 0 }, 1)).toBe(false);
  });
});

describe('budgetDecision', () => {
  const over = { used: 95, max: 100 };
  const base = { stopAtPercent: 90, now: 1_000_000, checkIntervalMs: 60_000 };

  test('when under budget, then it runs whatever the last check', () => {
    expect(budgetDecision({ ...base, usage: { used: 10, max: 100 }, lastCheckAt: null })).toEqual({
      action: 'run',
    });
    expect(budgetDecision({ ...base, usage: null, lastCheckAt: base.now })).toEqual({ action: 'run' });
  });

  test('when over budget and never checked, then it asks /limits', () => {
    expect(budgetDecision({ ...base, usage: over, lastCheckAt: null })).toEqual({ action: 'check' });
  });

  test('when over budget and checked within the interval, then it pauses until the interval ends', () => {
    expect(budgetDecision({ ...base, usage: over, lastCheckAt: base.now - 10_000 })).toEqual({
      action: 'pause',
      until: base.now + 50_000,
    });
  });

  test('when over budget and the interval has passed, then it asks /limits again', () => {
    expect(budgetDecision({ ...base, usage: over, lastCheckAt: base.now - 60_000 })).toEqual({
      action: 'check',
    });
  });
});

describe('usageFromLimits', () => {
  test('when /limits answers DailyApiRequests, then used is Max minus Remaining', () => {
    expect(usageFromLimits({ DailyApiRequests: { Max: 15_000, Remaining: 14_000 } })).toEqual({
      used: 1_000,
      max: 15_000,
    });
  });
  test('when the answer lacks it, then there is no figure', () => {
    expect(usageFromLimits({})).toBeNull();
    expect(usageFromLimits(null)).toBeNull();
    expect(usageFromLimits({ DailyApiRequests: { Max: '1' } })).toBeNull();
  });
});

describe('readUsage', () => {
  /** A connection whose calls are recorded; `/limits` answers or throws as told. */
  function source(limits: () => Promise<unknown>, header?: { used: number; limit: number }) {
    const calls: string[] = [];
    const conn: UsageSource & { limitInfo: { apiUsage?: { used: number; limit: number } } } = {
      version: '66.0',
      limitInfo: {},
      limits: () => {
        calls.push('/limits');
        return limits();
      },
      request: (url: string) => {
        calls.push(url);
        if (header) conn.limitInfo = { apiUsage: header };
        return Promise.resolve({});
      },
    };
    return { conn, calls };
  }
  const refused = (errorCode: string) => () =>
    Promise.reject(Object.assign(new Error(errorCode), { errorCode }));

  test('when /limits answers, then that is the figure and nothing else is called', async () => {
    const { conn, calls } = source(() => Promise.resolve({ DailyApiRequests: { Max: 100, Remaining: 40 } }));
    expect(await readUsage(conn)).toEqual({ used: 60, max: 100 });
    expect(calls).toEqual(['/limits']);
  });

  test('when /limits is refused (no View Setup and Configuration), then the resource list header gives it', async () => {
    const { conn, calls } = source(refused('INSUFFICIENT_ACCESS'), { used: 70, limit: 100 });
    expect(await readUsage(conn)).toEqual({ used: 70, max: 100 });
    expect(calls).toEqual(['/limits', '/services/data/v66.0/']);
  });

  test('when /limits was refused once, then the same connection reads the header at once, a new one asks again', async () => {
    const { conn, calls } = source(refused('INSUFFICIENT_ACCESS'), { used: 70, limit: 100 });
    await readUsage(conn);
    calls.length = 0;
    expect(await readUsage(conn)).toEqual({ used: 70, max: 100 });
    expect(calls).toEqual(['/services/data/v66.0/']);
    const other = source(refused('INSUFFICIENT_ACCESS'), { used: 71, limit: 100 });
    expect(await readUsage(other.conn)).toEqual({ used: 71, max: 100 });
    expect(other.calls).toEqual(['/limits', '/services/data/v66.0/']);
  });

  test('when /limits fails without a refusal (the network), then the next look asks it again', async () => {
    const { conn, calls } = source(() => Promise.reject(new Error('socket hang up')), {
      used: 5,
      limit: 100,
    });
    expect(await readUsage(conn)).toEqual({ used: 5, max: 100 });
    expect(await readUsage(conn)).toEqual({ used: 5, max: 100 });
    expect(calls).toEqual(['/limits', '/services/data/v66.0/', '/limits', '/services/data/v66.0/']);
  });

  test('when the org refuses for its limit itself, then no further call is made', async () => {
    const { conn, calls } = source(refused('REQUEST_LIMIT_EXCEEDED'), { used: 100, limit: 100 });
    expect(await readUsage(conn)).toBeNull();
    expect(calls).toEqual(['/limits']);
  });
});

describe('allowanceExhausted', () => {
  test.each([
    [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }, true],
    // the concurrent long-running request limit: same code, an ordinary retry
    [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' }, false],
    [
      {
        errorCode: 'REQUEST_LIMIT_EXCEEDED',
        message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
      },
      false,
    ],
    [{ errorCode: 'UNABLE_TO_LOCK_ROW', message: 'TotalRequests Limit exceeded.' }, false],
    [{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }, false],
    [null, false],
  ])('%j → %s', (err, expected) => {
    expect(allowanceExhausted(err)).toBe(expected);
  });
});

describe('exhaustedUsage', () => {
  test('the whole allowance, sized by the refusal header, else the last seen, else 1 of 1', () => {
    expect(exhaustedUsage(15_000, { used: 10, max: 1_000 })).toEqual({ used: 15_000, max: 15_000 });
    expect(exhaustedUsage(undefined, { used: 10, max: 1_000 })).toEqual({ used: 1_000, max: 1_000 });
    expect(exhaustedUsage(undefined, null)).toEqual({ used: 1, max: 1 });
    // recorded, it pauses the workspace whatever its budget
    for (const pct of [1, 90, 100]) expect(overBudget(exhaustedUsage(undefined, null), pct)).toBe(true);
  });
});
