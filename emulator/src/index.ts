/**
 * The local org: a Salesforce org in this process, speaking Salesforce's REST and OAuth protocols on
 * loopback so that jsforce, the sf CLI and the service work against it unchanged.
 */
import type { AddressInfo } from 'node:net';
import { App, listen, type UnexpectedError } from './app.ts';
import { DEFAULT_KNOBS, parseKnobs, type Knobs } from './knobs.ts';
import { findProjectRoot } from './schema/package-fields.ts';
import { Org } from './org/org.ts';
import { readPackageOauthScopes } from './security/scopes.ts';
import type { SharingDefaults } from './security/sharing.ts';
import { createUser, type CreateUserOptions, type CreatedUser } from './security/users.ts';

export type { Knobs, FailureKind } from './knobs.ts';

/** Knobs as callers pass them: any subset, with sharing defaults by object. */
export type KnobsInput = Partial<Omit<Knobs, 'sharing'>> & { sharing?: Partial<SharingDefaults> };
export {
  createUser,
  passwordGrantToken,
  type CreateUserOptions,
  type CreatedUser,
} from './security/users.ts';
export type { SharingDefaults, SharingModel } from './security/sharing.ts';
export { takeUnexpectedErrors, unexpectedErrors, type UnexpectedError } from './app.ts';
export { DEFAULT_KNOBS } from './knobs.ts';

export interface LocalOrgOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Address to bind; 127.0.0.1 by default. */
  host?: string;
  username?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  /** Callback URLs the client app accepts in the web-server flow. */
  redirectUris?: string[];
  /** Skip the login and consent page: /authorize redirects with a code at once. */
  autoApprove?: boolean;
  /** Keep the org's records in this JSON file (loaded at start when it exists). */
  dataFile?: string;
  knobs?: KnobsInput;
  /** The folder holding sfdx-project.json (package fields are read from its force-app); found from the cwd by default. */
  projectRoot?: string;
}

export interface LocalOrg {
  url: string;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
  orgId: string;
  userId: string;
  knobs(): Knobs;
  /** Changes knobs; `sharing` may name only the objects to change from the defaults. */
  setKnobs(partial: KnobsInput): void;
  /** API calls by kind (query, search, sobject, describe, composite, graph, collections, tree, limits, …) and `total`. */
  counters(): Record<string, number>;
  resetCounters(): void;
  /** API requests being served now, slow writes whose caller has gone included. */
  inFlight(): number;
  /** Inserts records directly (through the org's rules, but not the API or its counters); returns their ids. */
  seed(objectName: string, records: Record<string, unknown>[]): string[];
  /** Requests this org answered with 500 UNKNOWN_EXCEPTION (each one a bug in the local org). */
  unexpectedErrors(): readonly UnexpectedError[];
  /** Makes every access token issued so far expire (to exercise a client's refresh path). */
  expireTokens(): void;
  /**
   * Creates an active user (a Standard User by default) with a password and the named permission sets,
   * through the REST API as the admin, as an admin would in Setup. Sign in with the returned username
   * and password (password grant or the login page). See `createUser` for the REST calls it makes.
   */
  createUser(options?: CreateUserOptions): Promise<CreatedUser>;
  stop(): Promise<void>;
}

export async function startLocalOrg(options: LocalOrgOptions = {}): Promise<LocalOrg> {
  const username = options.username ?? 'admin@salescaling.localorg';
  const password = options.password ?? Org.secret(12).replace(/[-_]/g, '');
  const clientId = options.clientId ?? `3MVG9localorg${Org.secret(24).replace(/[-_]/g, '')}`;
  const clientSecret = options.clientSecret ?? Org.secret(32).replace(/[-_]/g, '');
  const knobs: Knobs = { ...DEFAULT_KNOBS, ...parseKnobs((options.knobs ?? {}) as Record<string, unknown>) };
  const redirectUris = options.redirectUris ?? ['http://localhost:1717/OauthRedirect'];
  for (const uri of redirectUris) {
    if (!URL.canParse(uri)) throw new Error(`redirect URI is not an absolute URL: ${uri}`);
  }
  const projectRoot = options.projectRoot ?? findProjectRoot();
  const app = new App({
    username,
    password,
    clientId,
    clientSecret,
    redirectUris,
    autoApprove: options.autoApprove ?? false,
    // The client app's scopes are the package's External Client App's (`--client-id` apps included).
    scopes: readPackageOauthScopes(projectRoot),
    dataFile: options.dataFile,
    knobs,
    ...(projectRoot !== undefined ? { projectRoot } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  const server = await listen(app, options.port ?? 0, host);
  const address = server.address() as AddressInfo;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${address.port}`;
  app.oauth.baseUrl = url;
  return {
    url,
    username,
    password,
    clientId,
    clientSecret,
    orgId: app.org.orgId,
    userId: app.org.userId,
    knobs: () => ({ ...app.knobs, failureKinds: [...app.knobs.failureKinds] }),
    setKnobs: (partial) => app.setKnobs(parseKnobs(partial as Record<string, unknown>)),
    counters: () => app.counters(),
    resetCounters: () => app.resetCounters(),
    inFlight: () => app.inFlight(),
    seed: (objectName, records) => {
      const ids = app.org.store.transaction(() => records.map((r) => app.org.create(objectName, r)));
      app.markDirty();
      return ids;
    },
    unexpectedErrors: () => app.unexpectedErrors(),
    expireTokens: () => app.oauth.expireAll(),
    createUser: (o) => createUser({ url, username, password, clientId, clientSecret }, o),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        app.close();
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
