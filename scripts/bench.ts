/**
 * `npm run bench`: every benchmark in turn (docs/benchmarks.md), each in its own Node process.
 * A script of its own rather than a `&&` chain in package.json, so that `npm run bench -- --help`
 * answers instead of running the first benchmarks and handing --help to the last one.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runIfMain } from './lib/cli.ts';
import { findProjectRoot } from './lib/project-root.ts';

const RUNS: readonly (readonly string[])[] = [
  ['emulator/bench/reads.ts', '--seconds', '5'],
  ['emulator/bench/reads.ts', '--seconds', '5', '--kind', 'query'],
  ['emulator/bench/reads.ts', '--seconds', '5', '--kind', 'indexed'],
  ['emulator/bench/reads.ts', '--seconds', '5', '--kind', 'lone'],
  ['emulator/bench/reads.ts', '--kind', 'writes'],
  ['emulator/bench/reads.ts', '--seconds', '5', '--concurrency', '4', '--kind', 'sharing'],
  ['service/bench/ingest.ts', '--seconds', '5'],
  ['service/bench/sync.ts'],
  ['service/bench/associations.ts'],
];

const USAGE = `Usage: npm run bench

Runs, one after another (docs/benchmarks.md):
${RUNS.map((run) => `  node ${run.join(' ')}`).join('\n')}
Each takes --help for its own options; run one alone to pass them. --help prints this text.`;

function main(): void {
  const extra = process.argv.slice(2);
  if (extra.length > 0) throw new Error(`bench: unknown argument ${extra[0]} (see --help)`);
  const root = findProjectRoot();
  for (const [script = '', ...args] of RUNS) {
    const result = spawnSync(process.execPath, [path.join(root, script), ...args], {
      cwd: root,
      stdio: 'inherit',
    });
    if (result.status !== 0)
      throw new Error(`bench: ${script} ${args.join(' ')} failed (exit ${String(result.status)})`);
  }
}

runIfMain('bench.ts', main, USAGE);
