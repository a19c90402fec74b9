/**
 * The design's boundaries as eslint.config.js enforces them: each rule fails a change that crosses
 * it, and lets the allowed imports through. Small sources in a temporary tree shaped like the
 * repository (service/src/…, emulator/src/…) are linted with the repository's own config.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface Linted {
  file: string;
  messages: { ruleId: string | null; message: string }[];
}

const runner = path.resolve(__dirname, '../test-support/lint-files.mjs');
let root: string;

/** Writes the sources under a fresh tree and lints them all; returns each file's messages. */
function lint(sources: Record<string, string>): Map<string, Linted['messages']> {
  for (const [file, text] of Object.entries(sources)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  const run = spawnSync(process.execPath, [runner, root, ...Object.keys(sources)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ESLint failed: ${run.stderr}`);
  return new Map((JSON.parse(run.stdout) as Linted[]).map((r) => [r.file, r.messages]));
}

const rules = (messages: Linted['messages'] | undefined): string[] =>
  (messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'salescaling-lint-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The rule and the message eslint.config.js gives, after ESLint's own "'x' import is restricted…". */
const refused = (ruleId: string, text: string): unknown =>
  expect.stringMatching(new RegExp(`^${ruleId}: .*${text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
const ONE_DOOR = refused(
  'no-restricted-imports',
  'Only service/src/salesforce/ imports jsforce: use or add a function there.',
);
const PURE_CORE = refused(
  'no-restricted-imports',
  'The pure core (associations/, plan/, domain/) does no I/O: take the data as an argument.',
);
const CYCLE = expect.stringMatching(/^import\/no-cycle: Dependency cycle/);

test('only service/src/salesforce/ imports jsforce: the rest of the service, the demo and the benchmarks are refused', () => {
  const jsforceUser =
    "import { Connection } from 'jsforce';\nexport const make = (): Connection => new Connection({});\n";
  const deepUser =
    "import type { QueryResult } from 'jsforce/lib/query';\nexport type Q = QueryResult<object>;\n";
  const linted = lint({
    'service/src/salesforce/door.ts': jsforceUser,
    'service/src/worker/task.ts': jsforceUser,
    'service/src/sync/deep.ts': deepUser,
    'service/demo/demo.ts': jsforceUser,
    'service/bench/bench.ts': jsforceUser,
  });
  expect(rules(linted.get('service/src/salesforce/door.ts'))).toEqual([]);
  for (const file of [
    'service/src/worker/task.ts',
    'service/src/sync/deep.ts',
    'service/demo/demo.ts',
    'service/bench/bench.ts',
  ]) {
    expect(rules(linted.get(file))).toEqual([ONE_DOOR]);
  }
});

test('an import cycle in the service or the local org is refused; the same imports without the cycle pass', () => {
  const cyclic = lint({
    'service/src/sync/a.ts': "import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n",
    'service/src/sync/b.ts': "import { c } from '../worker/c.ts';\nexport const b = (): number => c();\n",
    'service/src/worker/c.ts': "import { a } from '../sync/a.ts';\nexport const c = (): number => a();\n",
    'emulator/src/rest/x.ts': "import { y } from './y.ts';\nexport const x = (): number => y();\n",
    'emulator/src/rest/y.ts': "import { x } from './x.ts';\nexport const y = (): number => x();\n",
  });
  for (const file of [
    'service/src/sync/a.ts',
    'service/src/sync/b.ts',
    'service/src/worker/c.ts',
    'emulator/src/rest/x.ts',
  ]) {
    expect(rules(cyclic.get(file))).toEqual([CYCLE]);
  }
  rmSync(root, { recursive: true, force: true });
  root = mkdtempSync(path.join(tmpdir(), 'salescaling-lint-'));
  const acyclic = lint({
    'service/src/sync/a.ts': "import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n",
    'service/src/sync/b.ts': "import { c } from '../worker/c.ts';\nexport const b = (): number => c();\n",
    'service/src/worker/c.ts': 'export const c = (): number => 1;\n',
  });
  for (const messages of acyclic.values()) expect(rules(messages)).toEqual([]);
});

test('the pure core (associations/, plan/, domain/) imports no I/O module and none of the service modules that do I/O', () => {
  const linted = lint({
    'service/src/associations/reads-file.ts':
      "import { readFileSync } from 'node:fs';\nexport const read = (): string => readFileSync('x', 'utf8');\n",
    'service/src/associations/serves.ts': "import express from 'express';\nexport const app = express();\n",
    'service/src/plan/queries.ts': "import pg from 'pg';\nexport const pool = new pg.Pool();\n",
    'service/src/plan/calls.ts':
      "import { Connection } from 'jsforce';\nexport const make = (): Connection => new Connection({});\n",
    'service/src/associations/stores.ts':
      "import type { Store } from '../store/types.ts';\nexport type S = Store;\n",
    'service/src/plan/asks.ts':
      "import { lookup } from '../salesforce/lookups.ts';\nexport const l = lookup;\n",
    'service/src/plan/answers.ts':
      "import { AppError } from '../http/errors.ts';\nexport const e = AppError;\n",
    'service/src/domain/writes.ts':
      "import { createNodes } from '../salesforce/writes.ts';\nexport const w = createNodes;\n",
    'service/src/associations/syncs.ts':
      "import { syncMeeting } from '../sync/sync-meeting.ts';\nexport const s = syncMeeting;\n",
    'service/src/associations/pure.ts':
      "import { createHash } from 'node:crypto';\nimport { a } from './sibling.ts';\nimport type { M } from '../meetings/schema.ts';\nexport const h = (m: M): string => createHash('sha256').update(a + String(m)).digest('hex');\n",
    'service/src/associations/sibling.ts': "export const a = 'a';\n",
    'service/src/meetings/schema.ts': 'export type M = string;\n',
    // outside the pure core, the same I/O imports are the norm
    'service/src/store/reads-file.ts':
      "import { readFileSync } from 'node:fs';\nexport const read = (): string => readFileSync('x', 'utf8');\n",
  });
  for (const file of [
    'service/src/associations/reads-file.ts',
    'service/src/associations/serves.ts',
    'service/src/plan/queries.ts',
    'service/src/associations/stores.ts',
    'service/src/plan/asks.ts',
    'service/src/plan/answers.ts',
    'service/src/domain/writes.ts',
    'service/src/associations/syncs.ts',
  ]) {
    expect(rules(linted.get(file))).toEqual([PURE_CORE]);
  }
  expect(rules(linted.get('service/src/plan/calls.ts'))).toEqual([ONE_DOOR]);
  expect(rules(linted.get('service/src/associations/pure.ts'))).toEqual([]);
  expect(rules(linted.get('service/src/store/reads-file.ts'))).toEqual([]);
});
