/**
 * A customer's own configuration on Event and Task, as real orgs have it and the package cannot
 * control: validation rules, required custom fields, and changed or restricted picklists. Set with
 * the `customerRules` knob; the describe results and the write path follow it.
 *
 * Status codes (REQUIRED_FIELD_MISSING, FIELD_CUSTOM_VALIDATION_EXCEPTION,
 * INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST):
 * https://developer.salesforce.com/docs/platform/api/guide/sforce-api-calls-concepts-core-data-objects.html
 * Validation rules (error message, errorDisplayField):
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_validationformulas.htm
 * Restricted picklists ("users can't load or remove values through the API"; unrestricted ones keep
 * any value sent through the API):
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_picklist.htm
 */
import { ApiError } from '../errors.ts';
import { field } from '../schema/objects.ts';
import type { FieldSchema, ObjectSchema } from '../schema/types.ts';
import type { ObjectRules, RulesModule } from './object-rules.ts';
import type { Org } from './org.ts';
import type { MutableRecord } from './store.ts';

export type ActivityObject = 'Event' | 'Task';

/** A validation rule whose formula is `ISBLANK(field)`: the only formula the local org evaluates. */
export interface ValidationRule {
  object: ActivityObject;
  /** The rule's API name (shown in Setup; Salesforce does not return it over the API). */
  name: string;
  /** The field that must not be blank. */
  blankField: string;
  /** The rule's error message, returned as the error's message. */
  message: string;
  /** Where the message shows: a field name (returned in `fields`), or none for the top of the page. */
  errorDisplayField?: string;
}

export interface RequiredField {
  object: ActivityObject;
  /** A custom field (`Region__c`): added as text when the object does not have it, then required. */
  field: string;
}

export interface PicklistRule {
  object: ActivityObject;
  field: string;
  /** The picklist's values, replacing the standard ones. */
  values: string[];
  /** A restricted picklist refuses any other value; an unrestricted one stores it. */
  restricted: boolean;
}

export interface CustomerRules {
  validationRules: ValidationRule[];
  requiredFields: RequiredField[];
  picklists: PicklistRule[];
}

export const NO_CUSTOMER_RULES: CustomerRules = { validationRules: [], requiredFields: [], picklists: [] };

const OBJECTS: readonly string[] = ['Event', 'Task'];
const API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Validates customer rules from untrusted JSON (control endpoint, options); throws a readable error. */
export function parseCustomerRules(input: unknown): CustomerRules {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new Error('customerRules must be an object');
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(key in NO_CUSTOMER_RULES)) throw new Error(`customerRules: unknown key ${key}`);
  }
  const list = (key: keyof CustomerRules): Record<string, unknown>[] => {
    const v = raw[key] ?? [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null))
      throw new Error(`customerRules.${key} must be a list of objects`);
    return v as Record<string, unknown>[];
  };
  const object = (v: unknown, where: string): ActivityObject => {
    if (typeof v !== 'string' || !OBJECTS.includes(v))
      throw new Error(`${where}.object must be Event or Task`);
    return v as ActivityObject;
  };
  const name = (v: unknown, where: string): string => {
    if (typeof v !== 'string' || !API_NAME.test(v)) throw new Error(`${where} must be an API name`);
    return v;
  };
  const validationRules = list('validationRules').map((r, i): ValidationRule => {
    const where = `customerRules.validationRules[${i}]`;
    if (typeof r.message !== 'string' || r.message.trim() === '')
      throw new Error(`${where}.message must be a non-empty string`);
    return {
      object: object(r.object, where),
      name: name(r.name, `${where}.name`),
      blankField: name(r.blankField, `${where}.blankField`),
      message: r.message,
      ...(r.errorDisplayField !== undefined
        ? { errorDisplayField: name(r.errorDisplayField, `${where}.errorDisplayField`) }
        : {}),
    };
  });
  const requiredFields = list('requiredFields').map((r, i): RequiredField => {
    const where = `customerRules.requiredFields[${i}]`;
    const f = name(r.field, `${where}.field`);
    if (!f.endsWith('__c')) throw new Error(`${where}.field must be a custom field (ending in __c)`);
    return { object: object(r.object, where), field: f };
  });
  const picklists = list('picklists').map((r, i): PicklistRule => {
    const where = `customerRules.picklists[${i}]`;
    const values = r.values;
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      values.some((v) => typeof v !== 'string' || v === '')
    )
      throw new Error(`${where}.values must be a non-empty list of strings`);
    if (typeof r.restricted !== 'boolean') throw new Error(`${where}.restricted must be true or false`);
    return {
      object: object(r.object, where),
      field: name(r.field, `${where}.field`),
      values: values as string[],
      restricted: r.restricted,
    };
  });
  return { validationRules, requiredFields, picklists };
}

/** The describe the rules give: required fields not nillable, picklists with their values and restriction. */
export function applyToSchemas(schemas: ObjectSchema[], rules: CustomerRules): ObjectSchema[] {
  return schemas.map((s) => {
    if (!OBJECTS.includes(s.name)) return s;
    let fields: FieldSchema[] = [...s.fields];
    for (const r of rules.requiredFields.filter((x) => x.object === s.name)) {
      const at = fields.findIndex((f) => f.name.toLowerCase() === r.field.toLowerCase());
      if (at >= 0) fields[at] = { ...fields[at]!, nillable: false };
      else fields.push(field(r.field, 'string', { length: 255, nillable: false }));
    }
    for (const p of rules.picklists.filter((x) => x.object === s.name)) {
      fields = fields.map((f) =>
        f.name.toLowerCase() === p.field.toLowerCase() && f.type === 'picklist'
          ? {
              ...f,
              restrictedPicklist: p.restricted,
              picklistValues: p.values.map((v) => ({
                value: v,
                label: v,
                active: true,
                defaultValue: false,
              })),
            }
          : f,
      );
    }
    return { ...s, fields };
  });
}

const blank = (v: unknown): boolean =>
  v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** Each schema's restricted picklists by name (the first of a name); a schema is replaced, never changed. */
const restrictedPicklists = new WeakMap<ObjectSchema, ReadonlyMap<string, FieldSchema>>();

function restrictedOf(schema: ObjectSchema): ReadonlyMap<string, FieldSchema> {
  let found = restrictedPicklists.get(schema);
  if (!found) {
    const byName = new Map<string, FieldSchema>();
    for (const f of schema.fields) if (!byName.has(f.name)) byName.set(f.name, f);
    found = new Map([...byName].filter(([, f]) => f.restrictedPicklist));
    restrictedPicklists.set(schema, found);
  }
  return found;
}

/** Restricted picklists refuse values they do not list, as system validation does before the save. */
function checkRestrictedPicklists(schema: ObjectSchema, record: MutableRecord, changed: Set<string>): void {
  const restricted = restrictedOf(schema);
  if (restricted.size === 0) return;
  for (const name of changed) {
    const f = restricted.get(name);
    const v = record[name];
    if (!f || typeof v !== 'string') continue;
    if (!(f.picklistValues ?? []).some((p) => p.active && p.value === v)) {
      throw new ApiError(
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        `${f.label}: bad value for restricted picklist field: ${v}`,
        [f.name],
      );
    }
  }
}

/**
 * The write-path hooks, after the object's own rules: restricted picklists before the save, the
 * customer's required fields on every save (the org checks them with its own), and the validation
 * rules after the required fields, as in Salesforce's order of execution.
 */
function rulesFor(object: ActivityObject): ObjectRules {
  const rulesOf = (org: Org): CustomerRules => org.settings.customerRules ?? NO_CUSTOMER_RULES;
  return {
    beforeWrite(org, record, _previous, changed) {
      checkRestrictedPicklists(org.requireSchema(object), record, changed);
    },
    requiredFields(org) {
      return rulesOf(org)
        .requiredFields.filter((r) => r.object === object)
        .map((r) => r.field);
    },
    validate(org, record) {
      const schema = org.requireSchema(object);
      for (const rule of rulesOf(org).validationRules.filter((r) => r.object === object)) {
        const f = schema.fields.find((x) => x.name.toLowerCase() === rule.blankField.toLowerCase());
        // A rule on a field the object does not have cannot be saved in Setup; it never fires here.
        if (!f || !blank(record[f.name])) continue;
        const display = rule.errorDisplayField
          ? schema.fields.find((x) => x.name.toLowerCase() === rule.errorDisplayField!.toLowerCase())?.name
          : undefined;
        throw new ApiError('FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.message, display ? [display] : []);
      }
    },
  };
}

export function customerRules(): RulesModule {
  return {
    objects: { Event: rulesFor('Event'), Task: rulesFor('Task') },
    shapeSchemas: (schemas, settings) => applyToSchemas(schemas, settings.customerRules ?? NO_CUSTOMER_RULES),
  };
}
