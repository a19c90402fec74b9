/**
 * The scopes the service requests and those the package's External Client App grants come from one
 * place: this test reads the app's metadata and fails when the service asks for a scope the app does
 * not grant (Salesforce refuses such a request) or the app grants a scope the service never uses.
 */
import { startLocalOrg } from '../../../emulator/src/index.ts';
import {
  METADATA_SCOPES,
  oauthScopesOf,
  readPackageMetadataScopes,
} from '../../../emulator/src/security/scopes.ts';
import { SCOPES, buildAuthorizeUrl } from '../../src/salesforce/oauth.ts';

const requested = SCOPES.split(' ');

describe('OAuth scopes of the service and the package', () => {
  it('when the service requests its scopes, then the package’s External Client App grants every one of them', () => {
    const granted = oauthScopesOf(readPackageMetadataScopes() ?? []);
    for (const scope of requested) expect(granted).toContain(scope);
  });

  it('when the package’s app lists a scope, then the service uses it (no scope granted for nothing)', () => {
    for (const name of readPackageMetadataScopes() ?? []) {
      expect(METADATA_SCOPES[name]?.some((v) => requested.includes(v))).toBe(true);
    }
  });

  it('when the service’s authorize URL is followed on the local org, then a code comes back, not invalid_scope', async () => {
    const redirectUri = 'http://localhost:4998/cb';
    const org = await startLocalOrg({ redirectUris: [redirectUri], autoApprove: true });
    try {
      const url = buildAuthorizeUrl(
        org.url,
        { clientId: org.clientId, clientSecret: org.clientSecret, redirectUri },
        { state: 's', codeChallenge: 'x'.repeat(43) },
      );
      const res = await fetch(url, { redirect: 'manual' });
      const callback = new URL(res.headers.get('location')!);
      expect(callback.searchParams.get('error')).toBeNull();
      expect(callback.searchParams.get('code')).toBeTruthy();
    } finally {
      await org.stop();
    }
  });
});
