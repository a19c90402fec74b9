/**
 * The only way SOQL is built in the service: a tagged template whose interpolated values become
 * escaped literals, never raw text. Strings are quoted with Salesforce's escape sequences, arrays
 * become `(…)` lists, and identifiers (field names read from the org's profile) pass only through
 * `identifier()`, which accepts API names and nothing else.
 * Escapes: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
 */

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*(?:__[A-Za-z0-9_]+)?$/;

class SoqlIdentifier {
  readonly name: string;
  constructor(name: string) {
    if (!IDENTIFIER.test(name)) throw new TypeError(`not a Salesforce API name: ${JSON.stringify(name)}`);
    this.name = name;
  }
}

/** A field or object API name to place into a query as is (validated, never quoted). */
export function identifier(name: string): SoqlIdentifier {
  return new SoqlIdentifier(name);
}

export type SoqlValue = string | number | boolean | null | SoqlIdentifier | readonly (string | number)[];

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A string as a quoted SOQL literal: `o'brien` → `'o\'brien'`. */
export function quote(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (c) => ESCAPES[c] ?? c)}'`;
}

function literal(value: SoqlValue): string {
  if (value instanceof SoqlIdentifier) return value.name;
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('SOQL numbers must be finite');
    return String(value);
  }
  if (typeof value === 'string') return quote(value);
  // An empty IN list is a syntax error in SOQL; callers skip the query instead.
  if (value.length === 0) throw new TypeError('an IN list needs at least one value');
  return `(${value.map((v) => (typeof v === 'number' ? literal(v) : quote(v))).join(', ')})`;
}

/** `soql\`SELECT Id FROM Contact WHERE Email IN ${emails}\`` with every value escaped. */
export function soql(strings: TemplateStringsArray, ...values: SoqlValue[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += literal(value) + (strings[i + 1] ?? '');
  });
  return out;
}
