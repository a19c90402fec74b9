/**
 * The Salesforce CLI (`npx sf`, pinned in package.json), run as a child process against the local org:
 * logging in with an access token, querying, creating a record and importing a data-tree plan.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalOrg } from '../src/index.ts';
import { findProjectRoot } from '../src/schema/package-fields.ts';
import { startLoggedIn, V, type Call, type Json } from './support/http.ts';
import { SF_QUIET_ENV } from '../../scripts/lib/sf-env.ts';

const run = promisify(execFile);
const SF = join(findProjectRoot()!, 'node_modules', '.bin', 'sf');

let org: LocalOrg;
let home: string;
let call: Call;
let token: string;

/** Runs `sf … --json` in a throwaway HOME and returns its parsed result. */
async function sf(args: string[]): Promise<{ status: number; result: Json }> {
  const env = {
    ...process.env,
    HOME: home,
    // The CLI spawns itself for some commands; it must find `sf` (and Node 24) on PATH.
    PATH: `${join(findProjectRoot()!, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
    SF_ACCESS_TOKEN: token,
    ...SF_QUIET_ENV,
    SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
  };
  try {
    const { stdout } = await run(SF, [...args, '--json'], { env, cwd: home, timeout: 60000 });
    return JSON.parse(stdout) as { status: number; result: Json };
  } catch (e) {
    const out = (e as { stdout?: string }).stdout;
    if (out) return JSON.parse(out) as { status: number; result: Json };
    throw e;
  }
}

beforeAll(async () => {
  ({ org, token, call } = await startLoggedIn());
  home = mkdtempSync(join(tmpdir(), 'sf-home-'));
  const login = await sf([
    'org',
    'login',
    'access-token',
    '--instance-url',
    org.url,
    '--no-prompt',
    '--alias',
    'local',
  ]);
  expect(login.status).toBe(0);
  expect(login.result).toMatchObject({ username: org.username, orgId: org.orgId });
}, 60000);

afterAll(async () => {
  await org.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('the sf CLI against the local org', () => {
  it('when sf queries users, then it lists the seeded users', async () => {
    const out = await sf([
      'data',
      'query',
      '--query',
      'SELECT Id, Username, IsActive FROM User ORDER BY Username',
      '--target-org',
      'local',
    ]);
    expect(out.status).toBe(0);
    const usernames = out.result.records.map((r: { Username: string }) => r.Username);
    expect(usernames).toContain(org.username);
    expect(out.result.records.some((r: { IsActive: boolean }) => r.IsActive === false)).toBe(true);
  }, 60000);

  it('when sf creates a record, then the org holds it', async () => {
    const out = await sf([
      'data',
      'create',
      'record',
      '--sobject',
      'Account',
      '--values',
      "Name='CLI Co' Website=https://cli.example",
      '--target-org',
      'local',
    ]);
    expect(out.status).toBe(0);
    const read = await call('GET', `${V}/sobjects/Account/${out.result.id as string}`);
    expect(read.body).toMatchObject({ Name: 'CLI Co', Website: 'https://cli.example' });
  }, 60000);

  it('when sf reads, updates and deletes a record, then the org follows; limits and describe answer', async () => {
    const [id] = org.seed('Account', [{ Name: 'Round Trip' }]);
    const got = await sf([
      'data',
      'get',
      'record',
      '--sobject',
      'Account',
      '--record-id',
      id!,
      '--target-org',
      'local',
    ]);
    expect(got.result).toMatchObject({ Id: id, Name: 'Round Trip' });
    const updated = await sf([
      'data',
      'update',
      'record',
      '--sobject',
      'Account',
      '--record-id',
      id!,
      '--values',
      'Phone=555',
      '--target-org',
      'local',
    ]);
    expect(updated.status).toBe(0);
    expect((await call('GET', `${V}/sobjects/Account/${id!}?fields=Phone`)).body.Phone).toBe('555');
    const deleted = await sf([
      'data',
      'delete',
      'record',
      '--sobject',
      'Account',
      '--record-id',
      id!,
      '--target-org',
      'local',
    ]);
    expect(deleted.status).toBe(0);
    expect((await call('GET', `${V}/sobjects/Account/${id!}`)).body[0].errorCode).toBe('ENTITY_IS_DELETED');
    const limits = await sf(['org', 'list', 'limits', '--target-org', 'local']);
    expect(limits.result).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'DailyApiRequests', max: 15000 })]),
    );
    const describe = await sf(['sobject', 'describe', '--sobject', 'Event', '--target-org', 'local']);
    expect(describe.result.fields.map((f: { name: string }) => f.name)).toContain(
      'Salescaling_Meeting_Id__c',
    );
  }, 120000);

  it('when sf imports a data-tree plan, then parents, children and cross-file references land linked', async () => {
    writeFileSync(
      join(home, 'accounts.json'),
      JSON.stringify({
        records: [
          {
            attributes: { type: 'Account', referenceId: 'AccRef1' },
            Name: 'Plan Co',
            Contacts: {
              records: [
                {
                  attributes: { type: 'Contact', referenceId: 'ConRef1' },
                  LastName: 'Planner',
                  Email: 'planner@plan.example',
                },
              ],
            },
          },
        ],
      }),
    );
    writeFileSync(
      join(home, 'opps.json'),
      JSON.stringify({
        records: [
          {
            attributes: { type: 'Opportunity', referenceId: 'OppRef1' },
            Name: 'Plan Deal',
            StageName: 'Prospecting',
            CloseDate: '2026-12-31',
            AccountId: '@AccRef1',
          },
        ],
      }),
    );
    writeFileSync(
      join(home, 'plan.json'),
      JSON.stringify([
        { sobject: 'Account', files: ['accounts.json'] },
        { sobject: 'Opportunity', files: ['opps.json'] },
      ]),
    );
    const out = await sf([
      'data',
      'tree',
      'import',
      '--plan',
      join(home, 'plan.json'),
      '--target-org',
      'local',
    ]);
    expect(out.status).toBe(0);
    const q = await call(
      'GET',
      `${V}/query?q=${encodeURIComponent("SELECT Name, Account.Name, (SELECT Id FROM OpportunityContactRoles) FROM Opportunity WHERE Name = 'Plan Deal'")}`,
    );
    expect(q.body.records).toEqual([
      expect.objectContaining({ Name: 'Plan Deal', Account: expect.objectContaining({ Name: 'Plan Co' }) }),
    ]);
    const c = await call(
      'GET',
      `${V}/query?q=${encodeURIComponent("SELECT Account.Name FROM Contact WHERE LastName = 'Planner'")}`,
    );
    expect(c.body.records[0].Account.Name).toBe('Plan Co');
  }, 60000);

  it('when sf has run, then it claimed no autoupdate: no detached `sf update` is left behind', () => {
    // @oclif/plugin-update's init hook creates this marker (atomically) right before it spawns the
    // detached `sf update --autoupdate`; with SF_DISABLE_AUTOUPDATE it returns before either.
    expect(existsSync(join(home, '.cache', 'sf', 'autoupdate'))).toBe(false);
    expect(existsSync(join(home, '.cache', 'sf', 'autoupdate.log'))).toBe(false);
  });
});
