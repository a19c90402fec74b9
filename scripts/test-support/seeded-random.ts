/**
 * Seeded randomness for the tests that inject failures at random (the local org's `failureRate`
 * knob draws from `Math.random`, in this process): a test run under `withSeededRandom` draws from a
 * generator started from a seed, and when it fails its error names the seed, so
 * `TEST_SEED=<seed> npx jest <file>` replays the same draws. Which call meets which draw also depends
 * on the order concurrent calls arrive in; a sequential test replays exactly, a concurrent one the
 * same sequence of failures.
 */

/** mulberry32: a small, fast 32-bit generator with a full period, good enough to pick failures. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed to use: `TEST_SEED` when set (to replay a failure), a fresh one otherwise. */
export function testSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env['TEST_SEED'];
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new Error(`TEST_SEED must be a whole number from 0 to ${0xffffffff}, not ${given}`);
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000);
}

/**
 * Runs `body` with `Math.random` drawing from a generator seeded with `seed`, and puts the real one
 * back afterwards. A failure is rethrown with the seed and the command that replays it appended.
 */
export async function withSeededRandom<T>(
  body: (seed: number) => Promise<T>,
  seed: number = testSeed(),
): Promise<T> {
  const real = Math.random;
  Math.random = mulberry32(seed);
  try {
    return await body(seed);
  } catch (err) {
    const replay = `(random seed ${seed}: replay with TEST_SEED=${seed})`;
    if (err instanceof Error) err.message = `${err.message}\n${replay}`;
    else throw new Error(`${String(err)}\n${replay}`, { cause: err });
    throw err;
  } finally {
    Math.random = real;
  }
}

/** A test body that injects failures at random, run under `withSeededRandom`: `it('…', seeded(async () => …))`. */
export function seeded(body: () => Promise<void>): () => Promise<void> {
  return () => withSeededRandom(body);
}
