/** The service as a separate process (`node service/src/main.ts`), for crash tests. */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function repoRoot(start = process.cwd()): string {
  let dir = start;
  while (!existsSync(join(dir, 'sfdx-project.json'))) {
    const parent = join(dir, '..');
    if (parent === dir) throw new Error('sfdx-project.json not found above the working directory');
    dir = parent;
  }
  return dir;
}

/** Runs `node service/src/main.ts` (what `npm start` runs) with exactly this environment, to its exit. */
export function runMain(env: Record<string, string>): SpawnSyncReturns<string> {
  const root = repoRoot();
  return spawnSync(join(root, 'node_modules', '.bin', 'node'), [join(root, 'service', 'src', 'main.ts')], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

export interface ChildService {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function startChildService(env: Record<string, string>): Promise<ChildService> {
  const root = repoRoot();
  const child = spawn(join(root, 'node_modules', '.bin', 'node'), [join(root, 'service', 'src', 'main.ts')], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${out}`)), 20_000);
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    kill: (signal) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
