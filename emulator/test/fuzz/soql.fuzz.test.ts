/** The SOQL fuzzers with a fixed seed (`npm run fuzz` runs them longer, with any seed). */
import { soqlProperties } from './soql-fuzz.ts';

const SEED = 20261201;

describe('SOQL fuzzing (fixed seed)', () => {
  for (const p of soqlProperties)
    it(p.name, async () => {
      await p.run({ numRuns: p.runs, seed: SEED });
    });
});
