/**
 * Simple-read throughput of the local org: the org runs in its own process (as in the demo), and this
 * process keeps C concurrent keep-alive connections busy with GET sobjects/Account/{id} for D seconds.
 * Usage: node emulator/bench/reads.ts [--concurrency 32] [--seconds 10] [--kind record|query]
 * (`query` runs `SELECT Id, Name FROM Account WHERE Id = '…'` instead of the record read).
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `Usage: node emulator/bench/reads.ts [options]   (npm run bench runs every benchmark)
  --concurrency N   keep-alive connections kept busy (default 32)
  --seconds N       how long to measure (default 10)
  --kind K          record (GET sobjects/Account/{id}) or query (SELECT … WHERE Id = …) (default record)
  --help            this text`;

function parseFlags() {
  try {
    return parseArgs({
      options: {
        concurrency: { type: 'string', default: '32' },
        seconds: { type: 'string', default: '10' },
        kind: { type: 'string', default: 'record' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)} (see --help)`);
    process.exit(2);
  }
}

const { values } = parseFlags();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const root = join(import.meta.dirname, '..', '..');

const child = spawn(
  join(root, 'node_modules', '.bin', 'node'),
  [
    join(root, 'emulator', 'src', 'cli.ts'),
    '--port',
    '0',
    '--json',
    '--daily-api-limit',
    '100000000',
    '--concurrent-limit',
    '1000',
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const details = await new Promise<{
  url: string;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
}>((resolve) => {
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
  });
});

const tokenRes = await fetch(`${details.url}/services/oauth2/token`, {
  method: 'POST',
  body: new URLSearchParams({
    grant_type: 'password',
    client_id: details.clientId,
    client_secret: details.clientSecret,
    username: details.username,
    password: details.password,
  }),
});
const { access_token: token } = (await tokenRes.json()) as { access_token: string };
const created = await fetch(`${details.url}/services/data/v66.0/sobjects/Account`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ Name: 'Bench' }),
});
const { id } = (await created.json()) as { id: string };

const soql = `SELECT Id, Name FROM Account WHERE Id = '${id}'`;
const url = new URL(
  values.kind === 'query'
    ? `${details.url}/services/data/v66.0/query?q=${encodeURIComponent(soql)}`
    : `${details.url}/services/data/v66.0/sobjects/Account/${id}`,
);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const get = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });

let ok = 0;
let failed = 0;
const latencies: number[] = [];
const deadline = Date.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline) {
      const t0 = performance.now();
      const status = await get();
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
    kind: values.kind,
    concurrency,
    seconds,
    requests: ok + failed,
    failed,
    perSecond: Math.round((ok + failed) / seconds),
    p50ms: pct(50),
    p99ms: pct(99),
  }),
);
agent.destroy();
child.kill('SIGTERM');
