/**
 * Access to the admin page: the Salescaling backend mints a short-lived, single-use sign-in link for
 * one workspace; following it opens a browser session scoped to that workspace. Links and sessions
 * are random 256-bit tokens of which only SHA-256 hashes are stored. The CSRF token is the session
 * token's HMAC (a synchronizer token tied to the session, nothing more to store).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AdminSessionRepository } from '../store/admin-sessions.ts';

export const LINK_TTL_MS = 5 * 60 * 1000;
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
export const SIGN_IN_PATH = '/admin/sign-in';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const token = () => randomBytes(32).toString('base64url');

export class AdminAuth {
  readonly #store: AdminSessionRepository;
  readonly #publicUrl: string;
  constructor(store: AdminSessionRepository, publicUrl: string) {
    this.#store = store;
    this.#publicUrl = publicUrl;
  }

  /** Secure cookies (and the __Host- prefix) whenever the page is served over https. */
  get secure(): boolean {
    return this.#publicUrl.startsWith('https:');
  }
  get cookieName(): string {
    return this.secure ? '__Host-salescaling_admin' : 'salescaling_admin';
  }

  async mintLink(workspaceId: string, now = Date.now()): Promise<{ url: string; expiresAt: string }> {
    const t = token();
    const expiresAt = now + LINK_TTL_MS;
    await this.#store.createLink({ tokenHash: sha256(t), workspaceId, expiresAt });
    return {
      url: `${this.#publicUrl}${SIGN_IN_PATH}?token=${encodeURIComponent(t)}`,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /** Spends the link; returns the new session's token, or null for a link unknown, used or expired. */
  async signIn(
    linkToken: string,
    now = Date.now(),
  ): Promise<{ session: string; workspaceId: string } | null> {
    if (!/^[\w-]{20,100}$/.test(linkToken)) return null;
    const workspaceId = await this.#store.consumeLink(sha256(linkToken), now);
    if (!workspaceId) return null;
    const session = token();
    await this.#store.createSession({
      sessionHash: sha256(session),
      workspaceId,
      now,
      expiresAt: now + SESSION_TTL_MS,
    });
    return { session, workspaceId };
  }

  async session(sessionToken: string | undefined, now = Date.now()): Promise<string | null> {
    if (!sessionToken || !/^[\w-]{20,100}$/.test(sessionToken)) return null;
    return (await this.#store.getSession(sha256(sessionToken), now))?.workspaceId ?? null;
  }

  async signOut(sessionToken: string): Promise<void> {
    await this.#store.deleteSession(sha256(sessionToken));
  }

  csrfToken(sessionToken: string): string {
    return createHmac('sha256', sessionToken).update('salescaling-admin-csrf').digest('base64url');
  }

  csrfValid(sessionToken: string, presented: unknown): boolean {
    if (typeof presented !== 'string') return false;
    const a = Buffer.from(this.csrfToken(sessionToken));
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** The cookie's value from a Cookie header (no parser dependency for one cookie). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
