/**
 * The local org in a process of its own, as `npm run emulator` starts it: the CLI with `args`, and
 * the first line it prints (with `--json`, the connection object). For benchmarks and tests that
 * need the org's memory and CPU apart from their own, or that check the command itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { findProjectRoot } from './schema/package-fields.ts';

export interface OrgProcess {
  readonly child: ChildProcess;
  /** The first line the command printed, without its newline. */
  readonly line: string;
}

/** `stderr: 'pipe'` lets the caller read the command's stderr; by default it goes to this process's. */
export async function startOrgProcess(
  args: readonly string[],
  options: { stderr?: 'pipe' | 'inherit' } = {},
): Promise<OrgProcess> {
  const root = findProjectRoot() ?? process.cwd();
  const child = spawn(
    join(root, 'node_modules', '.bin', 'node'),
    [join(root, 'emulator', 'src', 'cli.ts'), ...args],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'],
    },
  );
  const stdout = child.stdout!; // piped above
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      stdout.off('data', onData);
      child.off('exit', onExit);
      resolve(out.slice(0, nl));
    };
    const onExit = (code: number | null) =>
      reject(new Error(`the local org exited early with ${String(code)}`));
    stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', reject);
  });
  stdout.resume(); // later lines are read and dropped, so the org never blocks on a full pipe
  return { child, line };
}
