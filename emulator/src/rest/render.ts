/**
 * Records as the running user reads them over REST: which ones they may see, and a record's JSON
 * (`attributes` first, then the fields asked for, each readable to them).
 */
import { ApiError, notFound } from '../errors.ts';
import type { Org } from '../org/org.ts';
import type { ObjectSchema, StoredRecord } from '../schema/types.ts';

export function renderRecord(
  org: Org,
  version: string,
  objectName: string,
  record: StoredRecord,
  fields?: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: {
      type: objectName,
      url: `/services/data/v${version}/sobjects/${objectName}/${String(record.Id)}`,
    },
  };
  const schema = org.apiSchema(objectName);
  const names = fields ?? schema.fields.map((f) => f.name);
  const user = org.restrictedUser;
  for (const n of names) {
    const f = org.field(objectName, n);
    if (!f || (user && !user.perms.field(objectName, f.name).read)) {
      throw new ApiError(
        'INVALID_FIELD',
        `No such column '${n}' on entity '${objectName}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    let v = record[f.name] ?? null;
    if (f.type === 'base64' && typeof v === 'string')
      v = v.replace(/\/services\/data\/v[\d.]+\//, `/services/data/v${version}/`);
    out[f.name] = v;
  }
  return out;
}

/** Whether the running user may read a record (an administrator reads every one). */
export function canRead(org: Org, objectName: string, record: StoredRecord): boolean {
  const user = org.restrictedUser;
  return !user || user.canRead(objectName, record);
}

/** Finds a record for GET, including ContentDocument's view of notes; NOT_FOUND when unseen. */
export function readableRecord(org: Org, schema: ObjectSchema, id: string): StoredRecord {
  if (schema.name === 'ContentDocument') {
    // A note answers as its ContentDocument through the store's alias, found by the id index.
    const found = org.store.byId(id);
    if (found?.objectName !== 'ContentDocument') throw notFound();
    if (found.record.IsDeleted === true) throw new ApiError('ENTITY_IS_DELETED', 'entity is deleted', []);
    org.assertReadable(schema.name, found.record);
    return found.record;
  }
  const record = org.requireRecord(schema, id);
  org.assertReadable(schema.name, record);
  return record;
}
