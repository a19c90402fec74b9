/**
 * The free-mail providers of the npm package free-email-domains-list (updated weekly upstream), read
 * once at start as data. Importing the package's module instead compiles ~2 MB of JavaScript (one
 * 96,000-element array literal): its source, its bytecode and the ES-module loader's lexer memory
 * stay resident, ~17 MiB of the service's RSS more than this JSON parse of the same array.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

function load(): ReadonlySet<string> {
  const file = createRequire(import.meta.url).resolve('free-email-domains-list/build/src/constants.js');
  const text = readFileSync(file, 'utf8');
  // `exports.DOMAINS = new Set([ "0-00.usa.cc", ... ]);`: the array is JSON.
  const domains: unknown = JSON.parse(text.slice(text.indexOf('['), text.lastIndexOf(']') + 1));
  if (!Array.isArray(domains) || domains.length < 1_000 || !domains.every((d) => typeof d === 'string')) {
    throw new Error(`free-email-domains-list: ${file} no longer holds the list this module reads`);
  }
  return new Set(domains as string[]);
}

export const FREE_MAIL_DOMAINS: ReadonlySet<string> = load();
