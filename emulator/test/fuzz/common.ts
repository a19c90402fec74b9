/**
 * Shared pieces of the local org's fuzzers: the property type the Jest file and `npm run fuzz` both
 * run, the character pool every text generator draws from, and Salesforce's error body shape.
 */
import fc from 'fast-check';

export interface FuzzParams {
  numRuns: number;
  seed: number;
}

export interface FuzzProperty {
  name: string;
  /** Cases in `npm test`; `npm run fuzz` multiplies it. */
  runs: number;
  run(params: FuzzParams): void | Promise<void>;
}

/** fast-check's assert (its report names the seed and the shrunk counterexample). */
export function check<Ts extends unknown[]>(property: fc.IProperty<Ts>, params: FuzzParams): void {
  fc.assert(property, { numRuns: params.numRuns, seed: params.seed });
}

export async function checkAsync<Ts extends unknown[]>(
  property: fc.IAsyncProperty<Ts>,
  params: FuzzParams,
): Promise<void> {
  await fc.assert(property, { numRuns: params.numRuns, seed: params.seed });
}

/** Every printable ASCII character. */
export const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

/**
 * Characters customers' data is full of: accents, letters whose case changes length (ß, İ, ﬁ),
 * right-to-left text, CJK, emoji (with skin tone), invisible and typographic characters.
 */
export const UNUSUAL = [
  'é',
  'É',
  'ß',
  'ẞ',
  'İ',
  'ı',
  'ø',
  'ñ',
  'ü',
  'ﬁ',
  'Ω',
  'ς',
  '中',
  '文',
  'ア',
  '한',
  'ا',
  'ש',
  '😀',
  '👍🏽',
  '🇫🇷',
  '\u00a0',
  '\u200b',
  '\u200f',
  '–',
  '’',
  '“',
  '€',
  '\t',
  '\n',
];

export const textChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PRINTABLE) },
  { weight: 2, arbitrary: fc.constantFrom(...UNUSUAL) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);

/** The error codes a query may fail with (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm). */
export const QUERY_ERROR_CODES = new Set([
  'MALFORMED_QUERY',
  'MALFORMED_SEARCH',
  'INVALID_FIELD',
  'INVALID_TYPE',
  'INVALID_QUERY_FILTER_OPERATOR',
  'INVALID_SEARCH',
  'NUMBER_OUTSIDE_VALID_RANGE',
  'INVALID_QUERY_LOCATOR',
  'QUERY_TOO_COMPLICATED',
  'INVALID_FIELD_FOR_INSERT_UPDATE',
  'EXCEEDED_ID_LIMIT',
]);

/**
 * Salesforce's REST error body: a non-empty array of `{message, errorCode}` (strings), with `fields`
 * an array of strings when present
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
 */
export function isErrorBody(body: unknown): boolean {
  if (!Array.isArray(body) || body.length === 0) return false;
  return body.every((item: unknown) => {
    if (typeof item !== 'object' || item === null) return false;
    const e = item as Record<string, unknown>;
    return (
      typeof e['message'] === 'string' &&
      typeof e['errorCode'] === 'string' &&
      (e['fields'] === undefined ||
        (Array.isArray(e['fields']) && e['fields'].every((f) => typeof f === 'string')))
    );
  });
}
