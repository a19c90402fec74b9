/**
 * `npm run emulator -- [flags]`: starts the local org and prints how to reach it.
 * With --json, the first line of output is exactly {"url","username","password","clientId","clientSecret"}.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseKnobs } from './knobs.ts';
import { startLocalOrg, type LocalOrgOptions } from './index.ts';
import { seed, SEEDS, type SeedName } from './seed/demo.ts';

/**
 * Callback URLs accepted when no --redirect-uri is given: the sf CLI's (`sf org login web`) and the
 * service's own default (PUBLIC_URL http://localhost:3000 + /oauth/salesforce/callback), so that
 * README's "run the service against the local org" works without flags.
 */
const DEFAULT_REDIRECT_URIS = [
  'http://localhost:1717/OauthRedirect',
  'http://localhost:3000/oauth/salesforce/callback',
];

const HELP = `Usage: npm run emulator -- [options]

  --port N               port (default 8484; 0 picks a free one)
  --host ADDR            bind address (default 127.0.0.1)
  --username U           admin username (default admin@salescaling.localorg)
  --password P           admin password (default: random, printed)
  --client-id ID         the client app's consumer key (default: random, printed)
  --client-secret S      the client app's consumer secret (default: random, printed)
  --redirect-uri URL     an accepted OAuth callback URL (repeatable; default
                         http://localhost:1717/OauthRedirect (sf CLI) and
                         http://localhost:3000/oauth/salesforce/callback (the service))
  --seed demo            add the demo's Accounts, Contacts, Opportunities and Lead
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
  --sharing LIST         organization-wide defaults, e.g. Account=Private,Activity=Private
                         (Account/Opportunity/Lead: Private|Read|ReadWrite; Contact also
                         ControlledByParent; Activity: Private|ControlledByParent)

  A customer's own rules on Event/Task (repeatable; see docs/local-org.md, "Customer rules"):
  --validation-rule SPEC      Object.RuleName:Field:Message — refuses a write where Field is blank
                              (FIELD_CUSTOM_VALIDATION_EXCEPTION with Message)
  --required-field SPEC       Object.Field__c — a required custom field (REQUIRED_FIELD_MISSING)
  --picklist SPEC             Object.Field=A,B,C — the picklist's values (unrestricted)
  --restricted-picklist SPEC  Object.Field=A,B,C — the same, restricted
                              (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST)
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
        seed: { type: 'string' },
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
        sharing: { type: 'string' },
        'validation-rule': { type: 'string', multiple: true },
        'required-field': { type: 'string', multiple: true },
        picklist: { type: 'string', multiple: true },
        'restricted-picklist': { type: 'string', multiple: true },
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
if (values.sharing !== undefined) rawKnobs.sharing = values.sharing;

/** The customer-rule flags as the customerRules knob's JSON (parseKnobs validates it). */
function customerRuleFlags(): Record<string, unknown> | undefined {
  const rules = values['validation-rule'] ?? [];
  const required = values['required-field'] ?? [];
  const lists = [
    ...(values.picklist ?? []).map((s) => ({ s, restricted: false })),
    ...(values['restricted-picklist'] ?? []).map((s) => ({ s, restricted: true })),
  ];
  if (rules.length + required.length + lists.length === 0) return undefined;
  const bad = (flag: string, s: string) => new Error(`--${flag} ${s}: see --help for its form`);
  return {
    validationRules: rules.map((s) => {
      const m = /^(\w+)\.(\w+):(\w+):(.+)$/.exec(s);
      if (!m) throw bad('validation-rule', s);
      return { object: m[1], name: m[2], blankField: m[3], message: m[4], errorDisplayField: m[3] };
    }),
    requiredFields: required.map((s) => {
      const m = /^(\w+)\.(\w+)$/.exec(s);
      if (!m) throw bad('required-field', s);
      return { object: m[1], field: m[2] };
    }),
    picklists: lists.map(({ s, restricted }) => {
      const m = /^(\w+)\.(\w+)=(.+)$/.exec(s);
      if (!m) throw bad(restricted ? 'restricted-picklist' : 'picklist', s);
      return { object: m[1], field: m[2], values: m[3]!.split(',').map((v) => v.trim()), restricted };
    }),
  };
}

let options: LocalOrgOptions;
let seedName: SeedName | undefined;
try {
  if (values.seed !== undefined) {
    if (!(SEEDS as readonly string[]).includes(values.seed)) {
      throw new Error(`--seed must be one of: ${SEEDS.join(', ')}`);
    }
    seedName = values.seed as SeedName;
    // Seeding a kept data file at every start would add the same records again and again.
    if (values.data !== undefined && existsSync(values.data)) {
      throw new Error(
        `--seed adds records; ${values.data} already holds an org (seed it once, when the file is new)`,
      );
    }
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be a port number');
  const customer = customerRuleFlags();
  if (customer) rawKnobs.customerRules = customer;
  options = { port, host: values.host, autoApprove: values['auto-approve'], knobs: parseKnobs(rawKnobs) };
  if (values.username !== undefined) options.username = values.username;
  if (values.password !== undefined) options.password = values.password;
  if (values['client-id'] !== undefined) options.clientId = values['client-id'];
  if (values['client-secret'] !== undefined) options.clientSecret = values['client-secret'];
  options.redirectUris = values['redirect-uri'] ?? DEFAULT_REDIRECT_URIS;
  if (values.data !== undefined) options.dataFile = values.data;
} catch (e) {
  console.error(`emulator: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}

const org = await startLocalOrg(options).catch((e: unknown) => {
  console.error(`emulator: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
const seeded = seedName ? seed(org, seedName) : undefined;
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
  console.log(`  redirect URIs  ${(options.redirectUris ?? []).join(', ')}`);
  if (seeded) {
    const counts = Object.entries(seeded).map(([object, ids]) => `${ids.length} ${object}`);
    console.log(`  seeded         ${counts.join(', ')} (--seed ${seedName ?? ''})`);
  }
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
