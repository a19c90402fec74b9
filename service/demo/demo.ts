/**
 * `npm run demo`: the local org and the service on an embedded database, a workspace connected
 * through the real OAuth flow (authorize page, login form, callback, token exchange), a handful of
 * signed sample meetings, and a readable account of what the org holds afterwards.
 *
 * `runDemo()` does the work and returns what it found (the Jest test asserts on the org with it);
 * run as a script it prints and exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { passwordConnection, type Connection } from '../src/salesforce/connection.ts';
import { startLocalOrg, type LocalOrg } from '../../emulator/src/index.ts';
import { seedDemo, type Seeded } from '../../emulator/src/seed/demo.ts';
import { signPayload } from '../src/http/webhook-signature.ts';
import { silentLogger } from '../src/logger.ts';
import { soql } from '../src/salesforce/soql.ts';
import type { Meeting, MeetingEvent } from '../src/meetings/schema.ts';
import { startService, type RunningService } from '../src/service.ts';
import { connectThroughBrowser } from '../../scripts/lib/browser-connect.ts';
import { localConfig, localSecrets } from '../../scripts/lib/local-config.ts';
import { userRecord } from '../../scripts/lib/org-seed.ts';

const WORKSPACE = 'ws_demo';
const API_VERSION = '66.0';

export interface DemoMeetingReport {
  readonly meetingId: string;
  readonly title: string;
  readonly state: string;
  readonly reason: string | null;
  readonly version: number;
  readonly eventId: string | null;
  readonly noteId: string | null;
  readonly taskId: string | null;
  readonly linked: readonly { recordId: string; type: string; why: string }[];
  readonly dropped: readonly { recordId?: string; email?: string; reason: string }[];
  readonly apiCalls: number | null;
}

export interface DemoResult {
  readonly lines: readonly string[];
  readonly meetings: readonly DemoMeetingReport[];
  /** API calls the syncs spent, by kind, from the local org's counters. */
  readonly apiCalls: Readonly<Record<string, number>>;
  readonly ids: Readonly<Record<string, string>>;
  /** Present with `keepRunning`: the org and service, still up, and how to stop them. */
  readonly org?: LocalOrg;
  readonly service?: RunningService;
  stop(): Promise<void>;
}

export interface DemoOptions {
  /** Each line of the account as it is written (the script prints them). */
  readonly print?: (line: string) => void;
  /** Leave the org and service running (tests query the org afterwards, then call stop()). */
  readonly keepRunning?: boolean;
}

const at = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const lines: string[] = [];
  const say = (line = '') => {
    lines.push(line);
    options.print?.(line);
  };
  const dir = mkdtempSync(join(tmpdir(), 'salescaling-demo-'));
  const secrets = localSecrets();
  const config = localConfig(dir, secrets);
  const service = await startService({ config, logger: silentLogger, worker: { pollMs: 100 } });
  let org: LocalOrg | undefined;
  const stop = async () => {
    await service.stop();
    await org?.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    org = await startLocalOrg({
      clientId: secrets.clientId,
      clientSecret: secrets.clientSecret,
      redirectUris: [`${service.publicUrl}/oauth/salesforce/callback`],
      // As docs/admin-guide.md asks of an admin: sharing gives the connecting user edit on the records
      // meetings link to (opportunities are Public Read Only by default; a sharing rule does it in a
      // real org, the organization-wide default here, since the local org has no sharing rules).
      knobs: { sharing: { Opportunity: 'ReadWrite' } },
    });
    const admin = await adminConnection(org);
    // The sellers are Standard Users, as in a customer's org; the service connects as a third one
    // holding only the package's Salescaling_Integration_User permission set, never as the admin.
    const [profile] = (
      await admin.query<{ Id: string }>(soql`SELECT Id FROM Profile WHERE Name = 'Standard User'`)
    ).records;
    const { ids, seeded } = seed(org, profile?.Id ?? '');
    const integration = await org.createUser({
      lastName: 'Integration',
      firstName: 'Salescaling',
      permissionSets: ['Salescaling_Integration_User'],
    });
    say('Salescaling for Salesforce — demo');
    say('');
    say(`1. Local org     ${org.url}  (org ${org.orgId})`);
    const count = (object: string) => seeded[object]?.length ?? 0;
    say(
      `   seeded        ${count('Account')} Accounts, ${count('Contact')} Contacts, ` +
        `${count('Opportunity')} open Opportunities, ${count('Lead')} Lead, 2 Users`,
    );
    say(`   connecting as ${integration.username}: Standard User + Salescaling_Integration_User`);
    say(`2. Service       ${service.url}  (embedded database in ${dir})`);

    say(`3. Connecting workspace ${WORKSPACE} through the OAuth web-server flow:`);
    const connected = await connectThroughBrowser({
      serviceUrl: service.url,
      apiToken: secrets.apiToken,
      workspaceId: WORKSPACE,
      loginUrl: org.url,
      username: integration.username,
      password: integration.password,
    });
    for (const step of connected.steps) say(`   - ${step}`);
    if (connected.outcome !== 'connected')
      throw new Error(`connect failed: ${connected.reason ?? 'unknown'}`);
    const status = (await (
      await fetch(`${service.url}/v1/workspaces/${WORKSPACE}/salesforce`, {
        headers: { authorization: `Bearer ${secrets.apiToken}` },
      })
    ).json()) as {
      orgId: string;
      user: { username: string | null };
      permissions: { ok: boolean; missing: string[] };
      sharedActivities: boolean;
      packageFields: { found: string[] };
    };
    say(
      `   connected: org ${status.orgId}, permissions ${status.permissions.ok ? 'complete' : `missing ${status.permissions.missing.join(', ')}`}, ` +
        `Shared Activities ${status.sharedActivities ? 'on' : 'off'}, package fields ${status.packageFields.found.length}/4`,
    );

    org.resetCounters();
    const events = sampleEvents(ids);
    const firstEventIds = new Map<string, string>();
    say(`4. Sending ${events.length} signed meeting events:`);
    for (const { event, note } of events) {
      const raw = JSON.stringify(event);
      const res = await fetch(`${service.url}/v1/webhooks/meetings`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'salescaling-signature': signPayload(secrets.webhookSecret, raw),
        },
        body: raw,
      });
      const m = event.data.meeting;
      say(`   ${res.status} ${event.type.padEnd(17)} ${m.id} v${m.version}  ${note}`);
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      // the update and the delete go after the worker wrote the first version, as in real life
      if (
        event.type === 'meeting.processed' &&
        events.some((e) => e.event.type !== 'meeting.processed' && e.event.data.meeting.id === m.id)
      ) {
        const [first] = await settle(service.url, secrets.apiToken, [m.id], 20_000);
        if (first?.eventId) firstEventIds.set(m.id, first.eventId);
      }
    }

    const started = Date.now();
    const meetingIds = [...new Set(events.map((e) => e.event.data.meeting.id))];
    const reports = await settle(service.url, secrets.apiToken, meetingIds, 60_000);
    say(`5. The worker settled every meeting in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const apiCalls = org.counters();

    say('6. What the org holds now (queried from the org):');
    const conn = admin;
    const names = await recordNames(conn);
    const name = (id: string | null | undefined) => (id ? `${names.get(id) ?? id}` : '—');
    const latest = new Map<string, Meeting>();
    for (const { event } of events)
      if (event.type !== 'meeting.deleted') latest.set(event.data.meeting.id, event.data.meeting);
    for (const r of reports) {
      say('');
      const m = latest.get(r.meetingId);
      say(
        `   ■ ${m?.title ?? r.meetingId}  [${r.meetingId} v${r.version}]  → ${r.state}${r.reason ? ` (${r.reason})` : ''}`,
      );
      if (r.state === 'deleted') {
        const was = firstEventIds.get(r.meetingId);
        const left = was ? await conn.query(soql`SELECT Id FROM Event WHERE Id = ${was}`) : { totalSize: 0 };
        say(
          `     Event ${was ?? '?'} was written, then deleted: ${left.totalSize === 0 ? 'the Event, its note and task are gone from the org' : 'the Event is still there!'}`,
        );
        continue;
      }
      if (!r.eventId) {
        say('     nothing written: no participant or pick matched a CRM record');
        continue;
      }
      const [ev] = (
        await conn.query<{
          Id: string;
          Subject: string;
          StartDateTime: string;
          EndDateTime: string;
          WhoId: string | null;
          WhatId: string | null;
          OwnerId: string;
          Type: string | null;
        }>(
          soql`SELECT Id, Subject, StartDateTime, EndDateTime, WhoId, WhatId, OwnerId, Type FROM Event WHERE Id = ${r.eventId}`,
        )
      ).records;
      if (!ev) {
        say(`     Event ${r.eventId} not found in the org`);
        continue;
      }
      const relations = (
        await conn.query<{ RelationId: string }>(
          soql`SELECT RelationId FROM EventRelation WHERE EventId = ${ev.Id} AND IsParent = true AND IsWhat = false`,
        )
      ).records;
      say(
        `     Event   ${ev.Id}  "${ev.Subject}"  ${ev.StartDateTime.slice(0, 16).replace('T', ' ')}–${ev.EndDateTime.slice(11, 16)} UTC, owner ${name(ev.OwnerId)}`,
      );
      say(
        `             Who ${name(ev.WhoId)} · What ${name(ev.WhatId)} · related: ${relations.map((x) => name(x.RelationId)).join(', ') || '—'}`,
      );
      if (r.noteId) {
        const [note] = (
          await conn.query<{ Title: string }>(soql`SELECT Id, Title FROM ContentNote WHERE Id = ${r.noteId}`)
        ).records;
        const links = (
          await conn.query<{ LinkedEntityId: string }>(
            soql`SELECT LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = ${r.noteId}`,
          )
        ).records.filter((l) => l.LinkedEntityId !== ev.OwnerId && !l.LinkedEntityId.startsWith('005'));
        say(
          `     Note    ${r.noteId}  "${note?.Title ?? '?'}" linked to ${links.map((l) => (l.LinkedEntityId === ev.Id ? 'the Event' : name(l.LinkedEntityId))).join(', ')}`,
        );
      }
      if (r.taskId) {
        const [task] = (
          await conn.query<{ Subject: string; Status: string; Description: string | null }>(
            soql`SELECT Subject, Status, Description FROM Task WHERE Id = ${r.taskId}`,
          )
        ).records;
        const wanted = [...new Set([...(m?.notes ?? []), ...(m?.clips ?? [])].map((n) => n.category))];
        const grouped = wanted.filter((c) => (task?.Description ?? '').includes(c));
        const items = (m?.notes.length ?? 0) + (m?.clips.length ?? 0);
        say(
          `     Task    ${r.taskId}  "${task?.Subject ?? '?'}" (${task?.Status ?? '?'})` +
            (items ? `: ${items} notes/clips under ${grouped.join(', ') || '?'}` : ': no notes or clips'),
        );
      }
      const linked = r.linked.map((l) => `${l.type} ${name(l.recordId)} (${l.why})`).join('; ');
      say(`     linked  ${linked || '—'}`);
      if (r.dropped.length > 0) {
        say(
          `     dropped ${r.dropped.map((d) => `${d.email ?? (d.recordId ? name(d.recordId) : 'a participant without email')}: ${d.reason}`).join('; ')}`,
        );
      }
      say(`     API calls for the last sync: ${r.apiCalls ?? '?'}`);
    }
    say('');
    const kinds = Object.entries(apiCalls)
      .filter(([k, v]) => k !== 'total' && v > 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    say(
      `7. API calls the syncs used, from the local org's counters: ${apiCalls['total'] ?? 0} in all (${kinds}) for ${events.length} events`,
    );

    // The admin page of the workspace: a single-use sign-in link, valid 5 minutes.
    const link = await fetch(`${service.url}/v1/workspaces/${WORKSPACE}/admin-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.apiToken}` },
    });
    const { url: adminUrl } = (await link.json()) as { url: string };
    say(`8. Admin page    ${adminUrl}`);
    say(
      options.keepRunning
        ? '   (single use, 5 minutes; open it in a browser: Settings › Integrations › Salesforce)'
        : '   (the demo stops now; run `npm run demo -- --keep-running` to open it)',
    );

    if (!options.keepRunning) await stop();
    return {
      lines,
      meetings: reports,
      apiCalls,
      ids,
      ...(options.keepRunning ? { org, service } : {}),
      stop: options.keepRunning ? stop : async () => undefined,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function seed(org: LocalOrg, profileId: string): { ids: Record<string, string>; seeded: Seeded } {
  const [sam = '', ada = ''] = org.seed('User', [
    userRecord({
      firstName: 'Sam',
      lastName: 'Seller',
      email: 'sam.seller@salescaling-demo.example',
      alias: 'sseller',
      profileId,
    }),
    userRecord({
      firstName: 'Ada',
      lastName: 'Account-Exec',
      email: 'ada.exec@salescaling-demo.example',
      alias: 'aexec',
      profileId,
    }),
  ]);
  // the CRM data is the emulator's demo seed (`npm run emulator -- --seed demo`), so both show the same org
  const crm = seedDemo(org);
  const [acme = '', globex = ''] = crm['Account'] ?? [];
  const [bea = '', carl = '', dana = '', gil = '', gwen = ''] = crm['Contact'] ?? [];
  const [expansion = ''] = crm['Opportunity'] ?? [];
  const [lee = ''] = crm['Lead'] ?? [];
  return { ids: { sam, ada, acme, globex, bea, carl, dana, gil, gwen, expansion, lee }, seeded: crm };
}

function sampleEvents(ids: Record<string, string>): { event: MeetingEvent; note: string }[] {
  const base = (id: string, title: string, startedAt: string, minutes: number): Meeting => ({
    id,
    version: 1,
    title,
    startedAt,
    endedAt: at(startedAt, minutes),
    recordingUrl: `https://app.salescaling.example/recordings/${id}`,
    organizer: { email: 'sam.seller@salescaling-demo.example', name: 'Sam Seller' },
    participants: [{ email: 'sam.seller@salescaling-demo.example', name: 'Sam Seller', internal: true }],
    summary: '',
    notes: [],
    clips: [],
  });
  const ext = (email: string, name: string) => ({ email, name, internal: false });

  const discovery: Meeting = {
    ...base('mtg_acme_discovery', 'Acme × Salescaling — discovery', '2026-11-16T14:00:00Z', 45),
    participants: [
      { email: 'sam.seller@salescaling-demo.example', name: 'Sam Seller', internal: true },
      ext('Bea.Buyer@ACME.example', 'Bea Buyer'),
      ext('carl.obrien@acme.example', "Carl O'Brien"),
      ext('gil@globex.example', 'Gil Grant'),
      ext('someone.new@acme.example', 'Someone New'),
      { name: 'Dial-in guest', internal: false },
    ],
    summary:
      '## Summary\nAcme wants to **cut onboarding time** for new plants. Bea owns the budget; Carl worries about SSO.\n\n- Pilot in one plant\n- Decision by December',
    notes: [
      { id: 'n1', category: 'Pain points', text: 'Onboarding a plant takes 6 weeks', at: 312 },
      { id: 'n2', category: 'Pain points', text: 'No single view of operator training', at: 640 },
      { id: 'n3', category: 'Next steps', text: 'Send SSO documentation to Carl', at: 2410 },
    ],
    clips: [
      {
        id: 'c1',
        title: 'Bea on the budget',
        category: 'Budget',
        startSec: 1200,
        endSec: 1265,
        url: 'https://app.salescaling.example/clips/c1',
      },
    ],
  };
  const discoveryV2: Meeting = {
    ...discovery,
    version: 2,
    title: 'Acme × Salescaling — discovery (notes reviewed)',
    notes: [
      ...discovery.notes,
      { id: 'n4', category: 'Next steps', text: 'Book the pilot kickoff with Dana', at: 2600 },
    ],
  };
  const expansion: Meeting = {
    ...base('mtg_acme_expansion', 'Expansion review with Acme finance', '2026-11-18T09:30:00Z', 30),
    participants: [
      { email: 'sam.seller@salescaling-demo.example', name: 'Sam Seller', internal: true },
      ext('dana@acme.example', 'Dana Decider'),
    ],
    associations: { opportunityId: ids['expansion'] ?? '', contactIds: [ids['bea'] ?? ''] },
    summary: 'Dana approved the **pilot budget**; legal review next.',
    notes: [{ id: 'n1', category: 'Decision', text: 'Budget approved for the pilot', at: 900 }],
  };
  const lead: Meeting = {
    ...base('mtg_initech_intro', 'Intro call — Initech', '2026-11-19T16:00:00Z', 20),
    participants: [
      { email: 'sam.seller@salescaling-demo.example', name: 'Sam Seller', internal: true },
      ext('lee.lin@initech.example', 'Lee Lin'),
    ],
    summary: 'First call; Initech evaluates tools in Q1.',
  };
  const internal: Meeting = {
    ...base('mtg_pipeline_review', 'Weekly pipeline review', '2026-11-20T08:00:00Z', 30),
    participants: [
      { email: 'sam.seller@salescaling-demo.example', name: 'Sam Seller', internal: true },
      { email: 'ada.exec@salescaling-demo.example', name: 'Ada Account-Exec', internal: true },
    ],
    summary: 'Internal: forecast and deal reviews.',
  };
  const globex: Meeting = {
    ...base('mtg_globex_sync', 'Globex check-in', '2026-11-20T11:00:00Z', 25),
    participants: [ext('gwen@globex.example', 'Gwen Gale'), ext('gil@globex.example', 'Gil Grant')],
    summary: 'Check-in; to be cancelled.',
  };

  const ev = (id: string, type: MeetingEvent['type'], m: Meeting): MeetingEvent =>
    type === 'meeting.deleted'
      ? {
          id,
          type,
          createdAt: new Date().toISOString(),
          workspaceId: WORKSPACE,
          data: { meeting: { id: m.id, version: m.version } },
        }
      : { id, type, createdAt: new Date().toISOString(), workspaceId: WORKSPACE, data: { meeting: m } };
  return [
    {
      event: ev('evt_001', 'meeting.processed', discovery),
      note: 'several contacts across two accounts, an unknown and an email-less guest',
    },
    { event: ev('evt_002', 'meeting.processed', expansion), note: 'a hand-picked opportunity and contact' },
    { event: ev('evt_003', 'meeting.processed', lead), note: 'only a lead matches' },
    { event: ev('evt_004', 'meeting.processed', internal), note: 'an internal meeting' },
    { event: ev('evt_005', 'meeting.processed', globex), note: 'a meeting that will be deleted' },
    { event: ev('evt_006', 'meeting.updated', discoveryV2), note: 'an update of the discovery call' },
    {
      event: ev('evt_007', 'meeting.deleted', { ...globex, version: 2 }),
      note: 'the Globex check-in deleted',
    },
  ];
}

async function settle(
  serviceUrl: string,
  apiToken: string,
  meetingIds: readonly string[],
  timeoutMs: number,
): Promise<DemoMeetingReport[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const all = await Promise.all(
      meetingIds.map(async (id) => {
        const res = await fetch(`${serviceUrl}/v1/workspaces/${WORKSPACE}/meetings/${id}`, {
          headers: { authorization: `Bearer ${apiToken}` },
        });
        return (await res.json()) as {
          meetingId: string;
          state: string;
          reason: string | null;
          version: number;
          syncedVersion: number | null;
          salesforce: { eventId: string | null; noteId: string | null; taskId: string | null };
          linked: DemoMeetingReport['linked'];
          dropped: DemoMeetingReport['dropped'];
          apiCalls: number | null;
          lastError: string | null;
        };
      }),
    );
    const settled = all.every(
      (m) => ['synced', 'skipped', 'deleted'].includes(m.state) && m.syncedVersion === m.version,
    );
    if (settled || Date.now() > until) {
      if (!settled) {
        const stuck = all
          .filter((m) => m.syncedVersion !== m.version)
          .map((m) => `${m.meetingId}: ${m.state} ${m.reason ?? ''} ${m.lastError ?? ''}`);
        throw new Error(`meetings did not settle: ${stuck.join('; ')}`);
      }
      return all.map((m) => ({
        meetingId: m.meetingId,
        title: '',
        state: m.state,
        reason: m.reason,
        version: m.version,
        eventId: m.salesforce.eventId,
        noteId: m.salesforce.noteId,
        taskId: m.salesforce.taskId,
        linked: m.linked,
        dropped: m.dropped,
        apiCalls: m.apiCalls,
      }));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function adminConnection(org: LocalOrg): Promise<Connection> {
  return passwordConnection({
    loginUrl: org.url,
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    username: org.username,
    password: org.password,
    apiVersion: API_VERSION,
  });
}

async function recordNames(conn: Connection): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const object of ['Account', 'Contact', 'Lead', 'Opportunity', 'User']) {
    const res = await conn.query<{ Id: string; Name: string }>(`SELECT Id, Name FROM ${object}`);
    for (const r of res.records) names.set(r.Id, r.Name);
  }
  return names;
}

// Run as a script (`npm run demo`), not when a test imports runDemo.
const USAGE = `Usage: npm run demo

Starts the local org and the service on a temporary embedded database, connects workspace ws_demo
through the OAuth web-server flow, sends seven signed meeting events, prints what the org holds, and
exits 0. Options: --keep-running keeps the service and the local org up afterwards, so the admin
page's sign-in link can be opened; --help prints this text.`;

if (/demo\.ts$/.test(process.argv[1] ?? '')) {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const keepRunning = process.argv.includes('--keep-running');
  const unknown = process.argv.slice(2).filter((a) => a !== '--keep-running');
  if (unknown.length > 0) {
    console.error(`demo: unknown argument ${unknown[0]} (see --help)`);
    process.exit(2);
  }
  runDemo({ print: (line) => console.log(line), keepRunning }).then(
    () => {
      if (keepRunning) console.log('   Running; press Ctrl-C to stop.');
      else process.exit(0);
    },
    (err: unknown) => {
      console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
