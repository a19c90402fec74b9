/**
 * Every npm script a person runs answers --help with its usage instead of doing its work or crashing.
 * The list comes from package.json, so a script added later (backfill, …) is covered or must be named
 * below with its reason.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findProjectRoot } from '../lib/project-root.ts';

const root = findProjectRoot();
const scripts = Object.keys(
  (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts,
);

/** Scripts that are tool chains rather than the project's commands, or another module's entry point. */
const NOT_OURS: Record<string, string> = {
  test: 'runs tsc, ESLint and Jest, whose own --help applies',
  'test:node': 'Jest',
  'test:lwc': 'Jest',
  typecheck: 'tsc',
  lint: 'ESLint and Prettier',
  format: 'Prettier and ESLint',
  sf: 'the sf CLI, which has its own --help',
  start: "the service's entry point (service/src/main.ts), configured by the environment",
};

const ours = scripts.filter((name) => !(name in NOT_OURS));

function runHelp(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // SF=false: a shell script that ran past its --help would fail at its first sf call.
    const child = spawn('npm', ['run', '--silent', name, '--', '--help'], {
      cwd: root,
      env: { ...process.env, SF: 'false', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // A script that started its work instead (a server, a benchmark) is stopped and reported.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('--help', () => {
  it('covers the scripts a person runs', () => {
    expect(ours).toEqual(
      expect.arrayContaining([
        'demo',
        'bench',
        'emulator',
        'lwc:build',
        'lwc:check',
        'lwc:preview',
        'scratch:create',
      ]),
    );
  });

  it.each(ours)(
    'when `npm run %s -- --help`, then it prints its usage and exits 0 without running',
    async (name) => {
      const { code, stdout, stderr } = await runHelp(name);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout.trim().length).toBeGreaterThan(40);
      // Nothing started: no local org, no service, no compile, no benchmark figures.
      expect(stdout).not.toMatch(/listening on|Local org +http|Compiled \d|req\/s|meetings\/s/);
    },
    40_000,
  );
});
