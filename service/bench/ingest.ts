/**
 * Webhook ingest throughput, side by side in one run (docs/benchmarks.md):
 *  - `bare`: an Express app that reads the raw body and answers 202 (the ceiling of the HTTP stack);
 *  - `sqlite`: the same app, parsing the JSON and committing each event to node:sqlite (WAL, the same
 *    pragmas as the service) before answering: the floor any durable ingest has to pay;
 *  - `service`: the real service (startService, signature, schema, store, worker running, logs at
 *    `info` into a pipe that is drained and dropped).
 * Each server runs in its own process; this process keeps C keep-alive clients busy sending signed
 * meeting events (each with a new event id) for D seconds, after a short warm-up.
 * Usage: node service/bench/ingest.ts [--seconds 5] [--concurrency 32] [--kinds bare,sqlite,service]
 *        node service/bench/ingest.ts --serve service|bare|sqlite   (internal: one server)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import express from 'express';
import { signPayload } from '../src/http/webhook-signature.ts';
import { startService } from '../src/service.ts';
import { localEnv, localSecrets } from '../../scripts/lib/local-config.ts';
import { loadConfig } from '../src/config.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '32' },
    kinds: { type: 'string', default: 'bare,sqlite,service' },
    serve: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});

interface Served {
  url: string;
  secret: string;
}

async function serve(kind: string): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'salescaling-ingest-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  if (kind === 'service') {
    const secrets = localSecrets();
    const config = loadConfig(localEnv(dir, secrets, 'info'));
    const service = await startService({ config });
    return { url: service.url, secret: secrets.webhookSecret };
  }
  const app = express();
  app.disable('x-powered-by');
  if (kind === 'bare') {
    app.post('/v1/webhooks/meetings', express.raw({ type: () => true, limit: '5mb' }), (_req, res) => {
      res.status(202).json({ status: 'accepted' });
    });
  } else {
    const db = new DatabaseSync(join(dir, 'floor.db'));
    db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
    db.exec(
      'CREATE TABLE events (event_id TEXT PRIMARY KEY, body TEXT NOT NULL, received_at INTEGER NOT NULL)',
    );
    const insert = db.prepare('INSERT INTO events (event_id, body, received_at) VALUES (?, ?, ?)');
    app.post('/v1/webhooks/meetings', express.raw({ type: () => true, limit: '5mb' }), (req, res) => {
      const text = (req.body as Buffer).toString('utf8');
      const event = JSON.parse(text) as { id: string };
      insert.run(event.id, text, Date.now());
      res.status(202).json({ status: 'accepted', eventId: event.id });
    });
  }
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, secret: 'whsec_floor' };
}

if (values.serve) {
  const served = await serve(values.serve);
  // The first line of stderr is ours; the service's own log lines go to stdout.
  process.stderr.write(`${JSON.stringify(served)}\n`);
  process.on('SIGTERM', () => process.exit(0));
} else {
  await drive();
}

function meetingEvent(n: number) {
  const id = `m_${n}`;
  return {
    id: `evt_ingest_${n}_${process.pid}`,
    type: 'meeting.processed',
    createdAt: new Date().toISOString(),
    workspaceId: 'ws_ingest',
    data: {
      meeting: {
        id,
        version: 1,
        title: `Ingest ${id}`,
        startedAt: '2026-11-20T15:00:00Z',
        endedAt: '2026-11-20T15:30:00Z',
        recordingUrl: `https://app.salescaling.com/recordings/${id}`,
        organizer: { email: 'sam.seller@bench.example', name: 'Sam Seller' },
        participants: [
          { email: 'sam.seller@bench.example', name: 'Sam Seller', internal: true },
          { email: `buyer${n % 20}@account${n % 50}.bench.example`, internal: false },
          { email: `buyer${(n + 3) % 20}@account${n % 50}.bench.example`, internal: false },
        ],
        summary:
          '## Summary\n\nThe buyer wants a **pilot** in Q1.\n\n- budget approved\n- security review next',
        notes: [
          { id: `${id}-n1`, category: 'Pain points', text: 'Manual CRM updates take hours', at: 95 },
          { id: `${id}-n2`, category: 'Next steps', text: 'Send the pilot plan', at: 1510 },
        ],
        clips: [],
      },
    },
  };
}

async function start(kind: string): Promise<{ served: Served; stop: () => Promise<void> }> {
  const root = process.cwd();
  const args = [
    ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['CPU_PROF_DIR'] ?? tmpdir()] : []),
    join(root, 'service', 'bench', 'ingest.ts'),
    '--serve',
    kind,
  ];
  const child = spawn(join(root, 'node_modules', '.bin', 'node'), args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.resume(); // the service's log lines: read and dropped, as a log shipper would
  const served = await new Promise<Served>((resolve, reject) => {
    let err = '';
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}: ${err}`)));
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      const nl = err.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(err.slice(0, nl)) as Served);
    });
  });
  return {
    served,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function load(served: Served, seconds: number, concurrency: number, startAt: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(`${served.url}/v1/webhooks/meetings`);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let n = startAt;
  const deadline = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify(meetingEvent(n++));
      const started = performance.now();
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'salescaling-signature': signPayload(served.secret, body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
            latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  const elapsed = (performance.now() - began) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), statuses, next: n };
}

async function drive() {
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const kinds = values.kinds.split(',');
  console.log(
    `Webhook ingest: ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; ${concurrency} keep-alive senders, ${seconds} s per server after a 1 s warm-up`,
  );
  const rows: {
    kind: string;
    perSecond: number;
    p50: number;
    p99: number;
    statuses: Record<number, number>;
  }[] = [];
  let n = 0;
  for (const kind of kinds) {
    const { served, stop } = await start(kind);
    try {
      n = (await load(served, 1, concurrency, n)).next;
      const r = await load(served, seconds, concurrency, n);
      n = r.next;
      rows.push({ kind, ...r });
    } finally {
      await stop();
    }
  }
  const floor = rows.find((r) => r.kind === 'sqlite')?.perSecond;
  const bare = rows.find((r) => r.kind === 'bare')?.perSecond;
  for (const r of rows) {
    const ratios = [
      bare ? `${(r.perSecond / bare).toFixed(2)}× bare` : '',
      floor ? `${(r.perSecond / floor).toFixed(2)}× node:sqlite` : '',
    ]
      .filter(Boolean)
      .join(', ');
    console.log(
      `   ${r.kind.padEnd(8)} ${r.perSecond.toFixed(0).padStart(6)} webhooks/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  (${ratios}) statuses ${JSON.stringify(r.statuses)}`,
    );
  }
}
