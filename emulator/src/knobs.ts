import {
  ALLOWED_MODELS,
  DEFAULT_SHARING,
  type SharingDefaults,
  type SharingModel,
} from './security/sharing.ts';

/** Settings tests and benchmarks turn at run time (flags, the control endpoint, or setKnobs). */
import { NO_CUSTOMER_RULES, parseCustomerRules, type CustomerRules } from './org/customer-rules.ts';

export type FailureKind = 'UNABLE_TO_LOCK_ROW' | '503' | 'REQUEST_LIMIT_EXCEEDED';

export interface Knobs {
  /** Added to every /services request, in milliseconds. */
  latencyMs: number;
  /**
   * Added to every request that writes (any method but GET/HEAD, except a composite of GETs only), after
   * the latency above, before the write runs: a slow write commits at the END of this delay, even when
   * the caller has gone meanwhile (as Salesforce finishes a transaction whose client disconnected).
   */
  writeLatencyMs: number;
  /** Share (0–1) of API calls answered with an injected transient failure instead of being run. */
  failureRate: number;
  failureKinds: FailureKind[];
  accessTokenLifetimeSec: number;
  /** API calls allowed per day (Salesforce's DailyApiRequests); beyond it, REQUEST_LIMIT_EXCEEDED. */
  dailyApiLimit: number;
  /** API calls served at once; beyond it, REQUEST_LIMIT_EXCEEDED (ConcurrentPerOrgLongTxn). */
  concurrentRequestLimit: number;
  sharedActivities: boolean;
  packageInstalled: boolean;
  /**
   * Organization-wide sharing defaults: Account, Contact, Opportunity, Lead (Private, Read, ReadWrite;
   * Contact also ControlledByParent) and Activity (Private or ControlledByParent). A partial object
   * changes only the objects it names.
   */
  sharing: SharingDefaults;
  /** A customer's validation rules, required custom fields and picklists on Event/Task (org/customer-rules.ts). */
  customerRules: CustomerRules;
}

export const DEFAULT_KNOBS: Knobs = {
  latencyMs: 0,
  writeLatencyMs: 0,
  failureRate: 0,
  failureKinds: ['UNABLE_TO_LOCK_ROW', '503', 'REQUEST_LIMIT_EXCEEDED'],
  accessTokenLifetimeSec: 7200,
  dailyApiLimit: 15000,
  concurrentRequestLimit: 25,
  sharedActivities: true,
  packageInstalled: true,
  sharing: DEFAULT_SHARING,
  customerRules: NO_CUSTOMER_RULES,
};

const FAILURE_KINDS: readonly FailureKind[] = ['UNABLE_TO_LOCK_ROW', '503', 'REQUEST_LIMIT_EXCEEDED'];

/** Validates a partial set of knobs from untrusted input (flags, JSON); throws a readable error. */
export function parseKnobs(input: Record<string, unknown>): Partial<Knobs> {
  const out: Partial<Knobs> = {};
  const num = (key: keyof Knobs, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const v = input[key];
    if (v === undefined) return undefined;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new Error(`${key} must be a number from ${min} to ${max}`);
    return n;
  };
  const bool = (key: keyof Knobs): boolean | undefined => {
    const v = input[key];
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    throw new Error(`${key} must be true or false`);
  };
  for (const key of Object.keys(input)) {
    if (!(key in DEFAULT_KNOBS)) throw new Error(`unknown knob ${key}`);
  }
  const set = <K extends keyof Knobs>(key: K, v: Knobs[K] | undefined): void => {
    if (v !== undefined) out[key] = v;
  };
  set('latencyMs', num('latencyMs', 0, 60000));
  set('writeLatencyMs', num('writeLatencyMs', 0, 60000));
  set('failureRate', num('failureRate', 0, 1));
  set('accessTokenLifetimeSec', num('accessTokenLifetimeSec', 1));
  set('dailyApiLimit', num('dailyApiLimit', 0));
  set('concurrentRequestLimit', num('concurrentRequestLimit', 1));
  set('sharedActivities', bool('sharedActivities'));
  set('packageInstalled', bool('packageInstalled'));
  if (input.sharing !== undefined) out.sharing = parseSharing(input.sharing);
  if (input.customerRules !== undefined) out.customerRules = parseCustomerRules(input.customerRules);
  if (input.failureKinds !== undefined) {
    const raw = input.failureKinds;
    const list = Array.isArray(raw)
      ? raw.map(String)
      : String(raw)
          .split(',')
          .map((s) => s.trim());
    for (const k of list)
      if (!FAILURE_KINDS.includes(k as FailureKind)) throw new Error(`unknown failure kind ${k}`);
    if (list.length === 0) throw new Error('failureKinds must name at least one kind');
    out.failureKinds = list as FailureKind[];
  }
  return out;
}

/** Validates sharing defaults (`{"Activity":"Private"}` or `Activity=Private,Account=Read`); unnamed objects keep the defaults. */
export function parseSharing(raw: unknown): SharingDefaults {
  let entries: [string, unknown][];
  if (typeof raw === 'string') {
    entries = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((pair) => {
        const [k, v] = pair.split('=');
        return [String(k).trim(), String(v ?? '').trim()];
      });
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) entries = Object.entries(raw);
  else throw new Error('sharing must be an object such as {"Activity":"Private"}');
  const out: SharingDefaults = { ...DEFAULT_SHARING };
  for (const [object, model] of entries) {
    const allowed = ALLOWED_MODELS[object as keyof SharingDefaults] as readonly string[] | undefined;
    if (!allowed)
      throw new Error(`sharing: unknown object ${object} (one of ${Object.keys(ALLOWED_MODELS).join(', ')})`);
    if (typeof model !== 'string' || !allowed.includes(model))
      throw new Error(`sharing.${object} must be one of ${allowed.join(', ')}`);
    out[object as keyof SharingDefaults] = model as SharingModel;
  }
  return out;
}
