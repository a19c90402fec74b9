/**
 * Reads the package's permission sets from its source
 * (`force-app/**\/permissionsets/*.permissionset-meta.xml`) so the package and the local org cannot
 * disagree, as package-fields.ts does for fields. Elements as in the PermissionSet metadata type
 * (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { findProjectRoot } from '../schema/package-fields.ts';
import type { FieldAccess, ObjectAccess } from './permissions.ts';

export interface PackagePermissionSet {
  name: string;
  label: string;
  description: string | null;
  /** The same access the org's permission model grants from ObjectPermissions / FieldPermissions rows. */
  objects: ({ object: string } & ObjectAccess)[];
  fields: ({ field: string } & FieldAccess)[];
  /** System permissions enabled (`ApiEnabled`, `EditEvent`, …). */
  system: string[];
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });
const list = (v: unknown): Record<string, unknown>[] =>
  (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]) as Record<string, unknown>[];
const yes = (v: unknown): boolean => String(v) === 'true';

export function permissionSetFromMetadata(name: string, xml: string): PackagePermissionSet | undefined {
  const doc = parser.parse(xml) as { PermissionSet?: Record<string, unknown> };
  const ps = doc.PermissionSet;
  if (!ps) return undefined;
  return {
    name,
    label: String(ps.label ?? name),
    description: ps.description === undefined ? null : String(ps.description),
    objects: list(ps.objectPermissions).map((o) => ({
      object: String(o.object),
      create: yes(o.allowCreate),
      read: yes(o.allowRead),
      edit: yes(o.allowEdit),
      delete: yes(o.allowDelete),
      viewAll: yes(o.viewAllRecords),
      modifyAll: yes(o.modifyAllRecords),
    })),
    fields: list(ps.fieldPermissions).map((f) => ({
      field: String(f.field),
      read: yes(f.readable),
      edit: yes(f.editable),
    })),
    system: list(ps.userPermissions)
      .filter((u) => yes(u.enabled))
      .map((u) => String(u.name)),
  };
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.permissionset-meta.xml')) out.push(path);
  }
}

/** Every permission set of the package under `root/force-app`. */
export function readPackagePermissionSets(
  root: string | undefined = findProjectRoot(),
): PackagePermissionSet[] {
  if (!root) return [];
  const base = join(root, 'force-app');
  if (!existsSync(base)) return [];
  const files: string[] = [];
  walk(base, files);
  return files
    .sort()
    .map((path) =>
      permissionSetFromMetadata(
        basename(path).replace(/\.permissionset-meta\.xml$/, ''),
        readFileSync(path, 'utf8'),
      ),
    )
    .filter((p): p is PackagePermissionSet => p !== undefined);
}
