/**
 * Write rules of the security objects, plugged into the org's write path through ObjectRules.
 * PermissionSetAssignment: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm
 */
import { ApiError } from '../errors.ts';
import type { ObjectRules } from '../org/org.ts';

export function securityRules(): Record<string, ObjectRules> {
  return {
    PermissionSetAssignment: {
      beforeWrite(org, record, previous) {
        if (previous) return;
        // One assignment per user and permission set (the platform's duplicate answer names no field).
        for (const a of org.store.table('PermissionSetAssignment').values()) {
          if (
            a.IsDeleted !== true &&
            a.AssigneeId === record.AssigneeId &&
            a.PermissionSetId === record.PermissionSetId
          ) {
            throw new ApiError(
              'DUPLICATE_VALUE',
              'duplicate value found: <unknown> duplicates value on record with id: <unknown>',
              [],
            );
          }
        }
        record.IsActive = true;
      },
    },
  };
}
