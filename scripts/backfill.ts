// Backfills past meetings into a workspace through the running service's API, with the same
// progress the admin page shows, in the terminal. The file is streamed to the service, never read
// whole into memory.
//
//   npm run backfill -- --workspace ws_1 --file meetings.ndjson [--dry-run]
//
// Reads SALESCALING_API_TOKEN (the bearer token) and SERVICE_URL (default: PUBLIC_URL, else
// http://localhost:3000) from the environment; --url and --token override them.
import { createReadStream, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';

const HELP = `Usage: npm run backfill -- --workspace <id> --file <meetings.ndjson|meetings.json> [options]

Sends past meetings (NDJSON, one webhook event per line, or a JSON array of events) to the service,
which writes them into Salesforce through the same queue as the webhook (never twice), and shows
the progress until the backfill is done.

Options:
  --workspace <id>   the Salescaling workspace (required)
  --file <path>      the meetings file (required)
  --dry-run          only show what would be written and linked; write nothing
  --url <url>        the service (default: $SERVICE_URL, $PUBLIC_URL or http://localhost:3000)
  --token <token>    the API bearer token (default: $SALESCALING_API_TOKEN)
  --no-wait          start the backfill and exit without following its progress
  -h, --help         this text
`;

interface Progress {
  backfillId: string;
  state: string;
  total: number;
  invalid: number;
  synced: number;
  skipped: number;
  failed: number;
  pending: number;
  percent: number;
  apiCalls: number;
  etaSeconds: number | null;
}

function fail(message: string): never {
  console.error(`backfill: ${message}`);
  process.exit(2);
}

function bar(percent: number, width = 30): string {
  const full = Math.round((percent / 100) * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(percent).padStart(3)}%`;
}

function line(p: Progress): string {
  const eta = p.etaSeconds === null ? '' : `, ETA ${p.etaSeconds}s`;
  return `${bar(p.percent)} ${p.synced} synced, ${p.skipped} skipped, ${p.failed} failed, ${p.pending} to go of ${p.total}, ${p.apiCalls} API calls${eta} (${p.state})`;
}

function contentType(file: string): string {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(64);
  const n = readSync(fd, head, 0, 64, 0);
  closeSync(fd);
  return /^\s*\[/.test(head.subarray(0, n).toString('utf8')) ? 'application/json' : 'application/x-ndjson';
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        workspace: { type: 'string' },
        file: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        url: { type: 'string' },
        token: { type: 'string' },
        'no-wait': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail(`${(err as Error).message}\n\n${HELP}`);
  }
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const workspace = args.workspace ?? fail('--workspace is required (see --help)');
  const file = args.file ?? fail('--file is required (see --help)');
  if (!existsSync(file) || !statSync(file).isFile()) fail(`no file at ${file}`);
  const base = (
    args.url ??
    process.env['SERVICE_URL'] ??
    process.env['PUBLIC_URL'] ??
    'http://localhost:3000'
  ).replace(/\/+$/, '');
  const token =
    args.token ?? process.env['SALESCALING_API_TOKEN'] ?? fail('set SALESCALING_API_TOKEN or pass --token');
  const headers = { authorization: `Bearer ${token}` };
  const ws = encodeURIComponent(workspace);

  const res = await fetch(`${base}/v1/workspaces/${ws}/backfills${args['dry-run'] ? '?dryRun=true' : ''}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': contentType(file) },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const e = answer['error'] as { message?: string } | undefined;
    fail(`the service answered ${res.status}: ${e?.message ?? JSON.stringify(answer)}`);
  }
  const problems = (answer['problems'] as { index: number; message: string }[] | undefined) ?? [];
  for (const p of problems) console.log(`  item ${p.index}: ${p.message}`);

  if (args['dry-run']) {
    const counts = answer['counts'] as Record<string, number>;
    console.log(
      `Dry run, nothing written: ${String(answer['total'])} meetings read, ${String(answer['invalid'])} invalid; ` +
        Object.entries(counts)
          .map(([k, v]) => `${v} ${k.replace(/_/g, ' ')}`)
          .join(', ') +
        `; ${String(answer['apiCalls'])} API calls used to check.`,
    );
    for (const m of answer['meetings'] as {
      meetingId: string;
      action: string;
      linked: { type: string; recordId: string }[];
    }[])
      console.log(
        `  ${m.meetingId}: ${m.action}${m.linked.length ? ` → ${m.linked.map((l) => `${l.type} ${l.recordId}`).join(', ')}` : ''}`,
      );
    return;
  }

  let p = answer['backfill'] as Progress;
  console.log(
    `Backfill ${p.backfillId} started: ${p.total} meetings${p.invalid ? `, ${p.invalid} invalid (skipped)` : ''}.`,
  );
  if (args['no-wait']) return;
  const tty = process.stdout.isTTY;
  for (;;) {
    if (tty) process.stdout.write(`\r${line(p)}\x1b[K`);
    else console.log(line(p));
    if (!['running', 'paused', 'receiving'].includes(p.state)) break;
    await new Promise((r) => setTimeout(r, tty ? 500 : 2000));
    const next = await fetch(`${base}/v1/workspaces/${ws}/backfills/${encodeURIComponent(p.backfillId)}`, {
      headers,
    });
    if (!next.ok) fail(`progress: the service answered ${next.status}`);
    p = (await next.json()) as Progress;
  }
  if (tty) process.stdout.write('\n');
  console.log(`Backfill ${p.state}: ${p.synced} synced, ${p.skipped} skipped, ${p.failed} failed.`);
  if (p.failed > 0) console.log('See the failed meetings and why in the admin page’s sync log.');
}

main().catch((err: unknown) => fail((err as Error).message));
