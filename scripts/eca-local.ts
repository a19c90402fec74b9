// The External Client App's org-side settings, which are not packaged and never committed:
//  - ExtlClntAppGlobalOauthSettings (callback URL, PKCE, secret rules). Salesforce keeps the
//    consumer key and secret in it; they "can't be packaged and must not be added to source
//    control". https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappglobaloauthsettings.htm
//  - the admin's policies (ExtlClntAppConfigurablePolicies, ExtlClntAppOauthConfigurablePolicies),
//    which belong to the org that installs the app, not to the package.
//    https://help.salesforce.com/s/articleView?id=xcloud.meta_enable_oauth_plugin.htm
// This writes them as a Metadata API (mdapi) folder for `sf project deploy start --metadata-dir`,
// which scripts/scratch-org.sh does for a scratch org. In a customer's org the admin sets the same
// values in Setup (docs/admin-guide.md).
//
//   npx node scripts/eca-local.ts --public-url https://salescaling.example.com --out DIR [--permission-set-id 0PS…]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ECA_NAME = 'Salescaling_for_Salesforce';
export const CALLBACK_PATH = '/oauth/salesforce/callback';
const API_VERSION = '66.0';

export type EcaLocalOptions = {
  /** The service's PUBLIC_URL; the callback is PUBLIC_URL + /oauth/salesforce/callback. */
  publicUrl: string;
  /** Id of the Salescaling_Integration_User permission set: only its holders may connect. */
  integrationPermissionSetId?: string;
};

const xmlEscape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function callbackUrl(publicUrl: string): string {
  const base = new URL(publicUrl);
  if (base.protocol !== 'https:' && base.hostname !== 'localhost' && base.hostname !== '127.0.0.1') {
    throw new Error(`PUBLIC_URL must be https (or localhost for development): ${publicUrl}`);
  }
  // PUBLIC_URL + /oauth/salesforce/callback, exactly as the service builds its redirect_uri.
  return `${base.href.replace(/\/+$/, '')}${CALLBACK_PATH}`;
}

/** File path (inside the mdapi folder) → content. */
export function ecaLocalMetadata(options: EcaLocalOptions): Record<string, string> {
  const header = '<?xml version="1.0" encoding="UTF-8"?>\n';
  const ns = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
  const permissionSet = options.integrationPermissionSetId
    ? `    <commaSeparatedPermissionSet>${xmlEscape(options.integrationPermissionSetId)}</commaSeparatedPermissionSet>\n`
    : '';
  return {
    'package.xml': `${header}<Package ${ns}>
    <types>
        <members>${ECA_NAME}_glbloauth</members>
        <name>ExtlClntAppGlobalOauthSettings</name>
    </types>
    <types>
        <members>${ECA_NAME}_plcy</members>
        <name>ExtlClntAppConfigurablePolicies</name>
    </types>
    <types>
        <members>${ECA_NAME}_oauthPlcy</members>
        <name>ExtlClntAppOauthConfigurablePolicies</name>
    </types>
    <version>${API_VERSION}</version>
</Package>
`,
    [`extlClntAppGlobalOauthSets/${ECA_NAME}_glbloauth.ecaGlblOauth`]: `${header}<ExtlClntAppGlobalOauthSettings ${ns}>
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
    [`extlClntAppPolicies/${ECA_NAME}_plcy.ecaPlcy`]: `${header}<ExtlClntAppConfigurablePolicies ${ns}>
    <externalClientApplication>${ECA_NAME}</externalClientApplication>
    <isEnabled>true</isEnabled>
    <isOauthPluginEnabled>true</isOauthPluginEnabled>
    <label>Salescaling for Salesforce</label>
</ExtlClntAppConfigurablePolicies>
`,
    [`extlClntAppOauthPolicies/${ECA_NAME}_oauthPlcy.ecaOauthPlcy`]: `${header}<ExtlClntAppOauthConfigurablePolicies ${ns}>
${permissionSet}    <externalClientApplication>${ECA_NAME}</externalClientApplication>
    <ipRelaxationPolicyType>Enforce</ipRelaxationPolicyType>
    <label>Salescaling for Salesforce</label>
    <permittedUsersPolicyType>${options.integrationPermissionSetId ? 'AdminApprovedPreAuthorized' : 'AllSelfAuthorized'}</permittedUsersPolicyType>
    <refreshTokenPolicyType>Infinite</refreshTokenPolicyType>
</ExtlClntAppOauthConfigurablePolicies>
`,
  };
}

export function writeEcaLocalMetadata(outDir: string, options: EcaLocalOptions): string[] {
  const files = ecaLocalMetadata(options);
  return Object.entries(files).map(([name, content]) => {
    const file = path.join(outDir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    return file;
  });
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (process.argv[1] && path.basename(process.argv[1]) === 'eca-local.ts') {
  const publicUrl = argument('--public-url');
  const outDir = argument('--out');
  if (!publicUrl || !outDir) {
    console.error('Usage: npx node scripts/eca-local.ts --public-url URL --out DIR [--permission-set-id ID]');
    process.exit(2);
  }
  const permissionSetId = argument('--permission-set-id');
  const written = writeEcaLocalMetadata(outDir, {
    publicUrl,
    ...(permissionSetId ? { integrationPermissionSetId: permissionSetId } : {}),
  });
  console.log(`Wrote ${written.length} files to ${outDir}`);
}
