/**
 * Reads the package's custom fields from its source (`force-app/**\/objects/<Object>/fields/*.field-meta.xml`)
 * so the local org and the package never disagree. Fields on `Activity` apply to both Event and Task,
 * as on the platform (https://help.salesforce.com/s/articleView?id=sf.activity_fields.htm).
 * Metadata types map to describe types as in the CustomField reference
 * (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customfield.htm).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { field } from './objects.ts';
import type { FieldSchema } from './types.ts';

export interface PackageField {
  objectName: string;
  schema: FieldSchema;
}

/** The folder holding sfdx-project.json, walking up from `start`. */
export function findProjectRoot(start: string = process.cwd()): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'sfdx-project.json'))) return dir;
    const parent = join(dir, '..');
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.field-meta.xml')) out.push(path);
  }
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return String(v);
}

/** Turns one CustomField document into a describe field; undefined for types the org does not model. */
export function fieldFromMetadata(xml: string): FieldSchema | undefined {
  const doc = parser.parse(xml) as { CustomField?: Record<string, unknown> };
  const f = doc.CustomField;
  if (!f) return undefined;
  const name = text(f.fullName);
  const type = text(f.type);
  if (!name || !type) return undefined;
  const label = text(f.label) ?? name;
  const required = text(f.required) === 'true';
  const common = {
    label,
    nillable: !required,
    externalId: text(f.externalId) === 'true',
    unique: text(f.unique) === 'true',
    caseSensitive: text(f.caseSensitive) === 'true',
  };
  const length = Number(text(f.length) ?? '0');
  switch (type) {
    case 'Text':
      return field(name, 'string', { ...common, length });
    case 'TextArea':
      return field(name, 'textarea', { ...common, length: 255 });
    case 'LongTextArea':
    case 'Html':
      return field(name, 'textarea', { ...common, length });
    case 'Url':
      return field(name, 'url', { ...common, length: 255 });
    case 'Email':
      return field(name, 'email', { ...common, length: 80 });
    case 'Phone':
      return field(name, 'phone', { ...common, length: 40 });
    case 'Checkbox':
      return field(name, 'boolean', { ...common, nillable: false, defaultedOnCreate: true });
    case 'Number':
      return field(name, 'double', common);
    case 'Currency':
      return field(name, 'currency', common);
    case 'Percent':
      return field(name, 'percent', common);
    case 'Date':
      return field(name, 'date', common);
    case 'DateTime':
      return field(name, 'datetime', common);
    case 'Picklist': {
      const valueSet = f.valueSet as { valueSetDefinition?: { value?: unknown } } | undefined;
      const raw = valueSet?.valueSetDefinition?.value;
      const values = (Array.isArray(raw) ? raw : raw ? [raw] : []) as {
        fullName?: unknown;
        label?: unknown;
        default?: unknown;
      }[];
      return field(name, 'picklist', {
        ...common,
        length: 255,
        picklistValues: values.map((v) => ({
          value: String(v.fullName),
          label: String(v.label ?? v.fullName),
          active: true,
          defaultValue: String(v.default) === 'true',
        })),
      });
    }
    case 'Lookup': {
      const target = text(f.referenceTo);
      return field(name, 'reference', { ...common, ...(target ? { referenceTo: [target] } : {}) });
    }
    default:
      return undefined;
  }
}

/** Every custom field of the package under `root/force-app`, with the object it belongs to. */
export function readPackageFields(root: string | undefined = findProjectRoot()): PackageField[] {
  if (!root) return [];
  const base = join(root, 'force-app');
  if (!existsSync(base)) return [];
  const files: string[] = [];
  walk(base, files);
  const out: PackageField[] = [];
  for (const path of files.sort()) {
    const m = /objects[\\/]([^\\/]+)[\\/]fields[\\/][^\\/]+\.field-meta\.xml$/.exec(path);
    if (!m?.[1]) continue;
    const schema = fieldFromMetadata(readFileSync(path, 'utf8'));
    if (!schema) continue;
    const targets = m[1] === 'Activity' ? ['Event', 'Task'] : [m[1]];
    for (const objectName of targets) out.push({ objectName, schema });
  }
  return out;
}
