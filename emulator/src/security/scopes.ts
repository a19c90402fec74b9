/**
 * OAuth scopes. The package's External Client App lists its scopes in metadata
 * (`extlClntAppOauthSettings/*.ecaOauth-meta.xml`, `commaSeparatedOauthScopes`) by their
 * ConnectedAppOauthAccessScope names; tokens carry the OAuth names. The mapping follows the metadata
 * enumeration (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_connectedapp.htm,
 * "Basic — Allows access to your identity URL service") and the scope list
 * (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_tokens_scopes.htm).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { findProjectRoot } from '../schema/package-fields.ts';

/** Metadata scope name → the OAuth scope values it lets a client request. */
export const METADATA_SCOPES: Readonly<Record<string, readonly string[]>> = {
  Basic: ['id', 'profile', 'email', 'address', 'phone'],
  Api: ['api'],
  Web: ['web', 'visualforce'],
  Full: ['full'],
  Chatter: ['chatter_api'],
  CustomApplications: ['visualforce'],
  RefreshToken: ['refresh_token', 'offline_access'],
  OpenID: ['openid'],
  Profile: ['profile'],
  Email: ['email'],
  Address: ['address'],
  Phone: ['phone'],
  OfflineAccess: ['offline_access', 'refresh_token'],
  CustomPermissions: ['custom_permissions'],
  Wave: ['wave_api'],
  Eclair: ['eclair_api'],
  Pardot: ['pardot_api'],
  Lightning: ['lightning'],
  Content: ['content'],
};

/** Scopes that let a token read the identity URL and UserInfo. */
export const IDENTITY_SCOPES = ['id', 'openid', 'profile', 'email', 'address', 'phone', 'full'];
/** Scopes that let a token call the REST API. */
export const API_SCOPES = ['api', 'full'];

/** Every scope an app with no configured list grants (an app configured outside the package). */
export const ALL_SCOPES = [...new Set(Object.values(METADATA_SCOPES).flat())];

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** The metadata scope names of one ExtlClntAppOauthSettings document. */
export function metadataScopesFromXml(xml: string): string[] {
  const doc = parser.parse(xml) as { ExtlClntAppOauthSettings?: { commaSeparatedOauthScopes?: unknown } };
  const raw = doc.ExtlClntAppOauthSettings?.commaSeparatedOauthScopes;
  if (raw === undefined || raw === null) return [];
  return String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The OAuth scope values a list of metadata scope names grants; unknown names are an error. */
export function oauthScopesOf(metadataScopes: readonly string[]): string[] {
  const out = new Set<string>();
  for (const name of metadataScopes) {
    const values = METADATA_SCOPES[name];
    if (!values) throw new Error(`unknown External Client App OAuth scope ${name}`);
    for (const v of values) out.add(v);
  }
  return [...out];
}

function find(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.ecaOauth-meta.xml')) out.push(path);
  }
}

/**
 * The metadata scope names of the package's External Client App, or undefined when the project has
 * none (then the app grants every scope).
 */
export function readPackageMetadataScopes(
  root: string | undefined = findProjectRoot(),
): string[] | undefined {
  if (!root) return undefined;
  const base = join(root, 'force-app');
  if (!existsSync(base)) return undefined;
  const files: string[] = [];
  find(base, files);
  const first = files.sort()[0];
  return first ? metadataScopesFromXml(readFileSync(first, 'utf8')) : undefined;
}

/** The OAuth scopes the package's app grants (every scope when the project has no app). */
export function readPackageOauthScopes(root?: string): string[] {
  const names = readPackageMetadataScopes(root);
  return names ? oauthScopesOf(names) : ALL_SCOPES;
}

export const hasAny = (granted: readonly string[], wanted: readonly string[]): boolean =>
  granted.some((s) => wanted.includes(s));
