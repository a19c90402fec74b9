import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ecaConsumerMetadata, ecaOauthPoliciesMetadata, writeMetadata } from '../eca-local.ts';
import { buildLwc } from '../lwc-build.ts';
import { checkMetadataFile, checkMetadataXml, checkScratchSettings } from '../lib/metadata-types.ts';
import { findProjectRoot } from '../lib/project-root.ts';
import { SF_QUIET_ENV } from '../lib/sf-env.ts';

const run = promisify(execFile);
const root = findProjectRoot();
const forceApp = path.join(root, 'force-app');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

const metadataFiles = filesUnder(path.join(forceApp, 'main')).filter((file) => file.endsWith('-meta.xml'));
const relative = (file: string) => path.relative(root, file);

describe('the package metadata', () => {
  let converted: string;

  beforeAll(async () => {
    buildLwc(root);
    converted = mkdtempSync(path.join(tmpdir(), 'salescaling-mdapi-'));
    // The sf CLI in node_modules, on the Node that runs this test (24), as `npx sf` would.
    await run(
      process.execPath,
      [
        path.join(root, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js'),
        'project',
        'convert',
        'source',
        '--source-dir',
        'force-app',
        '--output-dir',
        converted,
        '--json',
      ],
      {
        cwd: root,
        env: { ...process.env, ...SF_QUIET_ENV },
        timeout: 180_000,
      },
    );
  }, 200_000);

  afterAll(() => {
    if (converted) rmSync(converted, { recursive: true, force: true });
  });

  it('when sf converts the source to Metadata API format, then the package holds exactly its components', () => {
    const manifest = new XMLParser({ parseTagValue: false }).parse(
      readFileSync(path.join(converted, 'package.xml'), 'utf8'),
    ) as {
      Package: { types: { name: string; members: string | string[] }[]; version: number };
    };
    const members = Object.fromEntries(
      manifest.Package.types.map((t) => [t.name, ([] as string[]).concat(t.members).sort()]),
    );
    expect(members).toEqual({
      CustomField: [
        'Activity.Salescaling_Attendees__c',
        'Activity.Salescaling_Meeting_Id__c',
        'Activity.Salescaling_Recording_Url__c',
        'Activity.Salescaling_Summary_Preview__c',
      ],
      ExternalClientApplication: ['Salescaling_for_Salesforce'],
      ExtlClntAppOauthSettings: ['Salescaling_for_Salesforce_oauth'],
      LightningComponentBundle: ['salescalingErrorPanel', 'salescalingRecordings', 'salescalingUtils'],
      PermissionSet: [
        'Salescaling_Contact_Creation',
        'Salescaling_Integration_User',
        'Salescaling_Recordings_Viewer',
      ],
    });
    expect(String(manifest.Package.version)).toBe(
      JSON.parse(readFileSync(path.join(root, 'sfdx-project.json'), 'utf8')).sourceApiVersion,
    );
  });

  it('when converted, then each component ships compiled JavaScript and none of its TypeScript, tests or mocks', () => {
    const shipped = filesUnder(path.join(converted, 'lwc')).map((file) => path.relative(converted, file));
    expect(shipped.filter((file) => file.endsWith('.js')).sort()).toEqual([
      'lwc/salescalingErrorPanel/salescalingErrorPanel.js',
      // The card's query document and variables, a module of the component's bundle.
      'lwc/salescalingRecordings/meetingsQuery.js',
      'lwc/salescalingRecordings/salescalingRecordings.js',
      'lwc/salescalingUtils/salescalingUtils.js',
    ]);
    expect(shipped.filter((file) => /\.ts$|__tests__|jest|tsconfig/.test(file))).toEqual([]);
    // What ships is what the source says now: the decorator and the query are in the compiled file.
    const compiled = readFileSync(
      path.join(converted, 'lwc/salescalingRecordings/salescalingRecordings.js'),
      'utf8',
    );
    expect(compiled).toContain("@wire(graphql, { query: MEETINGS_QUERY, variables: '$variables'");
    expect(compiled).not.toMatch(/:\s*(string|number|boolean)\b[;,)]/);
  });

  it('when the global OAuth settings are looked for, then they are neither in the source nor in the package', () => {
    const all = [...filesUnder(forceApp), ...filesUnder(converted)].map(relative);
    expect(
      all.filter((file) => /ecaGlblOauth|extlClntAppGlobalOauthSets|consumerSecret/i.test(file)),
    ).toEqual([]);
    for (const file of filesUnder(path.join(forceApp, 'main'))) {
      expect(readFileSync(file, 'utf8')).not.toMatch(/<consumer(Key|Secret)>/);
    }
  });

  it('when every XML file is parsed, then each is well-formed', () => {
    const xmlFiles = [
      ...metadataFiles,
      ...filesUnder(converted).filter((file) => !file.endsWith('.js') && !file.endsWith('.html')),
    ];
    const broken = xmlFiles
      .map((file) => ({ file: relative(file), result: XMLValidator.validate(readFileSync(file, 'utf8')) }))
      .filter(({ result }) => result !== true);
    expect(broken).toEqual([]);
    expect(xmlFiles.length).toBeGreaterThan(10);
  });

  it.each(metadataFiles.map((file) => [relative(file), file]))(
    'when %s is checked against the Metadata API types, then every element and value is valid',
    (_name, file) => {
      expect(checkMetadataFile(file)).toEqual([]);
    },
  );

  it('when an element is misspelled or a value is out of range, then the check names it', () => {
    const field = readFileSync(
      path.join(forceApp, 'main/default/objects/Activity/fields/Salescaling_Meeting_Id__c.field-meta.xml'),
      'utf8',
    );
    expect(checkMetadataXml(field.replace(/externalId>/g, 'externalID>').replace('>Text<', '>Txt<'))).toEqual(
      [
        { path: 'CustomField.externalID', message: 'unknown element <externalID>' },
        { path: 'CustomField.type', message: expect.stringMatching(/^"Txt" is not one of .*\bText\b/) },
      ],
    );
  });

  it('when the Activity fields are read, then they are what the service and the local org rely on', () => {
    const field = (name: string) =>
      new XMLParser({ parseTagValue: false }).parse(
        readFileSync(
          path.join(forceApp, `main/default/objects/Activity/fields/${name}.field-meta.xml`),
          'utf8',
        ),
      ).CustomField as Record<string, string>;
    expect(field('Salescaling_Meeting_Id__c')).toMatchObject({
      type: 'Text',
      length: '255',
      externalId: 'true',
    });
    // Not unique: activity custom fields do not offer the Unique attribute, and a package that does not
    // deploy is worse than anything; the service keeps each meeting written once itself (issue 14).
    expect(field('Salescaling_Meeting_Id__c')).not.toHaveProperty('unique');
    expect(field('Salescaling_Meeting_Id__c')).not.toHaveProperty('caseSensitive');
    expect(field('Salescaling_Recording_Url__c')).toMatchObject({ type: 'Url' });
    expect(field('Salescaling_Summary_Preview__c')).toMatchObject({ type: 'Text', length: '255' });
    expect(field('Salescaling_Attendees__c')).toMatchObject({ type: 'Text', length: '255' });
  });

  it('when the component is offered in Lightning App Builder, then its property exists and it targets the three record pages', () => {
    const meta = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      readFileSync(
        path.join(forceApp, 'main/default/lwc/salescalingRecordings/salescalingRecordings.js-meta.xml'),
        'utf8',
      ),
    ).LightningComponentBundle;
    const config = meta.targetConfigs.targetConfig;
    expect(config.targets).toBe('lightning__RecordPage');
    expect(config.objects.object).toEqual(['Account', 'Contact', 'Opportunity']);
    expect(config.property).toMatchObject({ name: 'maxMeetings', type: 'Integer', min: '1', max: '50' });
    const source = readFileSync(
      path.join(forceApp, 'main/default/lwc/salescalingRecordings/salescalingRecordings.ts'),
      'utf8',
    );
    expect(source).toMatch(new RegExp(`@api ${config.property.name}\\b`));
  });

  it('when the scratch-org definition is checked, then Shared Activities and Enhanced Notes are on, by settings that exist', () => {
    const definition = JSON.parse(readFileSync(path.join(root, 'config/project-scratch-def.json'), 'utf8'));
    expect(checkScratchSettings(definition.settings)).toEqual([]);
    expect(definition.settings.activitiesSettings.allowUsersToRelateMultipleContactsToTasksAndEvents).toBe(
      true,
    );
    expect(definition.settings.enhancedNotesSettings.enableEnhancedNotes).toBe(true);
  });

  it('when the org-side External Client App settings are generated, then they are valid, require PKCE and call back to the service', () => {
    const consumer = ecaConsumerMetadata({ publicUrl: 'https://sync.example.com' });
    const policies = ecaOauthPoliciesMetadata({ integrationPermissionSetId: '0PSDn000001abcdEAA' });
    for (const [name, xml] of Object.entries({ ...consumer.files, ...policies.files })) {
      expect({ name, problems: checkMetadataXml(xml) }).toEqual({ name, problems: [] });
    }
    const global =
      consumer.files['extlClntAppGlobalOauthSets/Salescaling_for_Salesforce_glbloauth.ecaGlblOauth']!;
    expect(global).toContain('<callbackUrl>https://sync.example.com/oauth/salesforce/callback</callbackUrl>');
    expect(global).toContain('<isPkceRequired>true</isPkceRequired>');
    expect(global).not.toMatch(/consumer(Key|Secret)/);
    expect(consumer.types.map((t) => t.name)).toEqual([
      'ExtlClntAppGlobalOauthSettings',
      'ExtlClntAppConfigurablePolicies',
    ]);
  });

  it('when the package is searched for Apex, then there is none', () => {
    const all = filesUnder(forceApp);
    expect(all.filter((file) => /\.(cls|trigger|apex)(-meta\.xml)?$/.test(file)).map(relative)).toEqual([]);
    expect(existsSync(path.join(converted, 'classes'))).toBe(false);
    expect(existsSync(path.join(converted, 'triggers'))).toBe(false);
    const sources = all.filter((file) => /\/lwc\/.*\.(ts|js|html)$/.test(file));
    expect(
      sources.filter((file) => readFileSync(file, 'utf8').includes('@salesforce/apex')).map(relative),
    ).toEqual([]);
  });

  it('when the OAuth consumer is added to the converted package for a scratch org, then its manifest lists the package and the consumer', () => {
    writeMetadata(converted, ecaConsumerMetadata({ publicUrl: 'http://localhost:3000' }));

    const manifest = readFileSync(path.join(converted, 'package.xml'), 'utf8');
    expect(XMLValidator.validate(manifest)).toBe(true);
    const types = new XMLParser().parse(manifest).Package.types as { name: string }[];
    expect(types.map((t) => t.name)).toEqual([
      'CustomField',
      'ExternalClientApplication',
      'ExtlClntAppOauthSettings',
      'LightningComponentBundle',
      'PermissionSet',
      'ExtlClntAppGlobalOauthSettings',
      'ExtlClntAppConfigurablePolicies',
    ]);
  });
});
