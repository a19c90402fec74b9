// The External Client App's org-side settings, which are not packaged and never committed:
//  - ExtlClntAppGlobalOauthSettings: the OAuth consumer (callback URL, PKCE, secret rules; Salesforce
//    adds the consumer key and secret). It "can't be packaged and must not be added to source
//    control". https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappglobaloauthsettings.htm
//    Deployed together with the app's header and OAuth settings (which carry no oauthLink), it
//    gives the org an OAuth consumer of its own and Salesforce generates the link.
//    https://help.salesforce.com/s/articleView?id=xcloud.deploy_external_client_app_with_global_settings_file.htm
//  - the admin's policies (ExtlClntAppConfigurablePolicies, ExtlClntAppOauthConfigurablePolicies),
//    which belong to the org that uses the app, not to the package.
//    https://help.salesforce.com/s/articleView?id=xcloud.meta_enable_oauth_plugin.htm
// scripts/scratch-org.sh uses both for a scratch org; in a customer's org the admin sets the
// policies in Setup (docs/admin-guide.md).
//
//   npx node scripts/eca-local.ts --public-url URL --into MDAPI_DIR      add the OAuth consumer to a converted package
//   npx node scripts/eca-local.ts --permission-set-id 0PS… --out DIR    write the OAuth policies as a deployable folder
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runIfMain } from './lib/cli.ts';

export const ECA_NAME = 'Salescaling_for_Salesforce';
export const CALLBACK_PATH = '/oauth/salesforce/callback';
const API_VERSION = '66.0';
const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';

/** Metadata API files (path inside an mdapi folder → content) and the package.xml members they add. */
export type MetadataFiles = { files: Record<string, string>; types: { name: string; member: string }[] };

const xmlEscape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** PUBLIC_URL + /oauth/salesforce/callback, exactly as the service builds its redirect_uri. */
export function callbackUrl(publicUrl: string): string {
  const base = new URL(publicUrl);
  if (base.protocol !== 'https:' && base.hostname !== 'localhost' && base.hostname !== '127.0.0.1') {
    throw new Error(`PUBLIC_URL must be https (or localhost for development): ${publicUrl}`);
  }
  return `${base.href.replace(/\/+$/, '')}${CALLBACK_PATH}`;
}

/** The OAuth consumer and the plugin switch, to deploy with the app itself. */
export function ecaConsumerMetadata(options: { publicUrl: string }): MetadataFiles {
  return {
    types: [
      { name: 'ExtlClntAppGlobalOauthSettings', member: `${ECA_NAME}_glbloauth` },
      { name: 'ExtlClntAppConfigurablePolicies', member: `${ECA_NAME}_plcy` },
    ],
    files: {
      [`extlClntAppGlobalOauthSets/${ECA_NAME}_glbloauth.ecaGlblOauth`]: `${HEADER}<ExtlClntAppGlobalOauthSettings ${NS}>
    <callbackUrl>${xmlEscape(callbackUrl(options.publicUrl))}</callbackUrl>
    <externalClientApplication>${ECA_NAME}</externalClientApplication>
    <isClientCredentialsFlowEnabled>false</isClientCredentialsFlowEnabled>
    <isConsumerSecretOptional>false</isConsumerSecretOptional>
    <isIntrospectAllTokens>false</isIntrospectAllTokens>
    <isPkceRequired>true</isPkceRequired>
    <isSecretRequiredForRefreshToken>true</isSecretRequiredForRefreshToken>
    <label>Salescaling for Salesforce</label>
</ExtlClntAppGlobalOauthSettings>
`,
      [`extlClntAppPolicies/${ECA_NAME}_plcy.ecaPlcy`]: `${HEADER}<ExtlClntAppConfigurablePolicies ${NS}>
    <externalClientApplication>${ECA_NAME}</externalClientApplication>
    <isEnabled>true</isEnabled>
    <isOauthPluginEnabled>true</isOauthPluginEnabled>
    <label>Salescaling for Salesforce</label>
</ExtlClntAppConfigurablePolicies>
`,
    },
  };
}

/**
 * The admin's OAuth policies: only holders of Salescaling_Integration_User may connect (they are
 * pre-authorized), and the refresh token lasts until revoked so meetings keep syncing.
 */
export function ecaOauthPoliciesMetadata(options: { integrationPermissionSetId: string }): MetadataFiles {
  return {
    types: [{ name: 'ExtlClntAppOauthConfigurablePolicies', member: `${ECA_NAME}_oauthPlcy` }],
    files: {
      [`extlClntAppOauthPolicies/${ECA_NAME}_oauthPlcy.ecaOauthPlcy`]: `${HEADER}<ExtlClntAppOauthConfigurablePolicies ${NS}>
    <commaSeparatedPermissionSet>${xmlEscape(options.integrationPermissionSetId)}</commaSeparatedPermissionSet>
    <externalClientApplication>${ECA_NAME}</externalClientApplication>
    <ipRelaxationPolicyType>Enforce</ipRelaxationPolicyType>
    <label>Salescaling for Salesforce</label>
    <permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>
    <refreshTokenPolicyType>Infinite</refreshTokenPolicyType>
</ExtlClntAppOauthConfigurablePolicies>
`,
    },
  };
}

function typesXml(types: MetadataFiles['types']): string {
  return types
    .map(
      ({ name, member }) =>
        `    <types>\n        <members>${member}</members>\n        <name>${name}</name>\n    </types>\n`,
    )
    .join('');
}

/**
 * Writes the files into an mdapi folder: into its package.xml when there is one (as
 * `sf project convert source` leaves it), else a new package.xml.
 */
export function writeMetadata(dir: string, metadata: MetadataFiles): string[] {
  const written = Object.entries(metadata.files).map(([name, content]) => {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    return file;
  });
  const manifest = path.join(dir, 'package.xml');
  const existing = existsSync(manifest)
    ? readFileSync(manifest, 'utf8')
    : `${HEADER}<Package ${NS}>\n    <version>${API_VERSION}</version>\n</Package>\n`;
  const at = existing.indexOf('    <version>');
  if (at < 0) throw new Error(`${manifest} has no <version> element`);
  writeFileSync(manifest, existing.slice(0, at) + typesXml(metadata.types) + existing.slice(at));
  return [...written, manifest];
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function main(): void {
  const publicUrl = argument('--public-url');
  const into = argument('--into');
  const permissionSetId = argument('--permission-set-id');
  const out = argument('--out');
  if (publicUrl && into) {
    writeMetadata(into, ecaConsumerMetadata({ publicUrl }));
    console.log(`Added the OAuth consumer (callback ${callbackUrl(publicUrl)}) to ${into}`);
  } else if (permissionSetId && out) {
    writeMetadata(out, ecaOauthPoliciesMetadata({ integrationPermissionSetId: permissionSetId }));
    console.log(`Wrote the OAuth policies to ${out}`);
  } else {
    console.error(
      'Usage: npx node scripts/eca-local.ts --public-url URL --into MDAPI_DIR\n' +
        '       npx node scripts/eca-local.ts --permission-set-id ID --out DIR',
    );
    process.exit(2);
  }
}

runIfMain('eca-local.ts', main);
