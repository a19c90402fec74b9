/**
 * Issue 14 item 5: container runtimes and process managers send SIGTERM to the process they started,
 * which for `npm start` is npm. The service must receive it and run its graceful drain, and npm must
 * not exit before the service has.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../support/child-service.ts';
import { testEnv } from '../support/service.ts';

jest.setTimeout(60_000);

describe('npm start', () => {
  let dir: string;
  let group: number | undefined;
  afterEach(() => {
    // npm runs in its own process group: whatever it left behind goes with the group
    try {
      if (group !== undefined) process.kill(-group, 'SIGKILL');
    } catch {
      // the group is already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('when npm (the process started) gets SIGTERM, then the service drains, stops, and only then npm exits', async () => {
    dir = mkdtempSync(join(tmpdir(), 'salescaling-npm-start-'));
    const root = repoRoot();
    // Node 24 first on PATH, as `npm run` arranges; npm itself is whatever the machine has.
    const path = [
      join(root, 'node_modules', '.bin'),
      dirname(process.execPath),
      process.env['PATH'] ?? '',
    ].join(':');
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: {
        ...testEnv({ DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, LOG_LEVEL: 'info' }),
        PATH: path,
        HOME: process.env['HOME'] ?? dir,
        npm_config_update_notifier: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    group = npm.pid;
    let out = '';
    npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      npm.stderr.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      npm.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
    });
    expect((await fetch(`${url}/healthz`)).status).toBeLessThan(500);

    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
    npm.kill('SIGTERM');
    const code = await exited;

    // the service's own drain ran (it logs both lines) ...
    expect(out).toContain('"signal":"SIGTERM"');
    expect(out).toContain('"msg":"service stopped"');
    // ... and nothing is listening any more once npm is gone
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(code).toBe(0);
  });
});
