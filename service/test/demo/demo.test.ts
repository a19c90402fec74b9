import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runDemo, type DemoResult } from '../../demo/demo.ts';
import { repoRoot } from '../support/child-service.ts';
import { orgQuery } from '../support/stack.ts';

jest.setTimeout(120_000);

describe('the demo', () => {
  let demo: DemoResult;
  beforeAll(async () => {
    demo = await runDemo({ keepRunning: true });
  });
  afterAll(async () => {
    await demo?.stop();
  });

  const byMeeting = (id: string) => demo.meetings.find((m) => m.meetingId === id);

  it('when it has run, then the org holds one Event per meeting that matched CRM records, linked as the cascade says', async () => {
    const org = demo.org!;
    const events = await orgQuery<{
      Id: string;
      Subject: string;
      WhoId: string | null;
      WhatId: string | null;
      Salescaling_Meeting_Id__c: string;
    }>(org, 'SELECT Id, Subject, WhoId, WhatId, Salescaling_Meeting_Id__c FROM Event ORDER BY StartDateTime');
    expect(events.map((e) => e.Salescaling_Meeting_Id__c)).toEqual([
      'mtg_acme_discovery',
      'mtg_acme_expansion',
      'mtg_initech_intro',
    ]);
    const [discovery, expansion, intro] = events;
    expect(discovery?.Subject).toBe('Acme × Salescaling — discovery (notes reviewed)'); // the update, in place
    // Acme's one open Opportunity closes within the window: the opportunity rule gives it WhatId.
    expect(discovery?.WhatId).toBe(demo.ids['expansion']);
    expect(expansion?.WhatId).toBe(demo.ids['expansion']); // the hand-picked opportunity
    expect(intro?.WhoId).toBe(demo.ids['lee']);
    expect(intro?.WhatId).toBeNull();

    const relations = await orgQuery<{ RelationId: string }>(
      org,
      `SELECT RelationId FROM EventRelation WHERE EventId = '${discovery?.Id}' AND IsParent = true AND IsWhat = false`,
    );
    expect(relations.map((r) => r.RelationId).sort()).toEqual(
      [demo.ids['bea'], demo.ids['carl'], demo.ids['gil']].sort(),
    );
    const tasks = await orgQuery<{ Id: string }>(org, `SELECT Id FROM Task WHERE Status = 'Completed'`);
    expect(tasks).toHaveLength(3);
  });

  it('when it has run, then the internal meeting is skipped and the deleted one left nothing behind', () => {
    expect(byMeeting('mtg_pipeline_review')).toMatchObject({
      state: 'skipped',
      reason: 'no_crm_match',
      eventId: null,
    });
    expect(byMeeting('mtg_globex_sync')).toMatchObject({ state: 'deleted', eventId: null });
    expect(byMeeting('mtg_acme_discovery')?.dropped).toEqual(
      expect.arrayContaining([
        { email: 'someone.new@acme.example', reason: 'not_found' },
        { reason: 'missing_email' },
      ]),
    );
  });

  it('when it reports API calls, then they come from the org and a new meeting costs at most 3', () => {
    expect(demo.apiCalls['total']).toBeGreaterThan(0);
    for (const id of ['mtg_acme_expansion', 'mtg_initech_intro'])
      expect(byMeeting(id)?.apiCalls).toBeLessThanOrEqual(3);
    expect(demo.lines.join('\n')).toMatch(
      /API calls the syncs used, from the local org's counters: \d+ in all/,
    );
    expect(demo.lines.join('\n')).toContain('?salesforce=connected');
  });

  it('when it ends, then it prints a sign-in link that opens the admin page', async () => {
    const line = demo.lines.find((l) => l.startsWith('8. Admin page'));
    const url = /(http\S+)/.exec(line ?? '')?.[1] ?? '';
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const page = await fetch(new URL('/settings/integrations', url), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('mtg_acme_discovery');
  });

  it('when npm run demo runs, then it prints the account and exits 0', () => {
    const root = repoRoot();
    const result = spawnSync(
      join(root, 'node_modules', '.bin', 'node'),
      [join(root, 'service', 'demo', 'demo.ts')],
      {
        cwd: root,
        env: { PATH: process.env['PATH'] ?? '' },
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('What the org holds now');
    expect(result.stdout).toContain('Weekly pipeline review');
  });
});
