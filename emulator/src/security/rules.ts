/**
 * Write rules of the security objects, plugged into the org's write path through ObjectRules.
 * PermissionSetAssignment: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm
 */
import { ApiError } from '../errors.ts';
import { deriveFullName } from '../org/crm.ts';
import { rowWithSameKey, type RulesModule } from '../org/object-rules.ts';
import type { Org } from '../org/org.ts';
import type { FieldValue } from '../schema/types.ts';

/** The UserLogin row every user has (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userlogin.htm). */
export function ensureUserLogin(org: Org, userId: string): void {
  for (const l of org.store.table('UserLogin').values()) if (l.UserId === userId) return;
  org.insertRecord(
    org.requireSchema('UserLogin'),
    new Map<string, FieldValue>([
      ['UserId', userId],
      ['IsFrozen', false],
      ['IsPasswordLocked', false],
    ]),
    { checkRequired: false },
  );
}

export function securityRules(): RulesModule {
  return {
    objects: {
      User: {
        // A user is active from creation unless created inactive.
        defaults: { IsActive: true },
        beforeWrite(_org, record) {
          deriveFullName(record);
        },
        afterWrite(org, record, previous) {
          if (!previous) ensureUserLogin(org, record.Id as string);
        },
      },
      UserLogin: {
        beforeWrite(_org, record, previous, changed) {
          // "From the API, you can set this field to false, but not true."
          if (previous && changed.has('IsPasswordLocked') && record.IsPasswordLocked === true) {
            throw new ApiError('FIELD_INTEGRITY_EXCEPTION', 'Is Password Locked: can only be set to false', [
              'IsPasswordLocked',
            ]);
          }
        },
      },
      PermissionSetAssignment: {
        beforeWrite(org, record, previous) {
          if (previous) return;
          // One assignment per user and permission set (the platform's duplicate answer names no field).
          if (rowWithSameKey(org, 'PermissionSetAssignment', record, ['AssigneeId', 'PermissionSetId'])) {
            throw new ApiError(
              'DUPLICATE_VALUE',
              'duplicate value found: <unknown> duplicates value on record with id: <unknown>',
              [],
            );
          }
          record.IsActive = true;
        },
      },
    },
  };
}
