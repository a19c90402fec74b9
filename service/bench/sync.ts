/**
 * Benchmarks of the service against the local org (docs/benchmarks.md says what each figure means):
 *  1. API calls per meeting: new (3 and 60 contacts), update, same version again, delete.
 *  2. A backlog: N signed meetings through the webhook while the workspace is not yet connected, then
 *     the connect, and the drain through the worker into the org at a given per-call latency; webhook
 *     accept latency, drain time against the theoretical minimum for the calls made (calls × latency
 *     / 25, Salesforce's concurrent long-running request limit), API calls per meeting, and the
 *     service's memory (peak RSS from the kernel's VmHWM, and RSS once drained).
 *  3. The pure heart: association cascade + record plan for a 500-participant meeting.
 * The local org and the service (`node service/src/main.ts`, what `npm start` runs, logging at info
 * into a pipe this process drains) each run in their own process.
 * Usage: node service/bench/sync.ts [--meetings 200] [--latency-ms 0,100] [--concurrency 8]
 *        (the 10,000 case: --meetings 10000 --latency-ms 100; it takes many minutes)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { passwordConnection } from '../src/salesforce/connection.ts';
import { resolveAssociations } from '../src/associations/resolve.ts';
import type { CrmSnapshot } from '../src/associations/snapshot.ts';
import { signPayload } from '../src/http/webhook-signature.ts';
import type { Meeting, MeetingEvent } from '../src/meetings/schema.ts';
import { planMeeting } from '../src/plan/meeting-plan.ts';
import { createUser, type CreatedUser } from '../../emulator/src/index.ts';
import { startOrgProcess } from '../../emulator/src/cli-process.ts';
import { connectThroughBrowser } from '../../scripts/lib/browser-connect.ts';
import { parseFlags } from '../../scripts/lib/cli.ts';
import { userRecord } from '../../scripts/lib/org-seed.ts';
import { localEnv, localSecrets, type LocalSecrets } from '../../scripts/lib/local-config.ts';

const USAGE = `Usage: node service/bench/sync.ts [options]   (npm run bench runs every benchmark)
  --meetings N      meetings sent through the webhook for the throughput run (default 200)
  --latency-ms LIST per-call latencies of the org to measure at, comma-separated (default 0,100)
  --concurrency N   webhook senders at once (default 8)
  --no-updates      skip updating and deleting the backlog after its drain
  (WORKER_CONCURRENCY, WORKER_BATCH_SIZE and SALESFORCE_CONCURRENT_REQUESTS in the environment reach the service)
  --help            this text`;

const values = parseFlags(
  {
    meetings: { type: 'string', default: '200' },
    'latency-ms': { type: 'string', default: '0,100' },
    concurrency: { type: 'string', default: '8' },
    'no-updates': { type: 'boolean', default: false },
  },
  USAGE,
);
const MEETINGS = Number(values.meetings);
const LATENCIES = values['latency-ms'].split(',').map(Number);
const SEND_CONCURRENCY = Number(values.concurrency);
const UPDATES = !values['no-updates'];
const API_VERSION = '66.0';
const WORKSPACE = 'ws_bench';
const ORGANIZER = 'sam.seller@bench.example';
/** Salesforce's concurrent long-running API requests per org, the ceiling of any drain. */
const SALESFORCE_CONCURRENT_LIMIT = 25;
/**
 * The requests one workspace has in flight at most (worker.ts): its batches (all the worker's slots
 * but one), each sending its share of SALESFORCE_CONCURRENT_REQUESTS (default 12) at once.
 */
const WORKSPACE_BATCHES = Math.min(
  SALESFORCE_CONCURRENT_LIMIT,
  Math.max(1, Number(process.env['WORKER_CONCURRENCY'] ?? 4) - 1),
);
const WORKSPACE_CONCURRENCY =
  WORKSPACE_BATCHES *
  Math.max(
    1,
    Math.floor(
      Math.min(SALESFORCE_CONCURRENT_LIMIT, Number(process.env['SALESFORCE_CONCURRENT_REQUESTS'] ?? 12)) /
        WORKSPACE_BATCHES,
    ),
  );

interface OrgDetails {
  url: string;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
}

interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Resident set size now and its peak so far, from /proc (Linux), in bytes. */
  memory(): { rss: number; peak: number };
  stop(): Promise<void>;
}

interface Running {
  org: OrgDetails;
  child: ChildProcess;
  service: ServiceProcess;
  secrets: LocalSecrets;
  contacts: { email: string; accountId: string }[];
  dir: string;
  /** The Standard User with only the package's permission set whom the service connects as. */
  integration: CreatedUser;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** Clock ticks per second of /proc's CPU times (proc(5): divide by sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has spent so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    // Fields after the command's closing parenthesis: state is the 3rd field, utime the 14th, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

async function startOrg(latencyMs: number, clientId: string, clientSecret: string, redirect: string) {
  const { child, line } = await startOrgProcess([
    ...['--port', '0', '--json', '--latency-ms', String(latencyMs)],
    ...['--daily-api-limit', '100000000', '--client-id', clientId, '--client-secret', clientSecret],
    ...['--redirect-uri', redirect],
  ]);
  return { org: JSON.parse(line) as OrgDetails, child };
}

async function control(org: OrgDetails, path: string, method = 'GET'): Promise<Record<string, number>> {
  const res = await fetch(`${org.url}/__control/${path}`, { method });
  return (await res.json()) as Record<string, number>;
}

/** The service as `npm start` runs it, in its own process, so its memory is its own. */
async function startServiceProcess(dir: string, secrets: LocalSecrets): Promise<ServiceProcess> {
  const root = process.cwd();
  // The V8 flags and environment (`NAME=value`) `npm start` gives the service (package.json), so the
  // memory measured is the shipped one.
  const start = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start;
  const words = start.split(/\s+/);
  const flags = words.filter((a) => a.startsWith('--'));
  const startEnv = Object.fromEntries(
    words.flatMap((w) => {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(w);
      return m ? [[m[1]!, m[2]!]] : [];
    }),
  );
  const child = spawn(
    join(root, 'node_modules', '.bin', 'node'),
    [...flags, join(root, 'service', 'src', 'main.ts')],
    {
      cwd: root,
      env: {
        PATH: process.env['PATH'] ?? '',
        ...startEnv,
        ...localEnv(dir, secrets, 'info'),
        // WORKER_CONCURRENCY / WORKER_BATCH_SIZE / SALESFORCE_CONCURRENT_REQUESTS from this process reach
        // the service (defaults otherwise)
        ...Object.fromEntries(
          ['WORKER_CONCURRENCY', 'WORKER_BATCH_SIZE', 'SALESFORCE_CONCURRENT_REQUESTS'].flatMap((k) =>
            process.env[k] === undefined ? [] : [[k, process.env[k]!]],
          ),
        ),
        // e.g. SERVICE_NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2 to look inside the service's memory
        ...(process.env['SERVICE_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['SERVICE_NODE_OPTIONS'] } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Its log lines, read and dropped as a log shipper would; the last ones are kept for a crash report.
  let tail: string[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    tail.push(d.toString());
    if (tail.length > 20) tail = tail.slice(-10);
  });
  let stderrTail = '';
  child.stderr!.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-4_000)));
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(
      `service exited unexpectedly (${code ?? signal}):\n${stderrTail}\n${tail.join('').slice(-4_000)}`,
    );
    process.exit(1);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${err}`)));
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
  });
  const status = (key: string) => {
    let text = '';
    try {
      text = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    } catch {
      return 0; // the process is gone; its exit is reported above
    }
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return Number(m?.[1] ?? 0) * 1024;
  };
  return {
    url,
    child,
    memory: () => ({ rss: status('VmRSS'), peak: status('VmHWM') }),
    stop: async () => {
      stopping = true;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function setUp(latencyMs: number): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'salescaling-bench-'));
  const secrets = localSecrets();
  const service = await startServiceProcess(dir, secrets);
  const { org, child } = await startOrg(
    latencyMs,
    secrets.clientId,
    secrets.clientSecret,
    `${service.url}/oauth/salesforce/callback`,
  );

  // Seed through the org's own API (sObject collections), as an admin would load data.
  const admin = await passwordConnection({
    loginUrl: org.url,
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    username: org.username,
    password: org.password,
    apiVersion: API_VERSION,
  });
  // The seller is a Standard User, as in a customer's org.
  const [profile] = (await admin.query<{ Id: string }>(`SELECT Id FROM Profile WHERE Name = 'Standard User'`))
    .records;
  await admin.sobject('User').create(
    userRecord({
      firstName: 'Sam',
      lastName: 'Seller',
      email: ORGANIZER,
      alias: 'sseller',
      profileId: profile?.Id,
    }),
  );
  const accounts = await admin.sobject('Account').create(
    Array.from({ length: 50 }, (_, i) => ({ Name: `Bench Account ${i}` })),
    { allOrNone: true },
  );
  const contacts: { email: string; accountId: string }[] = [];
  for (const [i, account] of accounts.entries()) {
    if (!account.success) throw new Error('seeding accounts failed');
    const batch = Array.from({ length: 20 }, (_, j) => ({
      FirstName: `Buyer${j}`,
      LastName: `Account${i}`,
      Email: `buyer${j}@account${i}.bench.example`,
      AccountId: account.id,
    }));
    const saved = await admin.sobject('Contact').create(batch, { allOrNone: true });
    if (saved.some((s) => !s.success)) throw new Error('seeding contacts failed');
    contacts.push(...batch.map((c) => ({ email: c.Email, accountId: c.AccountId })));
  }
  // For the association rules' cost: open Opportunities (one with a contact role) on account 1, and
  // Accounts found only by their Website (one domain of its own, one shared by two Accounts).
  const [firstOfAccount1] = contacts.filter((c) => c.accountId === accounts[1]?.id);
  const opps = await admin.sobject('Opportunity').create(
    [
      { Name: 'Bench pilot', AccountId: accounts[1]?.id, CloseDate: '2026-12-15', StageName: 'Prospecting' },
      {
        Name: 'Bench renewal',
        AccountId: accounts[1]?.id,
        CloseDate: '2026-11-22',
        StageName: 'Prospecting',
      },
    ],
    { allOrNone: true },
  );
  const contactId = (
    await admin.query<{ Id: string }>(`SELECT Id FROM Contact WHERE Email = '${firstOfAccount1?.email}'`)
  ).records[0]?.Id;
  await admin.sobject('OpportunityContactRole').create({ OpportunityId: opps[0]?.id, ContactId: contactId });
  await admin.sobject('Account').create(
    [
      { Name: 'Globex', Website: 'https://www.globex-bench.io' },
      { Name: 'Shared One', Website: 'shared-bench.io' },
      { Name: 'Shared Two', Website: 'www.shared-bench.io' },
    ],
    { allOrNone: true },
  );

  // As docs/admin-guide.md asks: sharing gives the connecting user edit on the records meetings link
  // to (a sharing rule in a real org; the organization-wide default here, which has no sharing rules).
  const knobs = await fetch(`${org.url}/__control/knobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sharing: { Opportunity: 'ReadWrite' } }),
  });
  if (!knobs.ok) throw new Error(`knobs: ${knobs.status} ${await knobs.text()}`);
  // The service connects as a Standard User with only the package's permission set, never the admin.
  const integration = await createUser(org, {
    lastName: 'Integration',
    permissionSets: ['Salescaling_Integration_User'],
  });
  return { org, child, service, secrets, contacts, dir, integration };
}

async function connect(r: Running) {
  const connected = await connectThroughBrowser({
    serviceUrl: r.service.url,
    apiToken: r.secrets.apiToken,
    workspaceId: WORKSPACE,
    loginUrl: r.org.url,
    username: r.integration.username,
    password: r.integration.password,
  });
  if (connected.outcome !== 'connected') throw new Error(`connect failed: ${connected.reason}`);
}

async function tearDown(r: Running) {
  await r.service.stop();
  r.child.kill('SIGTERM');
  await new Promise((resolve) => r.child.once('exit', resolve));
  rmSync(r.dir, { recursive: true, force: true });
}

function meeting(id: string, version: number, emails: string[], extra: Partial<Meeting> = {}): Meeting {
  const start = Date.parse('2026-11-20T15:00:00Z') + (id.length % 7) * 3_600_000;
  return {
    id,
    version,
    title: `Bench meeting ${id}`,
    startedAt: new Date(start).toISOString(),
    endedAt: new Date(start + 30 * 60_000).toISOString(),
    recordingUrl: `https://app.salescaling.com/recordings/${id}`,
    organizer: { email: ORGANIZER, name: 'Sam Seller' },
    participants: [
      { email: ORGANIZER, name: 'Sam Seller', internal: true },
      ...emails.map((email) => ({ email, internal: false })),
      { email: `stranger-${id}@nowhere.example`, internal: false },
    ],
    // Each meeting its own summary, as in life (the plan renders each one; none is cached across meetings).
    summary: `## Summary of ${id}\n\nThe buyer wants a **pilot** in Q1.\n\n- budget approved\n- security review next`,
    notes: [
      { id: `${id}-n1`, category: 'Pain points', text: 'Manual CRM updates take hours', at: 95 },
      { id: `${id}-n2`, category: 'Next steps', text: 'Send the pilot plan', at: 1510 },
    ],
    clips: [
      {
        id: `${id}-c1`,
        title: 'Budget',
        category: 'Budget',
        startSec: 600,
        endSec: 660,
        url: `https://app.salescaling.com/clips/${id}-c1`,
      },
    ],
    ...extra,
  };
}

async function send(r: Running, event: MeetingEvent): Promise<number> {
  const raw = JSON.stringify(event);
  const started = performance.now();
  const res = await fetch(`${r.service.url}/v1/webhooks/meetings`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'salescaling-signature': signPayload(r.secrets.webhookSecret, raw),
    },
    body: raw,
  });
  await res.arrayBuffer();
  if (res.status !== 202 && res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  return performance.now() - started;
}

let eventSeq = 0;
const event = (type: MeetingEvent['type'], m: Meeting): MeetingEvent =>
  ({
    id: `evt_bench_${++eventSeq}`,
    type,
    createdAt: new Date().toISOString(),
    workspaceId: WORKSPACE,
    data: { meeting: type === 'meeting.deleted' ? { id: m.id, version: m.version } : m },
  }) as MeetingEvent;

const SETTLED = new Set(['synced', 'skipped', 'failed', 'deleted']);

async function settle(r: Running, ids: string[], version: number, timeoutMs = 300_000) {
  const pending = new Set(ids);
  const deadline = Date.now() + timeoutMs;
  const states: Record<string, number> = {};
  while (pending.size > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.size} meetings did not settle`);
    for (const id of [...pending]) {
      const res = await fetch(`${r.service.url}/v1/workspaces/${WORKSPACE}/meetings/${id}`, {
        headers: { authorization: `Bearer ${r.secrets.apiToken}` },
      });
      const body = (await res.json()) as { state?: string; version?: number };
      if (body.state && SETTLED.has(body.state) && (body.version ?? 0) >= version) {
        pending.delete(id);
        states[body.state] = (states[body.state] ?? 0) + 1;
      }
    }
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return states;
}

async function callsFor(r: Running, run: () => Promise<void>): Promise<number> {
  await control(r.org, 'counters/reset', 'POST');
  await run();
  return (await control(r.org, 'counters'))['total'] ?? 0;
}

async function apiCost(r: Running) {
  const few = r.contacts.slice(0, 3).map((c) => c.email);
  const many = r.contacts.slice(100, 160).map((c) => c.email);
  const rows: [string, number][] = [];
  const one = async (label: string, type: MeetingEvent['type'], m: Meeting) => {
    rows.push([
      label,
      await callsFor(r, async () => {
        await send(r, event(type, m));
        await settle(r, [m.id], m.version);
      }),
    ]);
  };
  await one('new meeting, 3 contacts', 'meeting.processed', meeting('cost_a', 1, few));
  await one(
    'new meeting, 60 participants matched (50 linked)',
    'meeting.processed',
    meeting('cost_b', 1, many),
  );
  await one('update (title, one contact more)', 'meeting.updated', meeting('cost_a', 2, [...few, many[0]!]));
  await one('same version again (new event id)', 'meeting.updated', meeting('cost_a', 2, few));
  await one('delete', 'meeting.deleted', meeting('cost_a', 3, few));
  await one('internal meeting (skipped)', 'meeting.processed', meeting('cost_c', 1, []));
  const account1 = r.contacts.filter((c) => c.accountId === r.contacts[20]?.accountId).map((c) => c.email);
  await one(
    'new meeting, opportunity rule (contact role wins)',
    'meeting.processed',
    meeting('cost_d', 1, account1.slice(0, 2)),
  );
  await one(
    'new meeting, Account by Website domain only',
    'meeting.processed',
    meeting('cost_e', 1, ['hank@globex-bench.io']),
  );
  await one(
    'new meeting, domain of two Accounts (skipped)',
    'meeting.processed',
    meeting('cost_f', 1, ['ivy@shared-bench.io']),
  );
  await one(
    'new meeting, free-mail guest only (skipped)',
    'meeting.processed',
    meeting('cost_g', 1, ['jo@gmail.com'], {
      participants: [{ email: 'jo@gmail.com', internal: false }],
    }),
  );
  console.log('\n1. Salesforce API calls per meeting (local org counters, look-ups included)');
  for (const [label, calls] of rows) console.log(`   ${label.padEnd(52)} ${calls}`);
}

/** The service's own view of its memory, from its /metrics (prom-client's default process metrics). */
interface MemoryDetail {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

async function memoryDetail(r: Running): Promise<MemoryDetail> {
  const text = await (await fetch(`${r.service.url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return {
    rss: r.service.memory().rss,
    heapUsed: read('nodejs_heap_size_used_bytes'),
    heapTotal: read('nodejs_heap_size_total_bytes'),
    external: read('nodejs_external_memory_bytes'),
  };
}

const detail = (d: MemoryDetail) =>
  `rss ${mib(d.rss)} (V8 heap ${mib(d.heapUsed)} used of ${mib(d.heapTotal)}, external ${mib(d.external)})`;

/** The service's meetings by state, from its own /metrics (one request, whatever the backlog). */
async function meetingStates(r: Running): Promise<Record<string, number>> {
  const text = await (await fetch(`${r.service.url}/metrics`)).text();
  const states: Record<string, number> = {};
  for (const m of text.matchAll(/^salescaling_meetings\{state="(\w+)"\} (\d+)/gm))
    states[m[1]!] = Number(m[2]);
  return states;
}

async function backlog(r: Running, latencyMs: number) {
  const ids = Array.from({ length: MEETINGS }, (_, i) => `tp_${latencyMs}_${i}`);
  const meetings = ids.map((id, i) => {
    const n = 1 + (i % 5);
    const emails = Array.from(
      { length: n },
      (_, j) => r.contacts[(i * 7 + j * 13) % r.contacts.length]!.email,
    );
    return meeting(id, 1, emails);
  });
  const before = await memoryDetail(r);
  const accept: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: SEND_CONCURRENCY }, async () => {
      while (next < meetings.length) {
        const m = meetings[next++]!;
        accept.push(await send(r, event('meeting.processed', m)));
      }
    }),
  );
  const sent = (performance.now() - started) / 1000;
  const ingested = await memoryDetail(r);
  const ingestPeak = r.service.memory().peak;
  await control(r.org, 'counters/reset', 'POST');
  // Sampled while draining, and the kernel's own peak (VmHWM) read at the end; the service's heap
  // figures every 2 s, the largest RSS sample's kept.
  let sampledPeak = 0;
  let drainDetail: MemoryDetail | null = null;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, r.service.memory().rss)), 200);
  const detailSampler = setInterval(() => {
    memoryDetail(r).then(
      (d) => {
        if (drainDetail === null || d.rss > drainDetail.rss) drainDetail = d;
      },
      () => undefined,
    );
  }, 2_000);
  const cpuBefore = [cpuSeconds(r.service.child.pid), cpuSeconds(r.child.pid)];
  const drainStarted = performance.now();
  await connect(r);
  let states = await meetingStates(r);
  const deadline = Date.now() + 3_600_000;
  while (
    (states['queued'] ?? 0) + (states['syncing'] ?? 0) > 0 ||
    (states['synced'] ?? 0) + (states['skipped'] ?? 0) + (states['failed'] ?? 0) < MEETINGS
  ) {
    if (Date.now() > deadline) throw new Error(`the backlog did not drain: ${JSON.stringify(states)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    states = await meetingStates(r);
  }
  const drained = (performance.now() - drainStarted) / 1000;
  const cpuAfter = [cpuSeconds(r.service.child.pid), cpuSeconds(r.child.pid)];
  clearInterval(sampler);
  clearInterval(detailSampler);
  const counters = await control(r.org, 'counters');
  // The connect's org check describes the objects it needs; the sync itself never describes.
  const connectCalls = counters['describe'] ?? 0;
  const calls = (counters['total'] ?? 0) - connectCalls;
  const after = r.service.memory();
  const afterDetail = await memoryDetail(r);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const later = r.service.memory();
  accept.sort((a, b) => a - b);
  const minimum = (calls * latencyMs) / 1000 / SALESFORCE_CONCURRENT_LIMIT;
  const workerMinimum = (calls * latencyMs) / 1000 / WORKSPACE_CONCURRENCY;
  console.log(
    `\n2. Backlog: ${MEETINGS} new meetings queued before the connect, local org latency ${latencyMs} ms per API call`,
  );
  console.log(
    `   webhook accepted (${SEND_CONCURRENCY} senders): p50 ${ms(percentile(accept, 50))}, p95 ${ms(percentile(accept, 95))}, max ${ms(accept.at(-1) ?? 0)}; all sent in ${sent.toFixed(2)} s`,
  );
  console.log(
    `   drained in ${drained.toFixed(2)} s after the connect (${(MEETINGS / drained).toFixed(1)} meetings/s); states ${JSON.stringify(states)}`,
  );
  console.log(
    `   API calls: ${calls} for the meetings (${(calls / MEETINGS).toFixed(2)} per meeting; by kind ${JSON.stringify(counters)}, of which ${connectCalls} describe calls are the connect's org check); theoretical minimum for them at ${SALESFORCE_CONCURRENT_LIMIT} concurrent requests: ${minimum.toFixed(2)} s (drain ${minimum > 0 ? (drained / minimum).toFixed(1) : '–'}× that)`,
  );
  if (latencyMs > 0)
    console.log(
      `   theoretical minimum at the ${WORKSPACE_CONCURRENCY} requests the worker sends one org at once at most: ${workerMinimum.toFixed(2)} s (drain ${(drained / workerMinimum).toFixed(2)}× that)`,
    );
  const [serviceCpu, orgCpu] = cpuAfter.map((after, i) =>
    after === null || cpuBefore[i] === null ? null : after - cpuBefore[i]!,
  );
  if (serviceCpu != null && orgCpu != null) {
    // Both processes share this machine's cores: whatever the calls' latency, the drain cannot take
    // less wall time than their CPU time spread over every core.
    const floor = (serviceCpu + orgCpu) / cpus().length;
    console.log(
      `   CPU time while draining: service ${serviceCpu.toFixed(1)} s, local org ${orgCpu.toFixed(1)} s; on ${cpus().length} cores the drain cannot take less than ${floor.toFixed(1)} s here${minimum > 0 ? ` (${(floor / minimum).toFixed(1)}× the minimum for the calls)` : ''}`,
    );
  }
  console.log(
    `   service process memory: rss ${mib(before.rss)} before the backlog, ${mib(ingested.rss)} once its webhooks were accepted (peak ${mib(ingestPeak)} so far), peak ${mib(Math.max(after.peak, sampledPeak))} (VmHWM), ${mib(after.rss)} once drained, ${mib(later.rss)} 2 s later`,
  );
  console.log(`     idle:           ${detail(before)}`);
  console.log(`     after ingest:   ${detail(ingested)}`);
  if (drainDetail !== null) console.log(`     draining (max): ${detail(drainDetail)}`);
  console.log(`     drained:        ${detail(afterDetail)}`);
  if (UPDATES) await changeBacklog(r, meetings, latencyMs);
  return Math.max(after.peak, sampledPeak);
}

/** Calls for the same backlog updated (version 2, a new title), then deleted, each drained in turn. */
async function changeBacklog(r: Running, meetings: Meeting[], latencyMs: number) {
  for (const [label, type] of [
    ['updated', 'meeting.updated'],
    ['deleted', 'meeting.deleted'],
  ] as const) {
    const version = type === 'meeting.updated' ? 2 : 3;
    const changed = meetings.map((m) => ({ ...m, version, title: `${m.title} (${label})` }));
    await control(r.org, 'counters/reset', 'POST');
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: SEND_CONCURRENCY }, async () => {
        while (next < changed.length) await send(r, event(type, changed[next++]!));
      }),
    );
    let states = await meetingStates(r);
    while ((states['queued'] ?? 0) + (states['syncing'] ?? 0) > 0) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      states = await meetingStates(r);
    }
    const seconds = (performance.now() - started) / 1000;
    const calls = (await control(r.org, 'counters'))['total'] ?? 0;
    console.log(
      `   the same ${MEETINGS} ${label} (sent while the worker runs, ${latencyMs} ms per call): ${calls} API calls (${(calls / MEETINGS).toFixed(3)} per meeting), done in ${seconds.toFixed(1)} s; states ${JSON.stringify(states)}`,
    );
  }
}

/** Webhook → Event for lone meetings on an idle worker: the latency a batch must not add. */
async function loneLatency(r: Running, latencyMs: number) {
  const emails = r.contacts.slice(0, 3).map((c) => c.email);
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const m = meeting(`lone_${latencyMs}_${i}`, 1, emails);
    const started = performance.now();
    await send(r, event('meeting.processed', m));
    for (;;) {
      const res = await fetch(`${r.service.url}/v1/workspaces/${WORKSPACE}/meetings/${m.id}`, {
        headers: { authorization: `Bearer ${r.secrets.apiToken}` },
      });
      const body = (await res.json()) as { state?: string };
      if (body.state === 'synced') break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(
    `   a lone meeting on an idle worker, webhook → synced (10 in turn): p50 ${ms(percentile(times, 50))}, max ${ms(times.at(-1) ?? 0)}; its 2 calls take ${2 * latencyMs} ms of latency (p50 ${(percentile(times, 50) / Math.max(1, 2 * latencyMs)).toFixed(2)}× that)`,
  );
}

function pureHeart() {
  const participants = Array.from({ length: 500 }, (_, i) => ({
    email: i % 10 === 0 ? `Person${i}@Example.com ` : `person${i}@example.com`,
    name: `Person ${i}`,
    internal: i % 25 === 0,
  }));
  const m = meeting('pure', 1, [], {
    participants,
    notes: Array.from({ length: 200 }, (_, i) => ({
      id: `n${i}`,
      category: ['Pain points', 'Next steps', 'Budget', 'Competition'][i % 4]!,
      text: `Note ${i}: ${'the buyer said something worth keeping. '.repeat(5)}`,
      at: i * 10,
    })),
  });
  const snapshot: CrmSnapshot = {
    users: [{ id: '0055g0000010001AAA', email: ORGANIZER, isActive: true }],
    contacts: participants.slice(0, 300).map((p, i) => ({
      id: `0035g00000${String(i).padStart(5, '0')}AAA`,
      email: p.email.trim().toLowerCase(),
      accountId: `0015g00000${String(i % 40).padStart(5, '0')}AAA`,
      lastModified: '2026-11-01T00:00:00.000Z',
      isDeleted: false,
    })),
    leads: [],
    sharedActivities: true,
  };
  const org = {
    orgId: '00D5g0000010001EAA',
    connectedUserId: '0055g0000010001AAA',
    sharedActivities: true,
    packageFields: { meetingId: 'Salescaling_Meeting_Id__c' },
  };
  const runs = 200;
  for (let i = 0; i < 20; i++) planMeeting(m, resolveAssociations(m, snapshot), org);
  const started = performance.now();
  for (let i = 0; i < runs; i++) planMeeting(m, resolveAssociations(m, snapshot), org);
  const each = (performance.now() - started) / runs;
  console.log('\n3. Pure heart: cascade + plan for 500 participants, 300 matching contacts, 200 notes');
  console.log(`   ${ms(each)} per meeting (${(1000 / each).toFixed(0)} per second, one core)`);
}

console.log(
  `Salescaling for Salesforce — service benchmarks (${cpus().length} cores, ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version})`,
);
for (const [i, latency] of LATENCIES.entries()) {
  const r = await setUp(latency);
  try {
    await backlog(r, latency);
    await loneLatency(r, latency);
    if (i === 0) await apiCost(r);
  } finally {
    await tearDown(r);
  }
}
pureHeart();
