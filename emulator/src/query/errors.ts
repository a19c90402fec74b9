/**
 * The errors the query engine raises, shaped as Salesforce reports them in the REST error body
 * (`[{"message","errorCode"}]`, HTTP 400 unless given). Parse and field errors carry the query
 * excerpt, a caret and `ERROR at Row:r:Column:c`, as Salesforce's SOQL compiler does.
 */
import { SalesforceError } from '../errors.ts';

export class QueryError extends SalesforceError {
  constructor(errorCode: string, message: string, status = 400) {
    // Always the given status (400 by default), whatever the code: the engine's codes are all 400s.
    super(errorCode, message, undefined, status);
    this.name = 'QueryError';
  }

  /** The status under the name the engine's callers have always read (the fuzzers, the query tests). */
  get statusCode(): number {
    return this.status;
  }
}

/** Row and column (both 1-based) of a character offset in the query text. */
function rowColumn(text: string, offset: number): { row: number; column: number; line: string } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  const row = lines.length;
  const column = (lines[lines.length - 1] ?? '').length + 1;
  const line = text.split('\n')[row - 1] ?? '';
  return { row, column, line };
}

const isSeparator = (c: string | undefined): boolean => c === undefined || /[\s,]/.test(c);

/**
 * The excerpt Salesforce prints above the caret: about 30 characters before the error and 35 after,
 * widened to whole words (as in "select Id, Company,Email,LastName,SF_date__c, ConvertedContactId from"
 * with the caret under SF_date__c).
 */
export function excerpt(line: string, at: number): { text: string; caret: number } {
  let start = Math.max(0, at - 30);
  while (start > 0 && !isSeparator(line[start - 1])) start--;
  let end = Math.min(line.length, at + 35);
  while (end < line.length && !isSeparator(line[end - 1]) && !isSeparator(line[end])) end++;
  return { text: line.slice(start, end), caret: at - start };
}

/**
 * A message pointing at a place in the query, e.g.
 * "\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Account'. …".
 */
export function located(text: string, offset: number, message: string): string {
  const { row, column, line } = rowColumn(text, offset);
  const shown = excerpt(line, column - 1);
  return `\n${shown.text}\n${' '.repeat(shown.caret)}^\nERROR at Row:${row}:Column:${column}\n${message}`;
}

/**
 * Offset of the first whole-word, case-insensitive occurrence of `token` outside string literals,
 * at or after `from`; 0 when it is not found. The parser gives no positions, so errors find their
 * token in the text again.
 */
export function locate(text: string, token: string, from = 0): number {
  if (token === '') return text.length;
  const lower = text.toLowerCase();
  const needle = token.toLowerCase();
  const isWord = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_.]/.test(c);
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") {
      inString = true;
      continue;
    }
    if (i < from) continue;
    if (lower.startsWith(needle, i) && !isWord(text[i - 1]) && !isWord(text[i + needle.length])) return i;
  }
  return 0;
}

export function malformed(text: string, offset: number, message: string): QueryError {
  return new QueryError('MALFORMED_QUERY', located(text, offset, message));
}

export function invalidField(text: string, token: string, message: string, from = 0): QueryError {
  return new QueryError('INVALID_FIELD', located(text, locate(text, token, from), message));
}

export function noSuchColumn(text: string, token: string, field: string, entity: string): QueryError {
  return invalidField(
    text,
    token,
    `No such column '${field}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

/**
 * A statement nested or chained so deeply that evaluating it overflowed the stack becomes
 * QUERY_TOO_COMPLICATED, the code Salesforce documents for long, complex statements
 * (https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_soslsoql.htm;
 * the sentence is ours, the docs give none), instead of a 500. Anything else is rethrown.
 */
export function rethrowTooComplicated(e: unknown): never {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    throw new QueryError(
      'QUERY_TOO_COMPLICATED',
      'Query is too complicated: it nests or chains too many conditions.',
    );
  }
  throw e;
}
