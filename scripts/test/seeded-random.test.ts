/** Seeded randomness for the fault tests (scripts/test-support/seeded-random.ts). */
import { mulberry32, seeded, testSeed, withSeededRandom } from '../test-support/seeded-random.ts';

describe('seeded randomness', () => {
  it('when two generators start from one seed, then they draw the same numbers in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(draws);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(draws).size).toBe(1000);
    expect(mulberry32(43)()).not.toBe(draws[0]);
  });

  it('when a test runs seeded, then Math.random replays the seed inside and is the real one again after', async () => {
    const real = Math.random;
    const inside = await withSeededRandom(async () => [Math.random(), Math.random()], 7);
    const gen = mulberry32(7);
    expect(inside).toEqual([gen(), gen()]);
    expect(Math.random).toBe(real);
  });

  it('when a seeded test fails, then its error names the seed and how to replay it', async () => {
    const real = Math.random;
    await expect(
      withSeededRandom(async () => {
        throw new Error('two Events for meeting m1');
      }, 1234),
    ).rejects.toThrow('two Events for meeting m1\n(random seed 1234: replay with TEST_SEED=1234)');
    expect(Math.random).toBe(real);
  });

  it('when a body is wrapped with seeded(), then it runs under a seeded Math.random', async () => {
    const real = Math.random;
    let inside: () => number = real;
    await seeded(async () => {
      inside = Math.random;
    })();
    expect(inside).not.toBe(real);
    expect(Math.random).toBe(real);
  });

  it('when TEST_SEED is set, then it is the seed; nonsense is refused by name', () => {
    expect(testSeed({ TEST_SEED: '99' })).toBe(99);
    expect(() => testSeed({ TEST_SEED: 'abc' })).toThrow(/TEST_SEED must be a whole number/);
    expect(Number.isSafeInteger(testSeed({}))).toBe(true);
  });
});
