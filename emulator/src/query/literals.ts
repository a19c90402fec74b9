/**
 * SOQL literals: string escapes, LIKE patterns and date literals.
 * Escapes: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
 * Date literals: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
 */
import { QueryError } from './errors.ts';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

function illegal(raw: string, seq: string): QueryError {
  return new QueryError(
    'MALFORMED_QUERY',
    `Invalid string literal '${raw}'. Illegal character sequence '${seq}' in string literal.`,
  );
}

/**
 * Decodes a quoted literal as the parser hands it over (`'o\'brien'`) into pieces: plain characters,
 * and for LIKE the escaped `_`/`%` kept apart from the wildcards.
 */
function decode(quoted: string, like: boolean): { text: string; literal: boolean }[] {
  const raw =
    quoted.startsWith("'") && quoted.endsWith("'") && quoted.length >= 2 ? quoted.slice(1, -1) : quoted;
  const out: { text: string; literal: boolean }[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== '\\') {
      out.push({ text: c, literal: false });
      continue;
    }
    const next = raw[i + 1];
    if (next === undefined) throw illegal(raw, '\\');
    // \n and \N both mean a new line; quotes and the backslash escape themselves.
    const simple = SIMPLE_ESCAPES[/[NRTBF]/.test(next) ? next.toLowerCase() : next];
    if (simple !== undefined) {
      out.push({ text: simple, literal: true });
      i++;
    } else if (next === 'u' || next === 'U') {
      const hex = raw.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw illegal(raw, `\\${next}${hex}`);
      out.push({ text: String.fromCharCode(parseInt(hex, 16)), literal: true });
      i += 5;
    } else if (like && (next === '_' || next === '%')) {
      out.push({ text: next, literal: true });
      i++;
    } else {
      throw illegal(raw, `\\${next}`);
    }
  }
  return out;
}

/** The value of a quoted string literal, with its escapes resolved. */
export function stringValue(quoted: string): string {
  const raw =
    quoted.startsWith("'") && quoted.endsWith("'") && quoted.length >= 2 ? quoted.slice(1, -1) : quoted;
  // Most literals hold no escape: their value is their text (decoding costs an object per character,
  // and a batch's IN lists hold hundreds of literals).
  if (!raw.includes('\\')) return raw;
  return decode(quoted, false)
    .map((p) => p.text)
    .join('');
}

type LikeToken = { kind: 'any' } | { kind: 'one' } | { kind: 'char'; folded: string };

/**
 * Case folding as `=` does it (filter.ts `normalize`: the English locale's upper case of the whole
 * text), so that a LIKE without wildcards matches exactly what `=` matches, `ß` and `SS` included.
 */
const fold = (text: string): string => text.toUpperCase();

/**
 * A case-insensitive matcher for a LIKE pattern: `%` any run, `_` one character, `\%`/`\_` themselves
 * (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm,
 * escapes on the quoted-string page above). No regular expression: one built from customer text broke
 * on the first character a hand-made escape list forgot (issue 13: `LIKE '%[A1-run]%'` answered 500),
 * and `%a%a%a…` patterns backtrack exponentially. This greedy wildcard match is O(pattern × value).
 * Characters are code points, so `_` matches one emoji and a surrogate pair written as two `\uXXXX`
 * escapes is one character.
 */
export function likeMatcher(quoted: string): (value: string) => boolean {
  let text = '';
  const tokens: LikeToken[] = [];
  const flush = (): void => {
    for (const ch of fold(text)) tokens.push({ kind: 'char', folded: ch });
    text = '';
  };
  for (const piece of decode(quoted, true)) {
    const wildcard = !piece.literal && (piece.text === '%' || piece.text === '_');
    if (!wildcard) {
      text += piece.text;
      continue;
    }
    flush();
    // Consecutive `%` are one `%`.
    if (piece.text === '_') tokens.push({ kind: 'one' });
    else if (tokens[tokens.length - 1]?.kind !== 'any') tokens.push({ kind: 'any' });
  }
  flush();
  return (value) => {
    const chars = Array.from(fold(value));
    let p = 0;
    let v = 0;
    let star = -1;
    let mark = 0;
    while (v < chars.length) {
      const t = tokens[p];
      if (t && (t.kind === 'one' || (t.kind === 'char' && t.folded === chars[v]))) {
        p++;
        v++;
      } else if (t?.kind === 'any') {
        star = p++;
        mark = v;
      } else if (star >= 0) {
        // Let the last `%` swallow one more character and retry from there.
        p = star + 1;
        v = ++mark;
      } else return false;
    }
    while (tokens[p]?.kind === 'any') p++;
    return p === tokens.length;
  };
}

/** A half-open range of instants [start, end) in epoch milliseconds. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

const DAY = 86_400_000;

function utcDay(y: number, m: number, d: number): number {
  return Date.UTC(y, m, d);
}

/**
 * The range a date literal stands for, relative to `now`, in the org's time zone (the local org runs
 * in UTC) and locale (weeks start on Sunday, as in en_US; the fiscal year is the calendar year).
 */
export function dateLiteralRange(literal: string, n: number | undefined, now: Date): Range | undefined {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const today = utcDay(y, m, now.getUTCDate());
  const weekStart = today - now.getUTCDay() * DAY;
  const q = Math.floor(m / 3) * 3;
  const k = n ?? 0;
  const name = literal.toUpperCase().replace(/_FISCAL/, '');
  switch (name) {
    case 'YESTERDAY':
      return { start: today - DAY, end: today };
    case 'TODAY':
      return { start: today, end: today + DAY };
    case 'TOMORROW':
      return { start: today + DAY, end: today + 2 * DAY };
    case 'LAST_WEEK':
      return { start: weekStart - 7 * DAY, end: weekStart };
    case 'THIS_WEEK':
      return { start: weekStart, end: weekStart + 7 * DAY };
    case 'NEXT_WEEK':
      return { start: weekStart + 7 * DAY, end: weekStart + 14 * DAY };
    case 'LAST_MONTH':
      return { start: utcDay(y, m - 1, 1), end: utcDay(y, m, 1) };
    case 'THIS_MONTH':
      return { start: utcDay(y, m, 1), end: utcDay(y, m + 1, 1) };
    case 'NEXT_MONTH':
      return { start: utcDay(y, m + 1, 1), end: utcDay(y, m + 2, 1) };
    case 'LAST_90_DAYS':
      return { start: today - 90 * DAY, end: today + DAY };
    case 'NEXT_90_DAYS':
      return { start: today + DAY, end: today + 91 * DAY };
    case 'LAST_QUARTER':
      return { start: utcDay(y, q - 3, 1), end: utcDay(y, q, 1) };
    case 'THIS_QUARTER':
      return { start: utcDay(y, q, 1), end: utcDay(y, q + 3, 1) };
    case 'NEXT_QUARTER':
      return { start: utcDay(y, q + 3, 1), end: utcDay(y, q + 6, 1) };
    case 'LAST_YEAR':
      return { start: utcDay(y - 1, 0, 1), end: utcDay(y, 0, 1) };
    case 'THIS_YEAR':
      return { start: utcDay(y, 0, 1), end: utcDay(y + 1, 0, 1) };
    case 'NEXT_YEAR':
      return { start: utcDay(y + 1, 0, 1), end: utcDay(y + 2, 0, 1) };
    // LAST_N_DAYS:1 covers yesterday and today; NEXT_N_DAYS:n starts tomorrow.
    case 'LAST_N_DAYS':
      return { start: today - k * DAY, end: today + DAY };
    case 'NEXT_N_DAYS':
      return { start: today + DAY, end: today + (k + 1) * DAY };
    case 'N_DAYS_AGO':
      return { start: today - k * DAY, end: today - (k - 1) * DAY };
    case 'LAST_N_WEEKS':
      return { start: weekStart - 7 * k * DAY, end: weekStart };
    case 'NEXT_N_WEEKS':
      return { start: weekStart + 7 * DAY, end: weekStart + 7 * (k + 1) * DAY };
    case 'N_WEEKS_AGO':
      return { start: weekStart - 7 * k * DAY, end: weekStart - 7 * (k - 1) * DAY };
    case 'LAST_N_MONTHS':
      return { start: utcDay(y, m - k, 1), end: utcDay(y, m, 1) };
    case 'NEXT_N_MONTHS':
      return { start: utcDay(y, m + 1, 1), end: utcDay(y, m + 1 + k, 1) };
    case 'N_MONTHS_AGO':
      return { start: utcDay(y, m - k, 1), end: utcDay(y, m - k + 1, 1) };
    case 'LAST_N_QUARTERS':
      return { start: utcDay(y, q - 3 * k, 1), end: utcDay(y, q, 1) };
    case 'NEXT_N_QUARTERS':
      return { start: utcDay(y, q + 3, 1), end: utcDay(y, q + 3 + 3 * k, 1) };
    case 'N_QUARTERS_AGO':
      return { start: utcDay(y, q - 3 * k, 1), end: utcDay(y, q - 3 * k + 3, 1) };
    case 'LAST_N_YEARS':
      return { start: utcDay(y - k, 0, 1), end: utcDay(y, 0, 1) };
    case 'NEXT_N_YEARS':
      return { start: utcDay(y + 1, 0, 1), end: utcDay(y + 1 + k, 0, 1) };
    case 'N_YEARS_AGO':
      return { start: utcDay(y - k, 0, 1), end: utcDay(y - k + 1, 0, 1) };
    default:
      return undefined;
  }
}

/** Epoch milliseconds of a stored or literal datetime (`2026-11-20T16:00:00.000+0000`, `…Z`, `…+01:00`). */
export function parseDateTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})$/.exec(
    text,
  );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms, zone] = m;
  if (
    Number(mo) < 1 ||
    Number(mo) > 12 ||
    Number(d) < 1 ||
    Number(d) > 31 ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  let t = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number((ms ?? '0').padEnd(3, '0')),
  );
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return t;
}

/** Epoch milliseconds of midnight UTC of a `YYYY-MM-DD` date. */
export function parseDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Reject dates that roll over (2026-02-30), which Date.UTC would quietly accept.
  return new Date(t).toISOString().slice(0, 10) === text ? t : undefined;
}
