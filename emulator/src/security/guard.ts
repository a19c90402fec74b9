/**
 * The checks an API write goes through for a user who is not an administrator: object permissions,
 * field-level security, record access, and lookups to records the user cannot see. Error codes as
 * the REST API answers them (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm,
 * StatusCode list: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm).
 */
import { ApiError, notFound } from '../errors.ts';
import type { FieldSchema, ObjectSchema, StoredRecord } from '../schema/types.ts';
import type { RunningUser } from './running-user.ts';
import { ALL, DELETE, EDIT, READ } from './sharing.ts';

const INSUFFICIENT = 'insufficient access rights on object id';

export const insufficientAccess = (): ApiError =>
  new ApiError('INSUFFICIENT_ACCESS_OR_READONLY', INSUFFICIENT, []);

/** Rows whose access is their parent's: writing them needs edit access to that parent. */
const PARENT_FIELD: Record<string, string> = {
  EventRelation: 'EventId',
  TaskRelation: 'TaskId',
  OpportunityContactRole: 'OpportunityId',
};

/**
 * The fields of a body the user may not see (refused as if they did not exist) or not write (refused
 * as the platform refuses a field that is read-only for their profile or permission sets).
 */
export function checkFieldAccess(
  user: RunningUser,
  schema: ObjectSchema,
  body: Record<string, unknown>,
  field: (name: string) => FieldSchema | undefined,
): void {
  const notWritable: string[] = [];
  for (const key of Object.keys(body)) {
    if (key === 'attributes') continue;
    const f = field(key);
    if (!f) continue;
    const fls = user.perms.field(schema.name, f.name);
    if (!fls.read) {
      throw new ApiError('INVALID_FIELD', `No such column '${key}' on sobject of type ${schema.name}`);
    }
    if (!fls.edit && f.name !== 'Id') notWritable.push(f.name);
  }
  if (notWritable.length) {
    throw new ApiError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      notWritable,
    );
  }
}

/** The object must be visible (else it does not exist for the user) and allow `op`. */
export function checkObject(user: RunningUser, schema: ObjectSchema, op: 'create' | 'edit' | 'delete'): void {
  const obj = user.perms.object(schema.name);
  if (!obj.read) throw notFound();
  if (!obj[op]) throw insufficientAccess();
}

/** Creating a child row (relation, contact role) needs edit access to its parent. */
export function checkNewRow(user: RunningUser, schema: ObjectSchema, record: StoredRecord): void {
  const parentField = PARENT_FIELD[schema.name];
  if (parentField && user.access.levelOfId(record[parentField]) < EDIT) {
    throw new ApiError(
      'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
      `insufficient access rights on cross-reference id: ${String(record[parentField])}`,
      [],
    );
  }
}

/** Editing needs Edit access to the record; changing its owner needs full access (transfer). */
export function checkEdit(
  user: RunningUser,
  schema: ObjectSchema,
  record: StoredRecord,
  changed: Iterable<string>,
): void {
  const level = user.access.level(schema.name, record);
  if (level < EDIT) throw insufficientAccess();
  const activity = schema.name === 'Event' || schema.name === 'Task';
  if (!activity && level < ALL && [...changed].includes('OwnerId')) throw insufficientAccess();
}

export function checkDelete(user: RunningUser, schema: ObjectSchema, record: StoredRecord): void {
  if (user.access.level(schema.name, record) < DELETE) throw insufficientAccess();
}

/** A lookup to a record the user cannot read is refused, as for any record they cannot see. */
export function checkLookups(
  user: RunningUser,
  schema: ObjectSchema,
  values: Map<string, unknown>,
  field: (name: string) => FieldSchema | undefined,
  live: (id: string) => boolean,
): void {
  for (const [name, v] of values) {
    const f = field(name);
    if (!f || f.type !== 'reference' || typeof v !== 'string' || name === 'OwnerId') continue;
    // Missing or deleted targets get the reference checks' own errors.
    if (!live(v)) continue;
    // A relation row's parent is checked for edit access by checkNewRow.
    if (PARENT_FIELD[schema.name] === name) continue;
    if (user.access.levelOfId(v) < READ) {
      throw new ApiError(
        'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
        `insufficient access rights on cross-reference id: ${v}`,
        [f.name],
      );
    }
  }
}
