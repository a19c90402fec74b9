/**
 * `npm run fuzz [-- --seed N] [--factor K] [--only text]`: every fuzzer of the local org, K times
 * (default 20) the cases `npm test` runs, with the given seed or a random one; prints the seed and
 * how many cases ran, and fails when any property fails or any request was answered 500.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { unexpectedErrors } from '../../src/index.ts';
import type { FuzzProperty } from './common.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
import { restProperties } from './rest-fuzz.ts';
import { soqlProperties } from './soql-fuzz.ts';
import { soslProperties } from './sosl-fuzz.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    factor: { type: 'string', default: '20' },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const USAGE = `Usage: npm run fuzz -- [--seed <integer>] [--factor <number>] [--only <text>]

Runs every fuzzer of the local org (SOQL, SOSL, REST) with <factor> times the cases npm test runs
(default 20), from the given seed or a random one; prints the seed and how many cases ran, and exits 1
when a property fails or any request was answered 500. --only keeps the properties whose name holds
<text>.`;
if (values.help) {
  say(USAGE);
  process.exit(0);
}
const seed = values.seed !== undefined ? Number(values.seed) : randomInt(2 ** 31 - 1);
const factor = Number(values.factor);
if (!Number.isInteger(seed) || !Number.isFinite(factor) || factor <= 0) {
  console.error(USAGE);
  process.exit(2);
}
const all: FuzzProperty[] = [...soqlProperties, ...soslProperties, ...restProperties].filter(
  (p) => values.only === undefined || p.name.toLowerCase().includes(values.only.toLowerCase()),
);
say(`fuzz: seed ${seed}, ${all.length} properties, ${factor}× the cases of npm test`);
let cases = 0;
let failed = 0;
const t0 = Date.now();
for (const p of all) {
  const numRuns = Math.max(1, Math.round(p.runs * factor));
  const started = Date.now();
  try {
    await p.run({ numRuns, seed });
    say(`  ok    ${numRuns} cases  ${((Date.now() - started) / 1000).toFixed(1)}s  ${p.name}`);
  } catch (e) {
    failed++;
    const cause = e instanceof Error && e.cause !== undefined ? `\n${String(e.cause)}` : '';
    say(`  FAIL  ${numRuns} cases  ${p.name}\n${e instanceof Error ? e.message : String(e)}${cause}`);
  }
  cases += numRuns;
}
const unexpected = unexpectedErrors();
for (const u of unexpected) say(`  500 UNKNOWN_EXCEPTION ${u.method} ${u.path}: ${u.message}`);
say(
  `fuzz: ${cases} cases ran in ${((Date.now() - t0) / 1000).toFixed(1)}s, seed ${seed}: ${failed} failed properties, ${unexpected.length} requests answered 500`,
);
process.exit(failed > 0 || unexpected.length > 0 ? 1 : 0);
