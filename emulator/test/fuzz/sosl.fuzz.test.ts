/** The SOSL fuzzers with a fixed seed (`npm run fuzz` runs them longer, with any seed). */
import { soslProperties } from './sosl-fuzz.ts';

const SEED = 20261201;

describe('SOSL fuzzing (fixed seed)', () => {
  for (const p of soslProperties) {
    it(p.name, async () => {
      await p.run({ numRuns: p.runs, seed: SEED });
    });
  }
});
