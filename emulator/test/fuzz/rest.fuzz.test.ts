/** The REST fuzzers with a fixed seed (`npm run fuzz` runs them longer, with any seed). */
import { restProperties } from './rest-fuzz.ts';

const SEED = 20261201;

describe('REST fuzzing (fixed seed)', () => {
  for (const p of restProperties) {
    it(p.name, async () => {
      await p.run({ numRuns: p.runs, seed: SEED });
    });
  }
});
