/**
 * Creating a user the way an admin does, over the REST API only (so it works against any running local
 * org, and against a real org given an admin's credentials): a password-grant token for the admin,
 * `POST sobjects/User`, `POST sobjects/User/{id}/password`, and one `PermissionSetAssignment` per
 * permission set named.
 */
import { randomBytes } from 'node:crypto';

export interface AdminCredentials {
  url: string;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
}

export interface CreateUserOptions {
  /** Defaults to a fresh `user-<random>@example.com.localorg`. */
  username?: string;
  lastName?: string;
  firstName?: string;
  /** `Standard User` (the default) or `System Administrator`. */
  profile?: string;
  /** Permission set API names to assign (e.g. `Salescaling_Integration_User`). */
  permissionSets?: string[];
  /** Defaults to a random one that meets the org's password policy. */
  password?: string;
  apiVersion?: string;
}

export interface CreatedUser {
  id: string;
  username: string;
  password: string;
}

/**
 * An access token by the OAuth username-password flow, for `login` (the admin by default) through the
 * org's connected app; throws when the org refuses it. One place for every caller (users, tests, the
 * LWC preview) so that they all sign in the same way.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_username_password_flow.htm
 */
export async function passwordGrantToken(
  org: AdminCredentials,
  login: { username: string; password: string } = org,
): Promise<string> {
  const res = await fetch(`${org.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: org.clientId,
      client_secret: org.clientSecret,
      username: login.username,
      password: login.password,
    }),
  });
  if (!res.ok) throw new Error(`sign-in of ${login.username} failed with ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function call(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path.split('?')[0]} failed with ${res.status}: ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

const soql = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export async function createUser(
  admin: AdminCredentials,
  options: CreateUserOptions = {},
): Promise<CreatedUser> {
  const version = options.apiVersion ?? '66.0';
  const token = await passwordGrantToken(admin);
  const data = `/services/data/v${version}`;
  const query = async (q: string) =>
    (
      (await call(admin.url, token, 'GET', `${data}/query?q=${encodeURIComponent(q)}`)) as {
        records: { Id: string; Name?: string }[];
      }
    ).records;
  const profileName = options.profile ?? 'Standard User';
  const profile = (await query(`SELECT Id FROM Profile WHERE Name = ${soql(profileName)}`))[0];
  if (!profile) throw new Error(`no profile named ${profileName}`);
  const suffix = randomBytes(4).toString('hex');
  const username = options.username ?? `user-${suffix}@example.com.localorg`;
  const lastName = options.lastName ?? `User ${suffix}`;
  const created = (await call(admin.url, token, 'POST', `${data}/sobjects/User`, {
    Username: username,
    LastName: lastName,
    ...(options.firstName ? { FirstName: options.firstName } : {}),
    Email: username.replace(/\.localorg$/, ''),
    Alias: `u${suffix}`.slice(0, 8),
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    LanguageLocaleKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    ProfileId: profile.Id,
  })) as { id: string };
  const password = options.password ?? `Pw1${randomBytes(12).toString('base64url')}`;
  await call(admin.url, token, 'POST', `${data}/sobjects/User/${created.id}/password`, {
    NewPassword: password,
  });
  for (const name of options.permissionSets ?? []) {
    const ps = (await query(`SELECT Id FROM PermissionSet WHERE Name = ${soql(name)}`))[0];
    if (!ps) throw new Error(`no permission set named ${name}`);
    await call(admin.url, token, 'POST', `${data}/sobjects/PermissionSetAssignment`, {
      AssigneeId: created.id,
      PermissionSetId: ps.Id,
    });
  }
  return { id: created.id, username, password };
}
