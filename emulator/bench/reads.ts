/**
 * Simple-read throughput of the local org: the org runs in its own process (as in the demo), and this
 * process keeps C concurrent keep-alive connections busy with GET sobjects/Account/{id} for D seconds.
 * Usage: node emulator/bench/reads.ts [--concurrency 32] [--seconds 10]
 *        [--kind record|query|indexed|lone|writes|sharing] [--contacts 10000] [--events 10000] [--rows 50000]
 * (`query` runs `SELECT Id, Name FROM Account WHERE Id = '…'` instead of the record read; `indexed`
 * loads N contacts and compares `Email IN (…)`, which the org indexes, with the same query on Title,
 * which it scans; `lone` loads --events Events and times the service's lone-meeting Event look-up —
 * the meeting's reference OR the owner's untaken Events overlapping its window, which the org answers
 * from its indexes, each request with its own literals as the service's — against the same query on
 * Location, which it scans, and against one look-up's text repeated; before them, while the org is
 * fresh, a lone meeting's composite/graph write, one call at a time; `writes` times
 * composite/graph inserts shaped like the service's meetings into an empty org and again once it
 * holds --rows rows, side by side; `sharing` loads --events Events owned by the administrator and
 * related to contacts, then scans them as the administrator and as a Standard User, whose rows are
 * sharing-checked, side by side).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseFlags } from '../../scripts/lib/cli.ts';
import { startOrgProcess } from '../src/cli-process.ts';
import { createUser, passwordGrantToken, type AdminCredentials } from '../src/security/users.ts';

const USAGE = `Usage: node emulator/bench/reads.ts [options]   (npm run bench runs every benchmark)
  --concurrency N   keep-alive connections kept busy (default 32)
  --seconds N       how long to measure (default 10)
  --kind K          record (GET sobjects/Account/{id}), query (SELECT … WHERE Id = …), indexed
                    (Contacts by Email IN …, against a scanned field), lone (the service's lone
                    Event look-up), writes (composite/graph inserts) or sharing (a Standard User's
                    scan beside the administrator's) (default record)
  --contacts N      Contacts seeded for --kind indexed (default 10000)
  --rows N          rows the org holds for the second half of --kind writes (default 50000)
  --events N        Events seeded for --kind lone and --kind sharing (default 10000)
  --help            this text`;

const values = parseFlags(
  {
    concurrency: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '10' },
    kind: { type: 'string', default: 'record' },
    contacts: { type: 'string', default: '10000' },
    events: { type: 'string', default: '10000' },
    rows: { type: 'string', default: '50000' },
  },
  USAGE,
);
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const { child, line } = await startOrgProcess([
  ...['--port', '0', '--json'],
  ...['--daily-api-limit', '100000000', '--concurrent-limit', '1000'],
]);
const details = JSON.parse(line) as AdminCredentials;
// The org process goes with this one, even when a measure throws.
process.on('exit', () => child.kill('SIGTERM'));
const token = await passwordGrantToken(details);
const created = await fetch(`${details.url}/services/data/v66.0/sobjects/Account`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ Name: 'Bench' }),
});
const { id } = (await created.json()) as { id: string };

const api = `${details.url}/services/data/v66.0`;
const soql = `SELECT Id, Name FROM Account WHERE Id = '${id}'`;
let agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const get = (url: URL, bearer = token): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${bearer}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });

/** Keeps `concurrency` clients busy for `seconds` with the URLs `next` hands out; prints one JSON line. */
async function measure(kind: string, next: () => URL, extra: Record<string, unknown> = {}, bearer = token) {
  // Fresh sockets for each measure: one the org closed while it idled must not fail the next.
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let ok = 0;
  let failed = 0;
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const t0 = performance.now();
        const status = await get(next(), bearer);
        latencies.push(performance.now() - t0);
        if (status === 200) ok++;
        else failed++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  console.log(
    JSON.stringify({
      kind,
      ...extra,
      concurrency,
      seconds,
      requests: ok + failed,
      failed,
      perSecond: Math.round((ok + failed) / seconds),
      p50ms: pct(50),
      p99ms: pct(99),
    }),
  );
}

if (values.kind === 'indexed') {
  // N contacts loaded through sObject Collections (200 a call), then the service's own look-up shape
  // (`Email IN (…)`, 3 addresses a query, each a different set) against the same query on a field
  // Salesforce does not index (Title, holding the same values): the index against the scan, one run.
  const n = Number(values.contacts);
  for (let i = 0; i < n; i += 200) {
    const records = Array.from({ length: Math.min(200, n - i) }, (_, j) => {
      const email = `buyer${i + j}@bench.example`;
      return { attributes: { type: 'Contact' }, LastName: `Buyer ${i + j}`, Email: email, Title: email };
    });
    const res = await fetch(`${api}/composite/sobjects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ allOrNone: true, records }),
    });
    if (!res.ok) throw new Error(`seeding contacts failed: ${res.status} ${await res.text()}`);
  }
  for (const field of ['Email', 'Title']) {
    let k = 0;
    const next = () => {
      const list = [0, 1, 2].map((d) => `'buyer${(k * 3 + d) % n}@bench.example'`).join(', ');
      k++;
      const q = `SELECT Id, Email, AccountId FROM Contact WHERE ${field} IN (${list})`;
      return new URL(`${api}/query?q=${encodeURIComponent(q)}`);
    };
    await measure(field === 'Email' ? 'query by Email IN (indexed)' : 'query by Title IN (scan)', next, {
      contacts: n,
    });
  }
} else if (values.kind === 'lone') {
  // The graph first, while the org process is fresh: a lone meeting meets an org that is not warm.
  await measureLoneMeeting();
  await measureLone(Number(values.events));
} else if (values.kind === 'writes') {
  await measureWrites(Number(values.rows));
} else if (values.kind === 'sharing') {
  await measureSharing(Number(values.events));
} else {
  const url = new URL(
    values.kind === 'query' ? `${api}/query?q=${encodeURIComponent(soql)}` : `${api}/sobjects/Account/${id}`,
  );
  await measure(values.kind, () => url);
}
agent.destroy();
child.kill('SIGTERM');

/**
 * A lone meeting's two calls, shaped as the service sends them (captured from service/bench/sync.ts's
 * lone meetings): the look-up composite, then one composite/graph call holding one graph of 14 nodes
 * — the Event and its two other contacts' EventRelations, the summary ContentNote and its five links,
 * the Task and its two TaskRelations, then both activities handed to the seller. Sent one call at a
 * time, as the service's Standard User with the package's permission set, to an org process that has
 * done little else yet (as a lone meeting on an idle worker finds it): the first calls' cost, not a
 * warmed-up loop's. Beside each call's latency, the org's own CPU time for it (the median call's).
 */
async function measureLoneMeeting(): Promise<void> {
  const CALLS = 40;
  const call = async (path: string, body: unknown, bearer: string, method = 'POST'): Promise<unknown> => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path} failed: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const integration = await createUser(details, {
    lastName: 'Integration',
    permissionSets: ['Salescaling_Integration_User'],
  });
  const seller = await createUser(details, {
    lastName: 'Seller',
    username: 'seller@lone.example.localorg',
  });
  const userToken = await passwordGrantToken(details, integration);
  const account = ((await call('/sobjects/Account', { Name: 'Lone' }, token)) as { id: string }).id;
  const contacts = (
    (await call(
      '/composite/sobjects',
      {
        allOrNone: true,
        records: [0, 1, 2].map((i) => ({
          attributes: { type: 'Contact' },
          LastName: `Buyer ${i}`,
          Email: `buyer${i}@lone.example`,
          AccountId: account,
        })),
      },
      token,
    )) as { id: string }[]
  ).map((c) => c.id);
  const node = (method: string, object: string, referenceId: string, body: unknown) => ({
    method,
    url: `/services/data/v66.0/sobjects/${object}`,
    referenceId,
    body,
  });
  const graph = (m: number) => {
    const start = new Date(Date.UTC(2026, 10, 20, 15) + m * 3_600_000);
    const text = `Meeting ${m}\nParticipants: ${contacts.map((_, i) => `buyer${i}@lone.example`).join(', ')}`;
    const mine = { Salescaling_Meeting_Id__c: `lone-${m}`, Salescaling_Attendees__c: text };
    return {
      graphs: [
        {
          graphId: 'meeting',
          compositeRequest: [
            node('POST', 'Event', 'event', {
              Subject: `Meeting ${m}`,
              StartDateTime: start.toISOString(),
              EndDateTime: new Date(start.getTime() + 30 * 60_000).toISOString(),
              Type: 'Meeting',
              Description: text,
              WhoId: contacts[0],
              WhatId: account,
              IsPrivate: false,
              ...mine,
            }),
            ...[1, 2].map((i) =>
              node('POST', 'EventRelation', `eventRelation${i}`, {
                EventId: '@{event.id}',
                RelationId: contacts[i],
                IsParent: true,
                IsInvitee: false,
              }),
            ),
            node('POST', 'ContentNote', 'note', {
              Title: `Meeting summary ${m}`,
              Content: Buffer.from(`<p>Summary of meeting ${m}</p><ul><li>budget</li></ul>`).toString(
                'base64',
              ),
            }),
            ...['@{event.id}', ...contacts, account].map((linked, i) =>
              node('POST', 'ContentDocumentLink', `noteLink${i}`, {
                ContentDocumentId: '@{note.id}',
                LinkedEntityId: linked,
                ShareType: 'V',
                Visibility: 'AllUsers',
              }),
            ),
            node('POST', 'Task', 'task', {
              Subject: `Notes ${m}`,
              Description: text,
              ActivityDate: start.toISOString().slice(0, 10),
              Status: 'Completed',
              Priority: 'Normal',
              WhoId: contacts[0],
              WhatId: account,
              ...mine,
            }),
            ...[1, 2].map((i) =>
              node('POST', 'TaskRelation', `taskRelation${i}`, {
                TaskId: '@{task.id}',
                RelationId: contacts[i],
                IsWhat: false,
              }),
            ),
            node('PATCH', 'Event/@{event.id}', 'eventOwner', { OwnerId: seller.id }),
            node('PATCH', 'Task/@{task.id}', 'taskOwner', { OwnerId: seller.id }),
          ],
        },
      ],
    };
  };
  // The look-up composite the service sends first (service/src/salesforce/lookups.ts): the
  // meeting's Events and the owner's overlapping ones, its people as Users, Contacts and Leads, and
  // the opportunity rule's query; each meeting with its own reference, window and stranger's email.
  const me = (await (
    await fetch(`${details.url}/services/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${userToken}` },
    })
  ).json()) as { user_id: string };
  const lookUp = (m: number) => {
    const start = new Date(Date.UTC(2026, 10, 20, 15) + m * 3_600_000);
    const end = new Date(start.getTime() + 30 * 60_000);
    const at = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const people = `${contacts.map((_, i) => `'buyer${i}@lone.example'`).join(', ')}, 'stranger-${m}@nowhere.example'`;
    const query = (referenceId: string, all: boolean, q: string) => ({
      method: 'GET',
      referenceId,
      url: `/services/data/v66.0/${all ? 'queryAll' : 'query'}/?q=${encodeURIComponent(q)}`,
    });
    return {
      allOrNone: false,
      compositeRequest: [
        query(
          'events',
          true,
          `SELECT Id, IsDeleted, WhoId, WhatId, Description, Subject, LastModifiedById, OwnerId, Owner.Email, CreatedDate, StartDateTime, EndDateTime, IsPrivate, IsChild, Salescaling_Meeting_Id__c, (SELECT RelationId FROM EventRelations) FROM Event WHERE Salescaling_Meeting_Id__c = 'lone-${m}' OR (StartDateTime < ${at(end)} AND EndDateTime > ${at(start)} AND IsDeleted = false AND Salescaling_Meeting_Id__c = null AND (Owner.Email = 'seller@lone.example' OR OwnerId = '${me.user_id}')) ORDER BY Salescaling_Meeting_Id__c ASC NULLS LAST, CreatedDate ASC, Id ASC LIMIT 100`,
        ),
        query(
          'users',
          false,
          `SELECT Id, Email, IsActive FROM User WHERE Email IN ('seller@lone.example', ${people})`,
        ),
        query(
          'contacts',
          true,
          `SELECT Id, Email, AccountId, LastModifiedDate, IsDeleted FROM Contact WHERE Email IN (${people})`,
        ),
        query(
          'leads',
          false,
          `SELECT Id, Email, LastModifiedDate FROM Lead WHERE Email IN (${people}) AND IsConverted = false`,
        ),
        query(
          'ruleOpportunities',
          false,
          `SELECT Id, AccountId, CloseDate, IsClosed, (SELECT ContactId FROM OpportunityContactRoles) FROM Opportunity WHERE IsClosed = false AND AccountId IN (SELECT AccountId FROM Contact WHERE Email IN (${people})) ORDER BY CloseDate ASC, Id ASC LIMIT 200`,
        ),
      ],
    };
  };
  const calls = {
    lookUp: { latencies: [] as number[], cpu: [] as number[] },
    graph: { latencies: [] as number[], cpu: [] as number[] },
  };
  const timed = async <T>(which: keyof typeof calls, send: () => Promise<T>): Promise<T> => {
    const cpu = orgCpuMs();
    const t = performance.now();
    const out = await send();
    calls[which].latencies.push(performance.now() - t);
    const after = orgCpuMs();
    if (cpu !== undefined && after !== undefined) calls[which].cpu.push(after - cpu);
    return out;
  };
  for (let m = 0; m < CALLS; m++) {
    const found = (await timed('lookUp', () => call('/composite', lookUp(m), userToken))) as {
      compositeResponse: { httpStatusCode: number }[];
    };
    if (!found.compositeResponse.every((r) => r.httpStatusCode === 200))
      throw new Error(`lone look-up failed: ${JSON.stringify(found)}`);
    const out = (await timed('graph', () => call('/composite/graph', graph(m), userToken))) as {
      graphs: { isSuccessful: boolean }[];
    };
    if (!out.graphs.every((g) => g.isSuccessful))
      throw new Error(`lone graph failed: ${JSON.stringify(out)}`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [which, { latencies, cpu }] of Object.entries(calls)) {
    const first = latencies[0]!;
    latencies.sort((a, b) => a - b);
    const at = (p: number) => latencies[Math.floor((p / 100) * latencies.length)]!.toFixed(1);
    console.log(
      JSON.stringify({
        kind:
          which === 'graph'
            ? "a lone meeting's graph (14 nodes), as a Standard User, fresh org"
            : "a lone meeting's look-up composite (5 queries), as a Standard User, fresh org",
        calls: CALLS,
        firstMs: first.toFixed(1),
        p25ms: at(25),
        p50ms: at(50),
        p75ms: at(75),
        ...(cpu.length === CALLS ? { orgCpuP50ms: median(cpu).toFixed(2) } : {}),
      }),
    );
  }
}

/**
 * The org process's main-thread CPU time so far, in ms (Linux: /proc/<pid>/schedstat), or undefined
 * elsewhere. Beside the wall-clock latencies it is what the org itself spent, whatever else the
 * machine runs at the same time.
 */
function orgCpuMs(): number | undefined {
  try {
    return Number(readFileSync(`/proc/${child.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/**
 * The lone meeting's Event look-up (service/src/salesforce/lookups.ts eventQuery) in an org holding
 * `n` Events written as the service writes them (its reference field set, seven start hours as in
 * service/bench/sync.ts), one request at a time as the lone sync sends it: on the package's reference
 * field (an External ID, indexed) and, as the same-run baseline, on Location holding the same values
 * (not indexed, so the org scans every Event).
 */
async function measureLone(n: number): Promise<void> {
  const me = (await (
    await fetch(`${details.url}/services/oauth2/userinfo`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { user_id: string; email: string };
  const hour = (i: number) => Date.parse('2026-11-20T15:00:00Z') + (i % 7) * 3_600_000;
  for (let i = 0; i < n; i += 200) {
    const records = Array.from({ length: Math.min(200, n - i) }, (_, j) => {
      const k = i + j;
      return {
        attributes: { type: 'Event' },
        Subject: `Meeting ${k}`,
        StartDateTime: new Date(hour(k)).toISOString(),
        DurationInMinutes: 30,
        Salescaling_Meeting_Id__c: `m-${k}`,
        Location: `m-${k}`,
      };
    });
    const res = await fetch(`${api}/composite/sobjects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ allOrNone: true, records }),
    });
    if (!res.ok) throw new Error(`seeding events failed: ${res.status} ${await res.text()}`);
  }
  const lookUp = (field: string, k: number): URL => {
    const start = hour(k);
    const window = `StartDateTime < ${new Date(start + 30 * 60_000).toISOString()} AND EndDateTime > ${new Date(start).toISOString()} AND IsDeleted = false AND ${field} = null`;
    const q = `SELECT Id, IsDeleted, WhoId, WhatId, Description, Subject, LastModifiedById, OwnerId, Owner.Email, CreatedDate, StartDateTime, EndDateTime, IsPrivate, IsChild, ${field}, (SELECT RelationId FROM EventRelations) FROM Event WHERE ${field} = 'lone-${k}' OR (${window} AND (Owner.Email = '${me.email}' OR OwnerId = '${me.user_id}')) ORDER BY ${field} ASC NULLS LAST, CreatedDate ASC, Id ASC LIMIT 100`;
    return new URL(`${api}/query?q=${encodeURIComponent(q)}`);
  };
  for (const field of ['Salescaling_Meeting_Id__c', 'Location']) {
    // Each request carries its own meeting's reference and window, as the service's do.
    let k = 0;
    await measure(
      field === 'Location'
        ? 'lone Event look-up on Location (scan)'
        : 'lone Event look-up on the reference (indexed)',
      () => lookUp(field, k++),
      { events: n, literals: 'new each request' },
    );
  }
  // The same look-up's text again and again: the parse is cached by text alone, so beside the line
  // above it shows what a query's own literals cost the org.
  const same = lookUp('Salescaling_Meeting_Id__c', 0);
  await measure('lone Event look-up on the reference (indexed)', () => same, {
    events: n,
    literals: 'one text repeated',
  });
}

/**
 * composite/graph inserts as the service sends them (75 graphs a call, one meeting a graph: an Event
 * whose WhoId is a Contact — the org adds its EventRelation —, a ContentNote and the note's link to
 * the Event), timed in an empty org and again after the org holds `rows` rows written the same way.
 * Every write runs the org's per-row rules (the activity's relations, the link's two-field unique key),
 * so the two figures side by side show whether a write's cost grows with the org's size.
 */
async function measureWrites(rows: number): Promise<void> {
  const GRAPHS = 75;
  const post = async (path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${api}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path} failed: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const contact = (await post('/sobjects/Contact', { LastName: 'Bench', Email: 'bench@bench.example' })) as {
    id: string;
  };
  let meeting = 0;
  const graphCall = async (): Promise<void> => {
    const graphs = Array.from({ length: GRAPHS }, () => {
      const m = meeting++;
      const start = new Date(Date.UTC(2026, 0, 1) + m * 60000).toISOString();
      return {
        graphId: `g${m}`,
        compositeRequest: [
          {
            method: 'POST',
            url: '/services/data/v66.0/sobjects/Event',
            referenceId: 'event',
            body: { Subject: `Meeting ${m}`, StartDateTime: start, DurationInMinutes: 30, WhoId: contact.id },
          },
          {
            method: 'POST',
            url: '/services/data/v66.0/sobjects/ContentNote',
            referenceId: 'note',
            body: { Title: `Notes ${m}`, Content: Buffer.from(`<p>notes ${m}</p>`).toString('base64') },
          },
          {
            method: 'POST',
            url: '/services/data/v66.0/sobjects/ContentDocumentLink',
            referenceId: 'link',
            body: { ContentDocumentId: '@{note.id}', LinkedEntityId: '@{event.id}', ShareType: 'V' },
          },
        ],
      };
    });
    const out = (await post('/composite/graph', { graphs })) as {
      graphs: { isSuccessful: boolean; graphResponse?: unknown }[];
    };
    const failed = out.graphs.filter((g) => !g.isSuccessful);
    if (failed.length > 0) throw new Error(`graph failed: ${JSON.stringify(failed[0])}`);
  };
  const count = async (): Promise<number> => {
    let total = 0;
    for (const o of ['Contact', 'Event', 'EventRelation', 'ContentNote', 'ContentDocumentLink']) {
      const q = `SELECT COUNT() FROM ${o}`;
      const res = await fetch(`${api}/query?q=${encodeURIComponent(q)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      total += ((await res.json()) as { totalSize: number }).totalSize;
    }
    return total;
  };
  const CALLS = 20;
  const timed = async (label: string): Promise<void> => {
    const held = await count();
    const latencies: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const t = performance.now();
      await graphCall();
      latencies.push(performance.now() - t);
    }
    const ms = performance.now() - t0;
    latencies.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        kind: `graph inserts (${label})`,
        rowsHeld: held,
        calls: CALLS,
        graphsPerCall: GRAPHS,
        meetingsPerSecond: Math.round((CALLS * GRAPHS) / (ms / 1000)),
        p50msPerCall: latencies[Math.floor(latencies.length / 2)]!.toFixed(1),
        maxMsPerCall: latencies[latencies.length - 1]!.toFixed(1),
      }),
    );
  };
  await timed('empty org');
  while ((await count()) < rows) for (let i = 0; i < 20; i++) await graphCall();
  await timed(`org holding ≥ ${rows} rows`);
}

/**
 * Queries that scan every Event row (Location is not indexed), as the administrator, who sees
 * everything unchecked, and as a Standard User with the package's permission set, whose rows are
 * sharing-checked: the Events are the administrator's, readable through their Who (a Contact) and What
 * (its Account), as the service's Events are its sellers' (Help, Controlled by Parent:
 * https://help.salesforce.com/s/articleView?id=sf.security_sharing_owd_about.htm). One query keeps 3
 * rows (the look-up shape: the WHERE runs first, the check on what it keeps), one keeps them all (a
 * COUNT(): the check on every row); each beside the administrator's same query.
 */
async function measureSharing(events: number): Promise<void> {
  const collection = async (records: Record<string, unknown>[]): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < records.length; i += 200) {
      const res = await fetch(`${api}/composite/sobjects`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ allOrNone: true, records: records.slice(i, i + 200) }),
      });
      if (!res.ok) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
      ids.push(...((await res.json()) as { id: string }[]).map((r) => r.id));
    }
    return ids;
  };
  // Signed in first: the clients' keep-alive sockets must not idle between the two measures.
  const reader = await createUser(details, {
    lastName: 'Sharing Reader',
    permissionSets: ['Salescaling_Integration_User'],
  });
  const readerToken = await passwordGrantToken(details, reader);
  const accounts = await collection(
    Array.from({ length: 100 }, (_, i) => ({ attributes: { type: 'Account' }, Name: `Sharing ${i}` })),
  );
  const contacts = await collection(
    Array.from({ length: 1000 }, (_, i) => ({
      attributes: { type: 'Contact' },
      LastName: `Guest ${i}`,
      Email: `guest${i}@sharing.example`,
      AccountId: accounts[i % accounts.length],
    })),
  );
  await collection(
    Array.from({ length: events }, (_, i) => ({
      attributes: { type: 'Event' },
      Subject: `Meeting ${i}`,
      Location: `Room ${i}`,
      StartDateTime: new Date(Date.UTC(2026, 0, 1) + i * 60000).toISOString(),
      DurationInMinutes: 30,
      WhoId: contacts[i % contacts.length],
      WhatId: accounts[i % accounts.length],
    })),
  );
  let k = 0;
  const next = () => {
    const rooms = [0, 1, 2].map((d) => `'Room ${(k * 3 + d) % events}'`).join(', ');
    k++;
    const q = `SELECT Id, Subject, WhoId, WhatId FROM Event WHERE Location IN (${rooms})`;
    return new URL(`${api}/query?q=${encodeURIComponent(q)}`);
  };
  await measure('Event scan keeping 3 rows, as the administrator', next, { events });
  await measure('Event scan keeping 3 rows, as a Standard User', next, { events }, readerToken);
  // Every row kept, so every row sharing-checked: the check's own cost per row.
  const all = new URL(
    `${api}/query?q=${encodeURIComponent('SELECT COUNT() FROM Event WHERE Location != null')}`,
  );
  await measure('COUNT() of every Event, as the administrator', () => all, { events });
  await measure('COUNT() of every Event, as a Standard User', () => all, { events }, readerToken);
}
