/**
 * SOQL text to @jetstreamapp/soql-parser-js's AST, with a cache that survives changing literals.
 *
 * Parsing (chevrotain) costs more than running a look-up, and a client's queries repeat their shape
 * with other values: every meeting's look-ups carry their own emails, ids and time window. So the
 * string, datetime and date literals are lifted out of the text into placeholders, the shape is
 * parsed once, and each query's AST is that shape's with its own literals put back, a fresh object
 * every time. The result is the AST `parseQuery` gives for the original text (emulator/test/query/
 * parse-cache.test.ts compares them over generated queries); on any doubt — a literal the lexer
 * would not read as one, a shape that does not parse, a placeholder the AST holds in an unexpected
 * place — the original text is parsed, so a malformed query fails exactly as it always did.
 *
 * Why the lifting is exact: the parser's lexer has no modes and no token other than a string holds a
 * `'`, so every `'` outside a string starts a token there; a digit after whitespace, `(`, `,`, `=`,
 * `<` or `>` starts one too (each of those ends its own token), and at a digit the lexer tries
 * DATETIME, then DATE, before any number. The patterns below are the lexer's own (version 6.3.1),
 * matched at the same place, so each literal spans what its token spans and the shape's token
 * stream is the original's with other images. The parser decides on token types only; the visitor
 * copies a literal's image into the AST as its value.
 */
import { parseQuery, type Query } from '@jetstreamapp/soql-parser-js';
import { locate, malformed } from './errors.ts';

/** The lexer's StringIdentifier: a backslash always takes the next character; no line break inside. */
const STRING = /(')(?:(?=(\\?))\2.)*?\1/y;
/** GEOLOCATION_UNIT, which the lexer tries before strings: `'mi'` and `'km'` are not string tokens. */
const GEO_UNIT = /'(mi|km)'/iy;
/** The lexer's DATETIME (its `\Z` and `\-` are `Z` and `-`), tried first at a digit. */
const DATETIME =
  /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|\.[0-9]+Z|\+[0-9]{2}:[0-9]{2}|-[0-9]{2}:[0-9]{2}|\+[0-9]{4}|-[0-9]{4})/iy;
/** The lexer's DATE, tried next. */
const DATE = /[0-9]{4}-[0-9]{2}-[0-9]{2}/y;
/** A character that ends its own token, so a digit after it starts one. */
const BEFORE_VALUE = /[\s(,=<>]/;
/** What may follow a lifted date or datetime (the lexer's match ends there whatever follows; belt and braces). */
const AFTER_VALUE = /[\s),]/;

/**
 * Placeholders carry characters no lifted text holds: NUL in a string (a query holding one is not
 * lifted) and month 00 in a date (likewise for `-00-00`), so each one names its literal alone.
 */
const MARK = '\u0000';
const NO_MONTH = '-00-00';
const MAX_DATES = 10_000;

interface Lifted {
  readonly shape: string;
  /** Each literal's text, as the AST holds it (a string keeps its quotes and escapes). */
  readonly literals: readonly string[];
  /** The placeholder standing for each literal in the shape. */
  readonly slots: readonly string[];
}

/** A shape's AST compiled into a builder of fresh copies holding a query's own literals. */
type Build = (literals: readonly string[]) => unknown;

interface Template {
  readonly build: Build;
}

const stringSlot = (n: number): string => `'${MARK}${n}'`;
const dateSlot = (n: number): string => `${String(n).padStart(4, '0')}${NO_MONTH}`;
const dateTimeSlot = (n: number): string => `${dateSlot(n)}T00:00:00Z`;

/** The text with its literals replaced by placeholders, or undefined when it is not lifted. */
function lift(soql: string): Lifted | undefined {
  if (soql.includes(MARK) || soql.includes(NO_MONTH)) return undefined;
  const literals: string[] = [];
  const slots: string[] = [];
  let shape = '';
  let from = 0;
  const put = (at: number, end: number, slot: string): void => {
    shape += soql.slice(from, at) + slot;
    literals.push(soql.slice(at, end));
    slots.push(slot);
    from = end;
  };
  for (let i = 0; i < soql.length; i++) {
    const c = soql.charCodeAt(i);
    if (c === 39) {
      GEO_UNIT.lastIndex = i;
      if (GEO_UNIT.test(soql)) {
        i = GEO_UNIT.lastIndex - 1;
        continue;
      }
      STRING.lastIndex = i;
      // An unterminated string is a lexing error: the original text reports it.
      if (!STRING.test(soql)) return undefined;
      const end = STRING.lastIndex;
      put(i, end, stringSlot(literals.length));
      i = end - 1;
    } else if (c >= 48 && c <= 57 && i > 0 && BEFORE_VALUE.test(soql[i - 1] as string)) {
      let end = -1;
      let slot = '';
      DATETIME.lastIndex = i;
      if (DATETIME.test(soql)) {
        end = DATETIME.lastIndex;
        slot = dateTimeSlot(literals.length);
      } else {
        DATE.lastIndex = i;
        if (DATE.test(soql)) {
          end = DATE.lastIndex;
          slot = dateSlot(literals.length);
        }
      }
      if (end < 0 || (end < soql.length && !AFTER_VALUE.test(soql[end] as string))) continue;
      if (literals.length >= MAX_DATES) return undefined;
      put(i, end, slot);
      i = end - 1;
    }
  }
  if (literals.length === 0) return { shape: soql, literals, slots };
  return { shape: shape + soql.slice(from), literals, slots };
}

/**
 * The shape's AST, once every placeholder sits in it once as a whole value; null when one is
 * missing, repeated or part of a longer text (a function's raw text, say): the caller then parses
 * the original text.
 */
function template(lifted: Lifted): Template | null {
  let ast: Query;
  try {
    ast = parseQuery(lifted.shape);
  } catch {
    return null;
  }
  const slots = new Map(lifted.slots.map((slot, i) => [slot, i]));
  const seen = new Array<number>(lifted.slots.length).fill(0);
  let sound = true;
  const walk = (node: unknown): void => {
    if (typeof node === 'string') {
      const slot = slots.get(node);
      if (slot !== undefined) seen[slot] = (seen[slot] ?? 0) + 1;
      else if (node.includes(MARK) || node.includes(NO_MONTH)) sound = false;
    } else if (Array.isArray(node)) {
      for (const item of node) walk(item);
    } else if (node !== null && typeof node === 'object') {
      for (const value of Object.values(node)) walk(value);
    }
  };
  walk(ast);
  if (!sound || seen.some((n) => n !== 1)) return null;
  return { build: compile(ast, slots) };
}

/**
 * A builder of fresh copies of `node` (plain objects, arrays and primitives, as the parser gives),
 * each placeholder replaced by its literal: callers own what they are given, and a copy costs no
 * look-up per key. A value is kept as a constant, a literal's index or a nested builder, so an IN
 * list of hundreds of values is one array of parts, not a function per value.
 */
function compile(node: unknown, slots: ReadonlyMap<string, number>): Build {
  // The builders are made apart (arrayOf, objectOf, valueOf), so that they hold their parts and not
  // the parsed shape or its placeholders.
  if (Array.isArray(node)) return arrayOf(node.map((item) => part(item, slots)));
  if (node !== null && typeof node === 'object') {
    const keys = Object.keys(node);
    return objectOf(
      keys,
      keys.map((key) => part((node as Record<string, unknown>)[key], slots)),
    );
  }
  return valueOf(part(node, slots));
}

function arrayOf(parts: readonly Part[]): Build {
  return (literals) => parts.map((p) => value(p, literals));
}

function objectOf(keys: readonly string[], parts: readonly Part[]): Build {
  return (literals) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) out[keys[i]!] = value(parts[i]!, literals);
    return out;
  };
}

function valueOf(p: Part): Build {
  return (literals) => value(p, literals);
}

/** One value of a template: a constant, the index of a literal, or a builder of a nested object. */
type Part = { readonly constant: unknown } | { readonly slot: number } | { readonly build: Build };

function part(node: unknown, slots: ReadonlyMap<string, number>): Part {
  if (typeof node === 'string') {
    const slot = slots.get(node);
    return slot === undefined ? { constant: node } : { slot };
  }
  return node !== null && typeof node === 'object' ? { build: compile(node, slots) } : { constant: node };
}

function value(p: Part, literals: readonly string[]): unknown {
  if ('slot' in p) return literals[p.slot];
  if ('build' in p) return p.build(literals);
  return p.constant;
}

/** Parsed shapes (null: parse the text instead), least recently used first (`cached`). */
const shapes = new Map<string, Template | null>();
/**
 * Parsed texts the shapes do not serve (a NUL or a month 00 in the text, or a shape the check in
 * template() refused): rare, and kept apart from the shapes.
 */
const texts = new Map<string, Template>();
const CACHE_SIZE = 500;
const NO_SLOTS: ReadonlyMap<string, number> = new Map();
const NO_LITERALS: readonly string[] = [];

/**
 * The value kept for `key`, made and kept when missing (a `make` that throws keeps nothing); the
 * least recently used goes beyond CACHE_SIZE, so what a client keeps sending stays.
 */
function cached<V>(cache: Map<string, V>, key: string, make: () => V): V {
  if (cache.has(key)) {
    const value = cache.get(key) as V;
    cache.delete(key);
    cache.set(key, value);
    return value;
  }
  const value = make();
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

/** Parses with @jetstreamapp/soql-parser-js, turning its errors into Salesforce's MALFORMED_QUERY. */
export function parseSoql(soql: string): Query {
  const lifted = lift(soql);
  if (lifted) {
    const t = cached(shapes, lifted.shape, () => template(lifted));
    if (t !== null) return t.build(lifted.literals) as Query;
  }
  const t = cached(texts, soql, () => ({ build: compile(parseUncached(soql), NO_SLOTS) }));
  return t.build(NO_LITERALS) as Query;
}

/** How many parsed shapes and texts the cache holds (it stays bounded whatever the traffic). */
export function parseCacheSize(): { shapes: number; texts: number } {
  return { shapes: shapes.size, texts: texts.size };
}

/** Today's parse of the text itself, uncached: what every cached answer must equal. */
export function parseUncached(soql: string): Query {
  try {
    return parseQuery(soql);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const found = /but found: '([^']*)'/.exec(message) ?? /but found: (\S+)/.exec(message);
    const offset = /at offset: (\d+)/.exec(message);
    if (offset) {
      const at = Number(offset[1]);
      throw malformed(soql, at, `unexpected token: '${soql[at] ?? ''}'`);
    }
    if (found && found[1] !== undefined && found[1] !== '') {
      throw malformed(soql, locate(soql, found[1]), `unexpected token: '${found[1]}'`);
    }
    throw malformed(soql, soql.length, 'unexpected token: <EOF>');
  }
}
