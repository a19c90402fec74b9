/**
 * Field values as the REST API accepts and returns them: datetimes as `2026-11-20T16:00:00.000+0000`,
 * dates as `2026-11-20`, numbers as JSON numbers. Errors carry Salesforce's codes and messages
 * (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode).
 */
import { ApiError } from '../errors.ts';
import { to18 } from '../ids.ts';
import type { FieldSchema, FieldValue } from '../schema/types.ts';

/** The last instant formatted: a burst of writes stamps the same millisecond on many rows. */
let lastFormatted: { ms: number; text: string } | undefined;

export function formatDateTime(ms: number): string {
  if (lastFormatted?.ms === ms) return lastFormatted.text;
  const text = new Date(ms).toISOString().replace('Z', '+0000');
  lastFormatted = { ms, text };
  return text;
}

export function parseDateTime(v: string): number | undefined {
  // Salesforce accepts ISO 8601 with Z, +hh:mm or +hhmm offsets, and a date alone.
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
    v.trim(),
  );
  if (!m) return undefined;
  let zone = m[3] ?? 'Z';
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function jsonError(type: string, value: unknown): ApiError {
  return new ApiError(
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${type} from VALUE_STRING value ${String(value)} or request may be missing a required field`,
  );
}

/** Turns an input value into the stored form for the field, or throws Salesforce's error. */
export function coerce(f: FieldSchema, value: unknown): FieldValue {
  if (value === null || value === undefined || value === '') {
    return f.type === 'boolean' ? false : null;
  }
  switch (f.type) {
    case 'string':
    case 'textarea':
    case 'phone':
    case 'url':
    case 'picklist':
    case 'multipicklist':
    case 'combobox':
    case 'email': {
      if (typeof value === 'object') throw jsonError('string', JSON.stringify(value));
      const s = String(value);
      if (f.length !== undefined && f.length > 0 && s.length > f.length) {
        throw new ApiError(
          'STRING_TOO_LONG',
          `${f.label}: data value too large: ${s.length > 200 ? s.slice(0, 200) + '...' : s} (max length=${f.length})`,
          [f.name],
        );
      }
      if (f.type === 'email' && !EMAIL.test(s)) {
        throw new ApiError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${s}`, [f.name]);
      }
      return s;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw jsonError('boolean', value);
    case 'int': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(n) || !Number.isInteger(n)) throw jsonError('int', value);
      return n;
    }
    case 'double':
    case 'currency':
    case 'percent': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(n)) throw jsonError('double', value);
      return n;
    }
    case 'date': {
      const ms = typeof value === 'string' ? parseDateTime(value) : undefined;
      if (ms === undefined) throw jsonError('date', value);
      return new Date(ms).toISOString().slice(0, 10);
    }
    case 'datetime': {
      const ms =
        typeof value === 'string' ? parseDateTime(value) : typeof value === 'number' ? value : undefined;
      // A number beyond JavaScript's date range (1e300) has no instant: refused, not a 500 (issue 13).
      if (ms === undefined || Number.isNaN(new Date(ms).getTime())) throw jsonError('datetime', value);
      return formatDateTime(ms);
    }
    case 'reference':
    case 'id': {
      const s = String(value);
      const id = to18(s);
      if (!id) throw new ApiError('MALFORMED_ID', `${f.label}: id value of incorrect type: ${s}`, [f.name]);
      return id;
    }
    case 'base64': {
      const s = String(value);
      if (!/^[A-Za-z0-9+/\r\n]*={0,2}$/.test(s)) throw jsonError('base64', '(binary)');
      return s;
    }
    default:
      return value as FieldValue;
  }
}
