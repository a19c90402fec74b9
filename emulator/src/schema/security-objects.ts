/**
 * The objects of the security model: permission sets (and the ones profiles own), their assignments,
 * object and field permissions, and UserRecordAccess. Fields as the Object Reference lists them:
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionset.htm
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_userrecordaccess.htm
 */
import { field, systemFields } from './objects.ts';
import type { FieldSchema, ObjectSchema } from './types.ts';

/** The system permissions the local org knows, as PermissionSet's `Permissions<Name>` fields. */
export const SYSTEM_PERMISSIONS = [
  'ApiEnabled',
  'ModifyAllData',
  'ViewAllData',
  'EditEvent',
  'EditTask',
  'ManageUsers',
  'ViewSetup',
  'AssignPermissionSets',
  'ManageProfilesPermissionsets',
] as const;
export type SystemPermission = (typeof SYSTEM_PERMISSIONS)[number];

const readOnly = { createable: false, updateable: false };
const createOnly = { updateable: false };
const required = { nillable: false };
const flag = (name: string, label?: string): FieldSchema =>
  field(name, 'boolean', { ...required, defaultedOnCreate: true, ...(label ? { label } : {}) });

const audit = (): FieldSchema[] => systemFields({ isDeleted: false });

function object(
  name: string,
  label: string,
  labelPlural: string,
  keyPrefix: string | null,
  fields: FieldSchema[],
  ops: { createable: boolean; updateable: boolean; deletable: boolean },
  childRelationships: ObjectSchema['childRelationships'] = [],
): ObjectSchema {
  return {
    name,
    label,
    labelPlural,
    keyPrefix,
    fields,
    childRelationships,
    ...ops,
    queryable: true,
    searchable: false,
    custom: false,
  };
}

export function securityObjects(): ObjectSchema[] {
  return [
    object(
      'PermissionSet',
      'Permission Set',
      'Permission Sets',
      '0PS',
      [
        ...audit(),
        field('Name', 'string', { ...required, length: 80, label: 'Name' }),
        field('Label', 'string', { ...required, length: 80, nameField: true }),
        field('Description', 'string', { length: 255 }),
        field('NamespacePrefix', 'string', { ...readOnly, length: 15 }),
        field('IsOwnedByProfile', 'boolean', { ...readOnly, ...required, defaultedOnCreate: true }),
        field('ProfileId', 'reference', { ...readOnly, referenceTo: ['Profile'] }),
        field('HasActivationRequired', 'boolean', { ...required, defaultedOnCreate: true }),
        ...SYSTEM_PERMISSIONS.map((p) => flag(`Permissions${p}`)),
      ],
      { createable: true, updateable: true, deletable: true },
      [
        {
          relationshipName: 'Assignments',
          childSObject: 'PermissionSetAssignment',
          field: 'PermissionSetId',
          cascadeDelete: true,
        },
        {
          relationshipName: 'ObjectPerms',
          childSObject: 'ObjectPermissions',
          field: 'ParentId',
          cascadeDelete: true,
        },
        {
          relationshipName: 'FieldPerms',
          childSObject: 'FieldPermissions',
          field: 'ParentId',
          cascadeDelete: true,
        },
      ],
    ),
    object(
      'PermissionSetAssignment',
      'Permission Set Assignment',
      'Permission Set Assignments',
      '0Pa',
      [
        ...audit(),
        field('AssigneeId', 'reference', {
          ...required,
          ...createOnly,
          referenceTo: ['User'],
          label: 'Assignee ID',
        }),
        field('PermissionSetId', 'reference', { ...required, ...createOnly, referenceTo: ['PermissionSet'] }),
        field('IsActive', 'boolean', { ...readOnly, ...required, defaultedOnCreate: true }),
      ],
      // Assignments are created and deleted, never updated.
      { createable: true, updateable: false, deletable: true },
    ),
    object(
      'ObjectPermissions',
      'Object Permissions',
      'Object Permissions',
      '110',
      [
        ...audit(),
        field('ParentId', 'reference', { ...required, ...createOnly, referenceTo: ['PermissionSet'] }),
        field('SobjectType', 'picklist', {
          ...required,
          ...createOnly,
          length: 40,
          label: 'Sobject Type Name',
        }),
        flag('PermissionsCreate', 'Create Records'),
        flag('PermissionsRead', 'Read Records'),
        flag('PermissionsEdit', 'Edit Records'),
        flag('PermissionsDelete', 'Delete Records'),
        flag('PermissionsViewAllRecords', 'View All Records'),
        flag('PermissionsModifyAllRecords', 'Modify All Records'),
      ],
      { createable: true, updateable: true, deletable: true },
    ),
    object(
      'FieldPermissions',
      'Field Permissions',
      'Field Permissions',
      '01k',
      [
        ...audit(),
        field('ParentId', 'reference', { ...required, ...createOnly, referenceTo: ['PermissionSet'] }),
        field('SobjectType', 'picklist', {
          ...required,
          ...createOnly,
          length: 40,
          label: 'Sobject Type Name',
        }),
        field('Field', 'picklist', { ...required, ...createOnly, length: 255, label: 'Field Name' }),
        flag('PermissionsRead', 'Read Access'),
        flag('PermissionsEdit', 'Edit Access'),
      ],
      { createable: true, updateable: true, deletable: true },
    ),
    object(
      'UserLogin',
      'User Login',
      'User Logins',
      '060',
      [
        field('Id', 'id', {
          ...readOnly,
          ...required,
          label: 'User Login ID',
          defaultedOnCreate: true,
          length: 18,
        }),
        field('UserId', 'reference', { ...readOnly, referenceTo: ['User'] }),
        field('IsFrozen', 'boolean', { ...required, defaultedOnCreate: true, createable: false }),
        field('IsPasswordLocked', 'boolean', { ...required, defaultedOnCreate: true, createable: false }),
        field('LastModifiedDate', 'datetime', { ...readOnly, ...required, defaultedOnCreate: true }),
        field('LastModifiedById', 'reference', {
          ...readOnly,
          ...required,
          referenceTo: ['User'],
          defaultedOnCreate: true,
        }),
      ],
      // One per user, made with it: query, retrieve and update only.
      { createable: false, updateable: true, deletable: false },
    ),
    object(
      'UserRecordAccess',
      'User Record Access',
      'User Record Access',
      null,
      [
        field('Id', 'id', { ...readOnly, ...required, label: 'User Record Access ID', length: 18 }),
        field('UserId', 'reference', { ...readOnly, referenceTo: ['User'] }),
        field('RecordId', 'picklist', { ...readOnly, length: 40, label: 'Record ID' }),
        flag('HasReadAccess'),
        flag('HasEditAccess'),
        flag('HasDeleteAccess'),
        flag('HasTransferAccess'),
        flag('HasAllAccess'),
        field('MaxAccessLevel', 'picklist', { ...readOnly, length: 40, label: 'Maximum Access Level' }),
      ].map((f) => ({ ...f, createable: false, updateable: false })),
      { createable: false, updateable: false, deletable: false },
    ),
  ];
}
