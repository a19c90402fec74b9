/**
 * Issue 14 item 4: one service instance per SQLite file, enforced. A second instance would release the
 * live one's leases as "left by a stopped process" and write its meetings again; it must refuse to
 * start with one clear line instead. The lock goes with the process, kill -9 included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseInUseError } from '../../src/store/database.ts';
import { openDatabase, openStore } from '../../src/store/index.ts';
import { runMain, startChildService, type ChildService } from '../support/child-service.ts';
import { testCipher } from '../support/engines.ts';
import { connection } from '../support/fixtures.ts';
import { testEnv } from '../support/service.ts';

jest.setTimeout(60_000);

describe('one instance per SQLite file', () => {
  let dir: string;
  let child: ChildService | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'salescaling-lock-'));
  });
  afterEach(async () => {
    await child?.kill('SIGKILL');
    child = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a second store opens the file of a live one, then it is refused and the first keeps working', async () => {
    const url = `sqlite:${join(dir, 'db.sqlite')}`;
    const first = await openStore(url, testCipher);
    await expect(openStore(url, testCipher)).rejects.toBeInstanceOf(DatabaseInUseError);
    await first.connections.save(connection('ws_lock'));
    expect((await first.connections.get('ws_lock'))?.workspaceId).toBe('ws_lock');
    // a plain look at the file (an operator, a test) is still possible
    const look = openDatabase(url);
    expect(await look.all('SELECT workspace_id FROM workspace_connections')).toEqual([
      { workspace_id: 'ws_lock' },
    ]);
    await look.close();
    await first.close();
    const next = await openStore(url, testCipher);
    expect((await next.connections.get('ws_lock'))?.workspaceId).toBe('ws_lock');
    await next.close();
  });

  it('when a second service starts on the file of a running one, then it exits 1 with one clear line; after a kill -9 of the first, it starts', async () => {
    const env = testEnv({ DATABASE_URL: `sqlite:${join(dir, 'service.db')}`, LOG_LEVEL: 'silent' });
    child = await startChildService(env);
    const second = runMain(env);
    expect(second.status).toBe(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toEqual([
      `Salescaling service: could not start: another Salescaling service instance is using ${join(dir, 'service.db')}: one instance per SQLite file (use PostgreSQL to run several)`,
    ]);
    expect((await fetch(`${child.url}/healthz`)).status).toBe(200);

    await child.kill('SIGKILL');
    child = await startChildService(env);
    expect((await fetch(`${child.url}/healthz`)).status).toBe(200);
  });
});
