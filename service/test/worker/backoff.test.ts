import fc from 'fast-check';
import { backoffDelay } from '../../src/worker/worker.ts';

const options = { baseMs: 2_000, limitBaseMs: 60_000, maxMs: 30 * 60_000 };

describe('retry backoff', () => {
  it('when attempts grow, then the delay stays between half and all of the capped exponential ceiling', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (attempts, r, limit) => {
          const kind = limit ? 'limit' : 'transient';
          const base = limit ? options.limitBaseMs : options.baseMs;
          const ceiling = Math.min(options.maxMs, base * 2 ** Math.min(attempts, 20));
          const d = backoffDelay(attempts, kind, options, () => r);
          return d >= Math.floor(ceiling / 2) && d <= ceiling;
        },
      ),
    );
  });

  it('when the org says its limit is spent, then the first wait is far longer than for a lock', () => {
    expect(backoffDelay(0, 'limit', options, () => 0)).toBe(30_000);
    expect(backoffDelay(0, 'transient', options, () => 0)).toBe(1_000);
    expect(backoffDelay(40, 'transient', options, () => 1)).toBe(options.maxMs);
  });

  it('when many meetings fail at once, then their retries spread out (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3, 'transient', options)));
    expect(delays.size).toBeGreaterThan(40);
  });
});
