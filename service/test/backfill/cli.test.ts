/** `npm run backfill`: streams the file to the service and follows the progress to the end. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { meeting, processedEvent } from '../support/fixtures.ts';
import { API_TOKEN, api, startTestService, type TestService } from '../support/service.ts';

jest.setTimeout(60_000);
const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../../scripts/backfill.ts');

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc.dispose());

const cli = (args: string[]) =>
  run(process.execPath, [CLI, ...args], {
    env: { ...process.env, SERVICE_URL: svc.url, SALESCALING_API_TOKEN: API_TOKEN },
  });

test('when run with --help, then it explains itself', async () => {
  const { stdout } = await cli(['--help']);
  expect(stdout).toContain('--workspace');
  expect(stdout).toContain('--dry-run');
});

test('when run without --file, then it fails with a clear message', async () => {
  await expect(cli(['--workspace', 'ws_1'])).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--file is required'),
  });
});

test('when run on a file, then the meetings reach the service and the progress ends done', async () => {
  const file = join(svc.dir, 'meetings.ndjson');
  writeFileSync(
    file,
    [1, 2, 3].map((i) => JSON.stringify(processedEvent(meeting({ id: `cli_${i}` })))).join('\n'),
  );
  const dry = await cli(['--workspace', 'ws_1', '--file', file, '--dry-run']);
  expect(dry.stdout).toContain('Dry run, nothing written: 3 meetings read');
  expect((await api(svc.url, 'GET', '/v1/workspaces/ws_1/meetings/cli_1')).status).toBe(404);

  const real = await cli(['--workspace', 'ws_1', '--file', file]);
  expect(real.stdout).toMatch(/Backfill bf_\S+ started: 3 meetings/);
  expect(real.stdout).toContain('100%');
  expect(real.stdout).toMatch(/Backfill done/);
  // the workspace is not connected: the meetings wait for it, but they are in the queue
  for (const id of ['cli_1', 'cli_2', 'cli_3'])
    expect((await api(svc.url, 'GET', `/v1/workspaces/ws_1/meetings/${id}`)).status).toBe(200);
});
