/**
 * `npm run emulator -- [flags]`: starts the local org and prints how to reach it.
 * With --json, the first line of output is exactly {"url","username","password","clientId","clientSecret"}.
 */
import { parseArgs } from 'node:util';
import { parseKnobs } from './knobs.ts';
import { startLocalOrg, type LocalOrgOptions } from './index.ts';

const HELP = `Usage: npm run emulator -- [options]

  --port N               port (default 8484; 0 picks a free one)
  --host ADDR            bind address (default 127.0.0.1)
  --username U           admin username
  --password P           admin password
  --client-id ID         the client app's consumer key
  --client-secret S      the client app's consumer secret
  --redirect-uri URL     an accepted OAuth callback URL (repeatable)
  --auto-approve         skip the login and consent page
  --data FILE            keep the org's data in FILE (default: in memory)
  --json                 print the connection details as one JSON line
  --latency-ms N         delay added to every API call
  --failure-rate R       share (0-1) of API calls failing transiently
  --failure-kinds LIST   comma list of UNABLE_TO_LOCK_ROW,503,REQUEST_LIMIT_EXCEEDED
  --token-lifetime S     access token lifetime in seconds (default 7200)
  --daily-api-limit N    API calls allowed per day (default 15000)
  --concurrent-limit N   API calls served at once (default 25)
  --no-shared-activities turn Shared Activities off
  --no-package           behave as if the package were not installed
`;

function parseFlags() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '8484' },
        host: { type: 'string', default: '127.0.0.1' },
        username: { type: 'string' },
        password: { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'auto-approve': { type: 'boolean', default: false },
        data: { type: 'string' },
        json: { type: 'boolean', default: false },
        'latency-ms': { type: 'string' },
        'failure-rate': { type: 'string' },
        'failure-kinds': { type: 'string' },
        'token-lifetime': { type: 'string' },
        'daily-api-limit': { type: 'string' },
        'concurrent-limit': { type: 'string' },
        'no-shared-activities': { type: 'boolean', default: false },
        'no-package': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (e) {
    console.error(`emulator: ${e instanceof Error ? e.message : String(e)} (see --help)`);
    process.exit(2);
  }
}

const { values } = parseFlags();

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const rawKnobs: Record<string, unknown> = {};
if (values['latency-ms'] !== undefined) rawKnobs.latencyMs = values['latency-ms'];
if (values['failure-rate'] !== undefined) rawKnobs.failureRate = values['failure-rate'];
if (values['failure-kinds'] !== undefined) rawKnobs.failureKinds = values['failure-kinds'];
if (values['token-lifetime'] !== undefined) rawKnobs.accessTokenLifetimeSec = values['token-lifetime'];
if (values['daily-api-limit'] !== undefined) rawKnobs.dailyApiLimit = values['daily-api-limit'];
if (values['concurrent-limit'] !== undefined) rawKnobs.concurrentRequestLimit = values['concurrent-limit'];
if (values['no-shared-activities']) rawKnobs.sharedActivities = false;
if (values['no-package']) rawKnobs.packageInstalled = false;

let options: LocalOrgOptions;
try {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be a port number');
  options = { port, host: values.host, autoApprove: values['auto-approve'], knobs: parseKnobs(rawKnobs) };
  if (values.username !== undefined) options.username = values.username;
  if (values.password !== undefined) options.password = values.password;
  if (values['client-id'] !== undefined) options.clientId = values['client-id'];
  if (values['client-secret'] !== undefined) options.clientSecret = values['client-secret'];
  if (values['redirect-uri'] !== undefined) options.redirectUris = values['redirect-uri'];
  if (values.data !== undefined) options.dataFile = values.data;
} catch (e) {
  console.error(`emulator: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}

const org = await startLocalOrg(options).catch((e: unknown) => {
  console.error(`emulator: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
const details = {
  url: org.url,
  username: org.username,
  password: org.password,
  clientId: org.clientId,
  clientSecret: org.clientSecret,
};
if (values.json) console.log(JSON.stringify(details));
else {
  console.log(`Local org listening on ${org.url}`);
  console.log(`  username       ${org.username}`);
  console.log(`  password       ${org.password}`);
  console.log(`  client id      ${org.clientId}`);
  console.log(`  client secret  ${org.clientSecret}`);
  console.log(`  org id         ${org.orgId}`);
  console.log(`  control        ${org.url}/__control/knobs, ${org.url}/__control/counters`);
}

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  // Exit 3 when any request was answered 500 UNKNOWN_EXCEPTION: a script or test that started the
  // org as a child process sees that it hit a bug in the local org.
  const unexpected = org.unexpectedErrors();
  if (unexpected.length > 0) {
    console.error(
      `emulator: ${unexpected.length} request(s) answered 500 UNKNOWN_EXCEPTION (a bug in the local org): ${unexpected
        .map((u) => `${u.method} ${u.path} [${u.errorId}] ${u.message}`)
        .join('; ')}`,
    );
  }
  org.stop().then(
    () => process.exit(unexpected.length > 0 ? 3 : 0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
