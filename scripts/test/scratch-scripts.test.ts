import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkMetadataXml } from '../lib/metadata-types.ts';
import { findProjectRoot } from '../lib/project-root.ts';

const run = promisify(execFile);
const root = findProjectRoot();
const dataDir = path.join(root, 'scripts/data');

type TreeRecord = { attributes: { type: string; referenceId: string } } & Record<string, unknown>;
type PlanEntry = { sobject: string; saveRefs: boolean; resolveRefs: boolean; files: string[] };

const plan = JSON.parse(readFileSync(path.join(dataDir, 'sample-data-plan.json'), 'utf8')) as PlanEntry[];
const recordsOf = (entry: PlanEntry): TreeRecord[] =>
  entry.files.flatMap(
    (file) =>
      (JSON.parse(readFileSync(path.join(dataDir, file), 'utf8')) as { records: TreeRecord[] }).records,
  );

describe('the sample data plan (sf data tree import)', () => {
  it('when read, then every entry names files of records of its own object, with unique reference ids', () => {
    expect(plan.map((entry) => entry.sobject)).toEqual([
      'Account',
      'Contact',
      'Opportunity',
      'Event',
      'Task',
    ]);
    const referenceIds = plan.flatMap(recordsOf).map((record) => record.attributes.referenceId);
    expect(new Set(referenceIds).size).toBe(referenceIds.length);
    for (const entry of plan) {
      const records = recordsOf(entry);
      expect(records.length).toBeGreaterThan(0);
      // composite/tree takes at most 200 records per request
      expect(records.length).toBeLessThanOrEqual(200);
      expect(records.every((record) => record.attributes.type === entry.sobject)).toBe(true);
    }
  });

  it('when references are resolved in plan order, then each @ref points to a record saved earlier', () => {
    const saved = new Set<string>();
    for (const entry of plan) {
      const records = recordsOf(entry);
      const refs = records.flatMap((record) =>
        Object.values(record).filter(
          (value): value is string => typeof value === 'string' && value.startsWith('@'),
        ),
      );
      if (refs.length > 0) expect(entry.resolveRefs).toBe(true);
      for (const ref of refs) expect(saved).toContain(ref.slice(1));
      if (entry.saveRefs) records.forEach((record) => saved.add(record.attributes.referenceId));
    }
  });

  it('when the meetings are imported, then they carry the package fields the component needs', () => {
    const fields = new Set(
      readdirSync(path.join(root, 'force-app/main/default/objects/Activity/fields')).map(
        (f) => f.split('.')[0],
      ),
    );
    for (const entry of plan.filter((e) => e.sobject === 'Event' || e.sobject === 'Task')) {
      for (const record of recordsOf(entry)) {
        const custom = Object.keys(record).filter((key) => key.endsWith('__c'));
        expect(custom.filter((key) => !fields.has(key))).toEqual([]);
        expect(record.Salescaling_Meeting_Id__c).toMatch(/^mtg_/);
      }
    }
    for (const event of recordsOf(plan.find((e) => e.sobject === 'Event')!)) {
      expect(event).toEqual(
        expect.objectContaining({ StartDateTime: expect.any(String), DurationInMinutes: expect.any(Number) }),
      );
    }
  });
});

describe('the scratch-org and packaging scripts', () => {
  let bin: string;
  let log: string;
  let captured: string;

  beforeEach(() => {
    bin = mkdtempSync(path.join(tmpdir(), 'salescaling-fake-sf-'));
    log = path.join(bin, 'calls.log');
    captured = path.join(bin, 'eca');
    // A stand-in for the sf CLI: records each call; answers the two calls whose output the script reads.
    writeFileSync(
      path.join(bin, 'sf'),
      `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "${log}"
case "$1 $2" in
  "org display") exit 1 ;;
  "data query") echo '{"status":0,"result":{"records":[{"Id":"0PSDn000001abcdEAA"}]}}' ;;
  "project convert")
    while [[ $# -gt 0 ]]; do
      if [[ "$1" == "--output-dir" ]]; then
        mkdir -p "$2"
        printf '<?xml version="1.0" encoding="UTF-8"?>\\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\\n    <version>66.0</version>\\n</Package>\\n' > "$2/package.xml"
      fi
      shift
    done ;;
  "project deploy")
    while [[ $# -gt 0 ]]; do
      if [[ "$1" == "--metadata-dir" ]]; then mkdir -p "${captured}"; cp -r "$2" "${captured}/$(basename "$2")"; fi
      shift
    done ;;
esac
`,
    );
    chmodSync(path.join(bin, 'sf'), 0o755);
  });
  afterEach(() => rmSync(bin, { recursive: true, force: true }));

  it('when the scratch script runs, then it logs in, creates the org, deploys, assigns, configures the app and imports the data, in that order', async () => {
    await run('bash', ['scripts/scratch-org.sh'], {
      cwd: root,
      env: { ...process.env, SF: path.join(bin, 'sf'), NO_OPEN: '1', PUBLIC_URL: 'https://sync.example.com' },
      timeout: 120_000,
    });

    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls).toEqual([
      'org display --target-org SalescalingDevHub --json',
      'org login web --set-default-dev-hub --alias SalescalingDevHub',
      'org create scratch --definition-file config/project-scratch-def.json --alias salescaling --target-dev-hub SalescalingDevHub --duration-days 7 --set-default --wait 15',
      expect.stringMatching(/^project convert source --source-dir force-app --output-dir \S+\/package$/),
      expect.stringMatching(
        /^project deploy start --metadata-dir \S+\/package --target-org salescaling --wait 30$/,
      ),
      'org assign permset --name Salescaling_Integration_User --name Salescaling_Recordings_Viewer --target-org salescaling',
      "data query --target-org salescaling --json --query SELECT Id FROM PermissionSet WHERE Name = 'Salescaling_Integration_User'",
      expect.stringMatching(
        /^project deploy start --metadata-dir \S+\/policies --target-org salescaling --wait 30$/,
      ),
      'data tree import --plan scripts/data/sample-data-plan.json --target-org salescaling',
    ]);

    // The package deploy carries the OAuth consumer, built on PUBLIC_URL, listed in its manifest.
    const global = readFileSync(
      path.join(
        captured,
        'package/extlClntAppGlobalOauthSets/Salescaling_for_Salesforce_glbloauth.ecaGlblOauth',
      ),
      'utf8',
    );
    expect(global).toContain('<callbackUrl>https://sync.example.com/oauth/salesforce/callback</callbackUrl>');
    expect(checkMetadataXml(global)).toEqual([]);
    const manifest = readFileSync(path.join(captured, 'package/package.xml'), 'utf8');
    expect(manifest).toContain('<members>Salescaling_for_Salesforce_glbloauth</members>');
    expect(manifest.indexOf('<types>')).toBeLessThan(manifest.indexOf('<version>'));
    // The policies deploy pre-authorizes the integration permission set it looked up.
    const policies = readFileSync(
      path.join(
        captured,
        'policies/extlClntAppOauthPolicies/Salescaling_for_Salesforce_oauthPlcy.ecaOauthPlcy',
      ),
      'utf8',
    );
    expect(policies).toContain(
      '<commaSeparatedPermissionSet>0PSDn000001abcdEAA</commaSeparatedPermissionSet>',
    );
    expect(policies).toContain(
      '<permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>',
    );
    expect(checkMetadataXml(policies)).toEqual([]);
    // the component's compiled JavaScript was built before the deploy
    expect(
      existsSync(
        path.join(root, 'force-app/main/default/lwc/salescalingRecordings/salescalingRecordings.js'),
      ),
    ).toBe(true);
  }, 150_000);

  it('when packaging without a namespace in sfdx-project.json, then the script stops and says why, before calling sf', async () => {
    const namespace = JSON.parse(readFileSync(path.join(root, 'sfdx-project.json'), 'utf8')).namespace;
    expect(namespace).toBe('');

    await expect(
      run('bash', ['scripts/package.sh', 'create'], {
        cwd: root,
        env: { ...process.env, SF: path.join(bin, 'sf') },
      }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('sfdx-project.json has no namespace'),
    });
    expect(existsSync(log)).toBe(false);
  });
});
