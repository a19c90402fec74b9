/**
 * Email domains and Account websites, for matching an Account by domain (CONTRACT §7.9). Free-mail
 * providers come from a maintained list (the npm package free-email-domains-list, updated weekly
 * upstream) rather than a hand-written one: a hand list misses regional providers. It is read as data
 * (reference/free-mail-domains.ts), not imported as the package's 2 MB module, for the memory.
 */
import { FREE_MAIL_DOMAINS } from '../reference/free-mail-domains.ts';
import { normalizeEmail } from './emails.ts';

/** The domain of an email address, lower-case, or null when there is none. */
export function emailDomain(email: string | null | undefined): string | null {
  const e = normalizeEmail(email);
  if (e === null) return null;
  const at = e.lastIndexOf('@');
  const domain = at < 0 ? '' : e.slice(at + 1).replace(/\.$/, '');
  return domain.length === 0 ? null : domain;
}

/** Whether a domain (or the domain it is a subdomain of) is a free-mail provider. */
export function isFreeMailDomain(domain: string): boolean {
  const labels = domain.toLowerCase().split('.');
  for (let i = 0; i < labels.length - 1; i += 1) {
    if (FREE_MAIL_DOMAINS.has(labels.slice(i).join('.'))) return true;
  }
  return false;
}

/**
 * The host an Account's Website names, as people type it: `https://www.Acme.com/about`, `acme.com`,
 * `www.acme.com:443` all give `acme.com`. Null when it names no host.
 */
export function websiteHost(website: string | null | undefined): string | null {
  if (website === null || website === undefined) return null;
  let text = website.trim().toLowerCase();
  if (text.length === 0) return null;
  text = text.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  text = text.replace(/^[^@/]*@/, '');
  const host = (text.split(/[/?#:]/)[0] ?? '').replace(/\.$/, '').replace(/^www\d*\./, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : null;
}

/**
 * An email domain matches a website host when they are equal, or the email comes from a subdomain of
 * the website (`eu.acme.com` → `acme.com`). Not the other way round: `acme.com` does not match a
 * website `shop.acme.com`, which may be a different company's storefront.
 */
export function domainMatchesHost(domain: string, host: string): boolean {
  return domain === host || domain.endsWith(`.${host}`);
}

/** The `LIKE` pattern that finds Website values which may name `domain` (refined by websiteHost). */
export function websiteLikePattern(domain: string): string {
  // `_` and `%` are LIKE wildcards; a domain holds neither, but escape them anyway.
  return `%${domain.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
