/**
 * The seams an object's behaviour plugs into: the org's write pipeline is the same for every object,
 * and what is particular to one (derived fields, related rows, refusals) lives in that object's rules
 * module (activities.ts, content.ts, crm.ts, customer-rules.ts, ../security/rules.ts).
 */
import type { FieldValue, ObjectSchema, StoredRecord } from '../schema/types.ts';
import type { Org, OrgSettings } from './org.ts';
import type { MutableRecord, ViewFn } from './store.ts';

type WriteHook = (
  org: Org,
  record: MutableRecord,
  previous: StoredRecord | undefined,
  changed: Set<string>,
) => void;

/**
 * Hooks an object's rules plug into the org's write pipeline, which runs them in Salesforce's order of
 * execution (https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_triggers_order_of_execution.htm):
 * defaults → beforeWrite → the required-field check → validate → unique values → store → afterWrite.
 */
export interface ObjectRules {
  /** Values a new row starts with, before the request's own (User.IsActive). */
  defaults?: Readonly<Record<string, FieldValue>>;
  /** Before a row is stored: derive fields, refuse what Salesforce refuses. `previous` is undefined on insert. */
  beforeWrite?: WriteHook;
  /** Fields that must hold a value on every update, not only when written (the customer's required fields). */
  requiredFields?(org: Org): readonly string[];
  /** Validation rules, after the required-field check (the customer's validation rules). */
  validate?: WriteHook;
  /** After a row is stored (create related rows). */
  afterWrite?(org: Org, record: StoredRecord, previous: StoredRecord | undefined, changed: Set<string>): void;
  /** Before a row goes to the recycle bin. */
  beforeDelete?(org: Org, record: StoredRecord): void;
  /** Rows computed from other tables instead of stored: the object is a read-only view. */
  view?: ViewFn;
  /** This table's rows also answer as another object, under the same id (a ContentNote is a ContentDocument). */
  alias?: { as: string; project: (r: StoredRecord) => StoredRecord };
}

/** What one module contributes: its objects' rules, and how the org's settings shape their describes. */
export interface RulesModule {
  readonly objects: Readonly<Record<string, ObjectRules>>;
  /** The describes as the settings have them (a feature that adds or removes objects and fields). */
  shapeSchemas?(schemas: ObjectSchema[], settings: OrgSettings): ObjectSchema[];
}

/** Runs one object's rules and then another's (the org keeps one ObjectRules per object). */
export function chainRules(first: ObjectRules | undefined, then: ObjectRules): ObjectRules {
  if (!first) return then;
  const view = then.view ?? first.view;
  const alias = then.alias ?? first.alias;
  return {
    ...(view ? { view } : {}),
    ...(alias ? { alias } : {}),
    ...(first.defaults || then.defaults ? { defaults: { ...first.defaults, ...then.defaults } } : {}),
    beforeWrite(org, record, previous, changed) {
      first.beforeWrite?.(org, record, previous, changed);
      then.beforeWrite?.(org, record, previous, changed);
    },
    requiredFields(org) {
      return [...(first.requiredFields?.(org) ?? []), ...(then.requiredFields?.(org) ?? [])];
    },
    validate(org, record, previous, changed) {
      first.validate?.(org, record, previous, changed);
      then.validate?.(org, record, previous, changed);
    },
    afterWrite(org, record, previous, changed) {
      first.afterWrite?.(org, record, previous, changed);
      then.afterWrite?.(org, record, previous, changed);
    },
    beforeDelete(org, record) {
      first.beforeDelete?.(org, record);
      then.beforeDelete?.(org, record);
    },
  };
}

/** Every module's rules per object, chained in the modules' order (an object may have several). */
export function combineRules(modules: readonly RulesModule[]): Map<string, ObjectRules> {
  const byObject = new Map<string, ObjectRules>();
  for (const m of modules) {
    for (const [name, rules] of Object.entries(m.objects))
      byObject.set(name, chainRules(byObject.get(name), rules));
  }
  return byObject;
}

/** The describes after every module has shaped them to the settings, in the modules' order. */
export function shapeSchemas(
  modules: readonly RulesModule[],
  schemas: ObjectSchema[],
  settings: OrgSettings,
): ObjectSchema[] {
  return modules.reduce((acc, m) => m.shapeSchemas?.(acc, settings) ?? acc, schemas);
}

/**
 * A live row of the table holding the same values as `record` in every one of `fields`: a key the
 * platform keeps unique across several fields (one link per document and record, one assignment per
 * user and permission set).
 */
export function rowWithSameKey(
  org: Org,
  table: string,
  record: StoredRecord,
  fields: readonly string[],
): StoredRecord | undefined {
  const same = (r: StoredRecord) => r.IsDeleted !== true && fields.every((f) => r[f] === record[f]);
  // The first field's index narrows the search to the rows sharing it (a scan when it has none).
  const candidates =
    (fields[0] !== undefined
      ? org.store.rowsWithValue(table, fields[0], record[fields[0]], { includeDeleted: false })
      : undefined) ?? org.store.table(table).values();
  for (const r of candidates) if (same(r)) return r;
  return undefined;
}
