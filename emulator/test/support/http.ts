/**
 * What the local org's REST tests share: an org started and logged in to. The REST client itself is
 * the one the service's tests use too (scripts/test-support/org-admin.ts).
 */
import { passwordGrantToken, startLocalOrg, type LocalOrg, type LocalOrgOptions } from '../../src/index.ts';
import { client, type Call } from '../../../scripts/test-support/org-admin.ts';

export { V, client, type Call, type Json } from '../../../scripts/test-support/org-admin.ts';

/** Logs in with the username-password flow and returns a fresh access token (never a cached one). */
export async function passwordToken(org: LocalOrg): Promise<string> {
  return passwordGrantToken(org);
}

/** Starts a local org and logs in to it with the password grant: the set-up most REST tests share. */
export async function startLoggedIn(
  options: LocalOrgOptions = {},
): Promise<{ org: LocalOrg; token: string; call: Call }> {
  const org = await startLocalOrg(options);
  const token = await passwordToken(org);
  return { org, token, call: client(org, token) };
}
